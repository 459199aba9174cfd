"""The status rules: pure functions over a guest's history and an injected `now`.

A guest is new (one visit or none), returning, regular (at least N visits within M months of
their last visit), a lapsed regular (away longer than k times their own usual interval), at
risk (a complaint not yet followed by a good visit), no-show prone or key. When several hold,
the one that asks for action wins: at risk, lapsed regular, no-show prone, key, regular,
returning, new. A segment a lead set with /tag wins over all of them, and says so.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from itertools import pairwise
from statistics import median
from zoneinfo import ZoneInfo

from pydantic import Field, model_validator

from profiles.models import Frozen, Segment

# Two arrivals this close are one visit (typed twice, or the same visit on two merged records).
SAME_VISIT = timedelta(hours=6)
MONTH = timedelta(days=30)


class StatusKind(StrEnum):
    NEW = "new"
    RETURNING = "returning"
    REGULAR = "regular"
    LAPSED = "lapsed"
    AT_RISK = "at_risk"
    NO_SHOW_PRONE = "no_show_prone"
    KEY = "key"
    UNWELCOME = "unwelcome"  # only ever set by a lead's /tag


class StatusRules(Frozen):
    """The chain's thresholds (config.toml `[status]`)."""

    regular_visits: int = Field(default=4, ge=2)
    regular_months: int = Field(default=3, ge=1)
    lapsed_factor: float = Field(default=3.0, gt=1)
    no_shows: int = Field(default=2, ge=1)
    no_show_months: int = Field(default=6, ge=1)
    key_visits: int = Field(default=24, ge=2)
    # key, too, by what they spent: POS checks of the last `key_spend_months` adding up to
    # at least this, in `key_currency` (unset: any one currency); unset, visits alone decide
    key_spend: float | None = Field(default=None, gt=0)
    key_spend_months: int = Field(default=12, ge=1)
    key_currency: str | None = Field(default=None, min_length=3, max_length=3)
    good_score: int = Field(default=4, ge=3, le=5)
    complaint_score: int = Field(default=2, ge=1, le=4)

    @model_validator(mode="after")
    def _key_above_regular(self) -> StatusRules:
        if self.key_visits <= self.regular_visits:
            raise ValueError(f"key_visits ({self.key_visits}) must exceed regular_visits"
                             f" ({self.regular_visits})")
        if self.good_score <= self.complaint_score:
            raise ValueError("good_score must exceed complaint_score")
        return self


# A restaurant's regular comes weekly or so; a hotel's a few times a year.
PRESETS: dict[str, StatusRules] = {
    "restaurant": StatusRules(),
    "hotel": StatusRules(regular_visits=3, regular_months=12, lapsed_factor=2.0, key_visits=10),
}


class Visited(Frozen):
    at: datetime
    branch: str


class Booked(Frozen):
    at: datetime
    party: int | None = None
    no_show: bool = False


class Scored(Frozen):
    at: datetime
    score: int


class Spent(Frozen):
    """A POS check: when, how much (in the currency's main unit), in what currency."""

    at: datetime
    amount: float
    currency: str


class History(Frozen):
    """What the rules read about one guest: every visit, booking, score, red request and
    POS check."""

    visits: list[Visited] = Field(default_factory=list)
    spent: list[Spent] = Field(default_factory=list)
    bookings: list[Booked] = Field(default_factory=list)
    scores: list[Scored] = Field(default_factory=list)
    red_requests: list[datetime] = Field(default_factory=list)
    segment: Segment | None = None


class Rhythm(Frozen):
    """How the guest comes: how often, with how many, at what hour (the branch's time)."""

    visits: int = 0
    usual_days: float | None = None
    last_at: datetime | None = None
    last_branch: str | None = None
    usual_party: int | None = None
    usual_hour: int | None = None


class Status(Frozen):
    """The status and the facts its one-line reason is made of."""

    kind: StatusKind
    tagged: bool = False
    rhythm: Rhythm = Rhythm()
    no_shows: int = 0
    complaint_at: datetime | None = None
    complaint_score: int | None = None  # None: a red request rather than a score
    # what made a key guest key by spend: the total of `key_spend_months`, in `spend_currency`
    spend: float | None = None
    spend_currency: str | None = None


def distinct_visits(visits: Iterable[Visited]) -> list[Visited]:
    """Visits oldest first, arrivals within SAME_VISIT of the one before counted once."""
    kept: list[Visited] = []
    for visit in sorted(visits, key=lambda v: v.at):
        if not kept or visit.at - kept[-1].at >= SAME_VISIT:
            kept.append(visit)
    return kept


def usual_interval(visits: Sequence[Visited]) -> timedelta | None:
    """The median gap between visits: one long absence does not hide a weekly habit."""
    gaps = [(later.at - earlier.at).total_seconds()
            for earlier, later in pairwise(visits)]
    return timedelta(seconds=median(gaps)) if gaps else None


def is_regular(visits: Sequence[Visited], rules: StatusRules) -> bool:
    """At least N visits within M months ending at the last visit."""
    if not visits:
        return False
    since = visits[-1].at - rules.regular_months * MONTH
    return sum(1 for visit in visits if visit.at >= since) >= rules.regular_visits


def is_lapsed(visits: Sequence[Visited], rules: StatusRules, now: datetime) -> bool:
    """A regular away longer than `lapsed_factor` times their own usual interval."""
    interval = usual_interval(visits)
    if interval is None or not is_regular(visits, rules):
        return False
    return now - visits[-1].at > rules.lapsed_factor * max(interval, timedelta(days=1))


def open_complaint(history: History, rules: StatusRules) -> tuple[datetime, int | None] | None:
    """The latest complaint (a low score or a red request) with no good score after it."""
    complaints: list[tuple[datetime, int | None]] = [
        (s.at, s.score) for s in history.scores if s.score <= rules.complaint_score]
    complaints += [(at, None) for at in history.red_requests]
    if not complaints:
        return None
    latest = max(complaints, key=lambda c: c[0])
    recovered = any(s.at > latest[0] and s.score >= rules.good_score for s in history.scores)
    return None if recovered else latest


def recent_no_shows(bookings: Sequence[Booked], rules: StatusRules, now: datetime) -> int:
    since = now - rules.no_show_months * MONTH
    return sum(1 for b in bookings if b.no_show and since <= b.at <= now)


def recent_spend(spent: Sequence[Spent], rules: StatusRules,
                 now: datetime) -> tuple[float, str] | None:
    """The biggest total of one currency over the last `key_spend_months` (only
    `key_currency`'s when set); None without checks."""
    since = now - rules.key_spend_months * MONTH
    totals: dict[str, float] = {}
    for check in spent:
        if since <= check.at <= now and rules.key_currency in (None, check.currency):
            totals[check.currency] = totals.get(check.currency, 0.0) + check.amount
    if not totals:
        return None
    currency, total = max(totals.items(), key=lambda item: (item[1], item[0]))
    return total, currency


def rhythm(history: History, zones: Mapping[str, ZoneInfo] | None = None) -> Rhythm:
    """Visits counted once each, the usual gap in days, the usual party and arrival hour."""
    return _rhythm(distinct_visits(history.visits), history.bookings, zones)


def _rhythm(visits: list[Visited], bookings: Sequence[Booked],
            zones: Mapping[str, ZoneInfo] | None) -> Rhythm:
    if not visits:
        return Rhythm()
    interval = usual_interval(visits)
    parties = Counter(b.party for b in bookings if b.party and not b.no_show)
    hours = Counter(_local(v, zones).hour for v in visits) if len(visits) > 1 else Counter()
    return Rhythm(
        visits=len(visits),
        usual_days=None if interval is None else round(interval / timedelta(days=1), 1),
        last_at=visits[-1].at, last_branch=visits[-1].branch,
        usual_party=_most_common(parties), usual_hour=_most_common(hours),
    )


def derive_status(history: History, rules: StatusRules, now: datetime,
                  zones: Mapping[str, ZoneInfo] | None = None) -> Status:
    """The guest's status as of `now`, with the facts behind it."""
    visits = distinct_visits(v for v in history.visits if v.at <= now)
    found = _rhythm(visits, history.bookings, zones)
    no_shows = recent_no_shows(history.bookings, rules, now)
    if history.segment is not None:
        return Status(kind=StatusKind(history.segment), tagged=True, rhythm=found,
                      no_shows=no_shows)
    complaint = open_complaint(history, rules)
    if complaint is not None:
        return Status(kind=StatusKind.AT_RISK, rhythm=found, no_shows=no_shows,
                      complaint_at=complaint[0], complaint_score=complaint[1])
    spend = recent_spend(history.spent, rules, now)
    by_spend = rules.key_spend is not None and spend is not None and spend[0] >= rules.key_spend
    kind = _kind(visits, no_shows, rules, now, key_by_spend=by_spend)
    if kind is StatusKind.KEY and by_spend and spend is not None:
        return Status(kind=kind, rhythm=found, no_shows=no_shows, spend=round(spend[0], 2),
                      spend_currency=spend[1])
    return Status(kind=kind, rhythm=found, no_shows=no_shows)


def next_change(history: History, rules: StatusRules, now: datetime) -> datetime | None:
    """The earliest moment after `now` at which time alone could change what `derive_status`
    says of this history (a regular lapsing, a no-show or a check ageing out of its window, a
    visit or booking dated ahead coming due), to the second; None when only new history can
    change it. It may come early (the status then comes out the same), never a second late."""
    visits = distinct_visits(v for v in history.visits if v.at <= now)
    moments = [v.at for v in history.visits if v.at > now]
    interval = usual_interval(visits)
    if interval is not None and is_regular(visits, rules):
        moments.append(visits[-1].at + rules.lapsed_factor * max(interval, timedelta(days=1)))
    window = rules.no_show_months * MONTH
    moments += [moment for b in history.bookings if b.no_show for moment in (b.at, b.at + window)]
    if rules.key_spend is not None:
        window = rules.key_spend_months * MONTH
        moments += [moment for c in history.spent for moment in (c.at, c.at + window)]
    # a limit is passed just after its moment: the second after
    later = [moment for moment in moments if moment >= now]
    return min(later) + _SECOND if later else None


_SECOND = timedelta(seconds=1)


def _kind(visits: list[Visited], no_shows: int, rules: StatusRules, now: datetime, *,
          key_by_spend: bool = False) -> StatusKind:
    if is_lapsed(visits, rules, now):
        return StatusKind.LAPSED
    if no_shows >= rules.no_shows:
        return StatusKind.NO_SHOW_PRONE
    if len(visits) >= rules.key_visits or key_by_spend:
        return StatusKind.KEY
    if is_regular(visits, rules):
        return StatusKind.REGULAR
    return StatusKind.RETURNING if len(visits) > 1 else StatusKind.NEW


def _local(visit: Visited, zones: Mapping[str, ZoneInfo] | None) -> datetime:
    zone = (zones or {}).get(visit.branch)
    return visit.at if zone is None else visit.at.astimezone(zone)


def _most_common(counts: Counter[int]) -> int | None:
    """The value seen most, if it was seen at least twice (once is no habit)."""
    if not counts:
        return None
    value, seen = counts.most_common(1)[0]
    return value if seen >= 2 else None
