from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import ConfigError, load_settings
from playbooks.requests.routing import (
    FRONT_DESK,
    Deadline,
    Department,
    Lane,
    LaneDeadlines,
    LaneWords,
    Routing,
    classify_lane,
    due_times,
    found_words,
    route,
)
from profiles.models import Role
from tests.factories import NOW

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = load_settings({"GUESTCARD_CONFIG": str(ROOT / "config.toml")})
LA = SHIPPED.branch("la")
assert LA is not None
DESKS = LA.departments


@pytest.mark.parametrize(("text", "desk"), [
    ("结账时忘了打折，账单不对", "guest"),
    ("the cashier forgot the discount on the bill", "guest"),
    ("能不能早点开泳池", "guest"),
    ("Can the pool open before nine?", "guest"),
    ("再要两条毛巾", "housekeeping"),
    ("two more towels please", "housekeeping"),
    ("空调不制冷", "engineering"),
    ("the AC is too loud", "engineering"),
    ("bathroom tap is leaking", "engineering"),
    ("漏水了", "engineering"),
    ("food for a child, not spicy", "kitchen"),
    ("牛排要全熟", "kitchen"),
    ("wants to talk to someone", "guest"),  # no word: the front desk takes it
])
def test_a_request_goes_to_the_desk_its_words_name(text: str, desk: str) -> None:
    assert route(text, DESKS).id == desk


@pytest.mark.parametrize(("text", "lane"), [
    ("客人投诉房间有异味", Lane.RED),
    ("guest complained about the noise", Lane.RED),
    ("空调坏了", Lane.RED),
    ("the shower is broken", Lane.RED),
    ("the bathroom tap is leaking", Lane.RED),
    ("结账多收了一晚", Lane.RED),
    ("the cashier forgot the discount", Lane.RED),
    ("收银员忘了给他金卡折扣", Lane.RED),
    ("结账时多收了", Lane.RED),
    ("客人说账单错了", Lane.RED),
    ("missing discount on his bill", Lane.RED),
    ("guest was overcharged", Lane.RED),
    ("they overcharge for the minibar", Lane.RED),
    ("问会员折扣怎么办", Lane.GREEN),
    ("smoke in the corridor, safety", Lane.RED),
    ("想预订下周的包间", Lane.GREEN),
    ("wants a booking for Friday", Lane.GREEN),
    ("asks about the membership package", Lane.GREEN),
    ("再要两条毛巾", Lane.YELLOW),
    ("two more towels please", Lane.YELLOW),
    ("refund for the booking", Lane.RED),  # a complaint before it is a sale
    ("guest says the cashier forgot his gold card discount", Lane.RED),
    ("they didn't apply his member discount", Lane.RED),
    ("charged him twice for the wine", Lane.RED),
    ("the bill is wrong, minibar charged but unused", Lane.RED),
    ("forgot the towels in 1203", Lane.YELLOW),  # forgetting is not a billing error
])
def test_complaints_faults_safety_and_billing_are_red_sales_green_the_rest_yellow(
    text: str, lane: Lane
) -> None:
    assert classify_lane(text, LaneWords()) is lane


def test_a_latin_word_matches_whole_words_only() -> None:
    assert found_words("the account is wrong", ["AC"]) == []
    assert found_words("the A/C hums, the AC too", ["AC"]) == ["AC"]
    assert found_words("TOWELS please", ["towel"]) == ["towel"]


def test_full_width_and_case_are_folded() -> None:
    assert found_words("ＡＣ broken", ["ac"]) == ["ac"]


def test_the_desk_named_most_wins_and_ties_go_to_the_first_listed() -> None:
    assert route("towel and sheet for the AC room", DESKS).id == "housekeeping"
    assert route("towel, AC", DESKS).id == "housekeeping"


def test_a_branch_without_departments_sends_to_the_front_desk_of_leads_and_managers() -> None:
    routing = Routing({}, LaneWords())
    assert routing.departments("la") == (FRONT_DESK,)
    assert FRONT_DESK.roles == [Role.LEAD, Role.MANAGER]


def test_default_deadlines_are_short_for_red_and_longer_for_routine() -> None:
    deadlines = LaneDeadlines()
    assert [(d.accept_minutes, d.resolve_minutes) for d in
            (deadlines.of(Lane.RED), deadlines.of(Lane.YELLOW), deadlines.of(Lane.GREEN))] == [
        (5, 30), (15, 120), (60, 1440)]


def test_due_times_count_from_the_relay() -> None:
    assert due_times(NOW, Deadline(accept_minutes=5, resolve_minutes=30)) == (
        NOW + timedelta(minutes=5), NOW + timedelta(minutes=30))


def test_a_department_needs_a_group_or_roles() -> None:
    with pytest.raises(ValidationError, match="needs chat_id or roles"):
        Department(id="spa", name="Spa")


def test_resolving_cannot_be_due_before_accepting() -> None:
    with pytest.raises(ValidationError, match="resolve_minutes"):
        Deadline(accept_minutes=30, resolve_minutes=5)


def test_the_shipped_config_routes_every_sample_desk_to_staff_roles() -> None:
    for branch in SHIPPED.branches:
        assert [(d.id, d.roles) for d in branch.departments] == [
            ("guest", [Role.LEAD]), ("housekeeping", [Role.HOUSEKEEPING]),
            ("engineering", [Role.LEAD]), ("kitchen", [Role.KITCHEN])]
        assert all(d.chat_id is None for d in branch.departments)


BRANCH = '[chain]\nname = "X"\n[[branches]]\nid = "la"\nname = "LA"\ntimezone = "UTC"\n'


@pytest.mark.parametrize(("desks", "expected"), [
    ('[[branches.departments]]\nid = "spa"\nname = "Spa"\n',
     "branches.0.departments.0: Value error, department 'spa' needs chat_id or roles"),
    ('[[branches.departments]]\nid = "spa"\nname = "Spa"\nroles = ["masseur"]\n',
     "branches.0.departments.0.roles.0"),
    ('[[branches.departments]]\nid = "spa"\nname = "Spa"\nchat_id = 42\n',
     "branches.0.departments.0.chat_id"),
    ('[[branches.departments]]\nid = "spa"\nname = "Spa"\nroles = ["lead"]\n'
     'deadlines.red = { accept_minutes = 0, resolve_minutes = 5 }\n',
     "branches.0.departments.0.deadlines.red.accept_minutes"),
    ('[[branches.departments]]\nid = "a"\nname = "A"\nroles = ["lead"]\n'
     '[[branches.departments]]\nid = "a"\nname = "B"\nroles = ["lead"]\n',
     "department ids repeat"),
])
def test_a_bad_department_stops_start_up_naming_the_key(tmp_path: Path, desks: str,
                                                       expected: str) -> None:
    config = tmp_path / "config.toml"
    config.write_text(BRANCH + desks, "utf-8")
    with pytest.raises(ConfigError) as raised:
        load_settings({"GUESTCARD_CONFIG": str(config)})
    assert str(config) in str(raised.value) and expected in str(raised.value)
