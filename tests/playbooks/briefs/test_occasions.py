from datetime import date

import pytest

from playbooks.briefs.occasions import falls_on, month_days, next_occurrence, occasions_of, within
from profiles.models import Category
from tests.factories import make_trait


def birthday(month: int, day: int, **attrs: object):
    return make_trait(category=Category.OCCASION, text=f"birthday {month}-{day}",
                      attrs={"kind": "birthday", "month": month, "day": day, **attrs})


@pytest.mark.parametrize(("on", "expected"), [
    (date(2027, 2, 28), True),   # a common year: celebrated on the 28th
    (date(2027, 3, 1), False),
    (date(2028, 2, 28), False),  # a leap year: on the day itself
    (date(2028, 2, 29), True),
])
def test_29_february_falls_on_the_28th_in_common_years(on: date, expected: bool) -> None:
    assert falls_on(2, 29, on) is expected


def test_the_28th_of_a_common_year_also_looks_up_29_february() -> None:
    assert month_days(date(2027, 2, 28)) == [(2, 28), (2, 29)]
    assert month_days(date(2028, 2, 28)) == [(2, 28)]


def test_the_next_occurrence_is_today_or_later() -> None:
    assert next_occurrence(5, 12, date(2026, 5, 12)) == date(2026, 5, 12)
    assert next_occurrence(5, 12, date(2026, 5, 13)) == date(2027, 5, 12)
    assert next_occurrence(2, 29, date(2026, 3, 1)) == date(2027, 2, 28)


def test_an_occasion_is_due_on_the_day_and_days_ahead() -> None:
    today = date(2026, 5, 9)
    dues = occasions_of(birthday(5, 12, year=1986), [today, date(2026, 5, 12)], today)
    assert [(due.on, due.days_ahead, due.years) for due in dues] == [(date(2026, 5, 12), 3, 40)]


def test_a_trait_without_a_date_is_never_due() -> None:
    undated = make_trait(category=Category.OCCASION, text="生日", attrs={"kind": "birthday"})
    assert occasions_of(undated, [date(2026, 5, 12)], date(2026, 5, 12)) == []


def test_this_week_lists_the_occasions_soonest_first() -> None:
    traits = [birthday(5, 15), birthday(5, 12).model_copy(update={"id": 2}),
              birthday(6, 1).model_copy(update={"id": 3})]
    assert [due.on.day for due in within(traits, date(2026, 5, 10), 7)] == [12, 15]
