from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.briefs.messages import brief_messages, occasion_messages, pack, plain
from playbooks.briefs.brief import Brief, BriefEntry, BriefView, summarise
from playbooks.briefs.occasions import GuestOccasions, OccasionDue
from profiles.bookings import Booking
from profiles.models import Category
from profiles.visits import VisitSummary
from tests.factories import make_guest, make_trait

LA = ZoneInfo("America/Los_Angeles")
DAY = date(2026, 11, 23)
BRANCHES = {"la": "Los Angeles", "sh": "Shanghai"}


def booking(guest_id: int, hour: int, **extra: object) -> Booking:
    at = datetime.combine(DAY, time(hour), tzinfo=LA)
    return Booking.model_validate({"id": guest_id, "guest_id": guest_id, "branch": "la",
                                   "at": at, "created_at": at - timedelta(days=1), **extra})


def entry(guest_id: int = 1, hour: int = 19, **extra: object) -> BriefEntry:
    values: dict[str, object] = {
        "guest": make_guest(id=guest_id), "booking": booking(guest_id, hour, party=4),
        "visits": VisitSummary(guest_id=guest_id, total=0, by_branch={}, last_at=None,
                               last_branch=None)}
    return BriefEntry.model_validate({**values, **extra})


def brief(*entries: BriefEntry, view: BriefView = BriefView.LEAD, **extra: object) -> Brief:
    return Brief.model_validate({"branch": "la", "day": DAY, "shift": None, "view": view,
                                 "entries": list(entries), "summary": summarise(list(entries)),
                                 **extra})


def render(found: Brief, lang: str = "en") -> list[str]:
    return [plain(text) for text in brief_messages(found, lang=lang, zone=LA, branches=BRANCHES)]


def test_a_guest_reads_time_party_name_then_allergies_first() -> None:
    wang = entry(
        allergies=[make_trait(category=Category.ALLERGY, text="花生过敏",
                              attrs={"severity": "severe"})],
        diet=[make_trait(category=Category.DIET, text="不吃蒜")],
        preferences=[make_trait(category=Category.SEATING, text="靠窗"),
                     make_trait(category=Category.DRINK, text="冰酸梅汤大杯")],
        visits=VisitSummary(guest_id=1, total=15, by_branch={"la": 1, "sh": 14},
                            last_at=datetime(2026, 11, 3, 20, tzinfo=LA), last_branch="sh"),
        regular_at=("sh", 14),
        occasions=[OccasionDue(trait_id=9, guest_id=1, kind="birthday", text="生日", on=DAY,
                               days_ahead=0, year=1986)],
        requests=["extra towels"],
        booking=booking(1, 19, party=4, table_no="12", note="window please"))
    [message] = render(brief(wang))
    assert message.splitlines() == [
        "📋 Brief · Los Angeles · Mon 23 Nov",
        "Bookings: 1 · covers: 4 · ⚠️ allergies: 1 · 🆕 first visits: 0 · 🎉 occasions: 1 · ⭐ VIP: 0",
        "",
        "19:00 · 4 people · table 12 — 王先生 #1",
        "⚠️ 花生过敏 (severe)",
        "🥗 不吃蒜",
        "👍 靠窗 · 冰酸梅汤大杯",
        "↺ visits: 15 · last Tue 3 Nov, Shanghai",
        "⭐ regular at Shanghai · 14 visits",
        "🎂 birthday (turns 40) today!",
        "❗ open request: extra towels",
        "📝 window please",
    ]


def test_a_first_visit_and_a_vip_are_marked_in_chinese() -> None:
    guest = make_guest(id=2, tier="gold")
    [message] = render(brief(entry(2, guest=guest)), lang="zh")
    lines = message.splitlines()
    assert lines[3] == "19:00 · 4位 — 王先生 #2 · 金卡"
    assert lines[4] == "🆕 第一次来"


def test_no_bookings_is_said_in_one_short_message() -> None:
    assert render(brief()) == [
        "📋 Brief · Los Angeles · Mon 23 Nov\n"
        "Bookings: 0 · covers: 0 · ⚠️ allergies: 0 · 🆕 first visits: 0 · 🎉 occasions: 0 · ⭐ VIP: 0"
        "\n\nNo bookings."]


def test_a_long_brief_splits_between_guests_never_inside_one() -> None:
    many = [entry(n, 12 + n % 10, preferences=[make_trait(category=Category.FOOD, text="x" * 70)
                                               for _ in range(3)]) for n in range(1, 80)]
    messages = brief_messages(brief(*many), lang="en", zone=LA, branches=BRANCHES)
    assert len(messages) > 1
    assert all(len(text) <= 4096 for text in messages)
    # every message after the first begins with a guest's first line
    assert all(" — <b>王先生</b> #" in text.split("\n")[0] for text in messages[1:])
    assert sum(text.count(" — <b>王先生</b> #") for text in messages) == len(many)


def test_housekeeping_reads_rooms_without_notes_or_visits() -> None:
    staying = entry(3, booking=None, room_no="1203",
                    preferences=[make_trait(category=Category.ROOM, text="高楼层")])
    arriving = entry(4, booking=booking(4, 14, room_no="808", note="VIP from the CEO"))
    [message] = render(brief(arriving, view=BriefView.HOUSEKEEPING, in_house=[staying]))
    assert "VIP from the CEO" not in message and "first visit" not in message
    assert "room 1203 — 王先生 #3" in message and "👍 高楼层" in message
    assert "14:00 · room 808 — 王先生 #4" in message
    assert message.splitlines()[1] == "🛏 In house: 1 · arrivals: 1 · ⚠️ allergies: 0"


def test_the_occasion_reminder_lists_today_then_days_ahead_with_what_to_prepare() -> None:
    wang = GuestOccasions(guest=make_guest(), occasions=[OccasionDue(
        trait_id=1, guest_id=1, kind="anniversary", text="结婚纪念日", on=DAY + timedelta(days=3),
        days_ahead=3, year=2016)])
    smith = GuestOccasions(guest=make_guest(id=2, name="Smith", honorific=""),
                           occasions=[OccasionDue(trait_id=2, guest_id=2, kind="birthday",
                                                  text="birthday", on=DAY, days_ahead=0)],
                           booking=booking(2, 19))
    [message] = [plain(text) for text in occasion_messages(
        [wang, smith], DAY, lang="en", zone=LA, branches=BRANCHES)]
    assert message.splitlines() == [
        "🎉 Occasions · Mon 23 Nov",
        "",
        "Today",
        "",
        "🎂 birthday — Smith #2",
        "📅 booked Mon 23 Nov 19:00 · Los Angeles",
        "Prepare: a dessert with a candle; offer a photo.",
        "",
        "in 3 days · Thu 26 Nov",
        "",
        "💍 anniversary (10 years) — 王先生 #1",
        "Prepare: a card and two glasses of bubbly; offer a photo.",
    ]


def test_packing_keeps_blocks_whole_and_under_the_limit() -> None:
    blocks = [["a" * 30, "b" * 30], ["c" * 30], ["d" * 100]]
    assert pack(blocks, limit=70) == ["a" * 30 + "\n" + "b" * 30, "c" * 30,
                                      *["d" * 70, "d" * 30]]
