import pytest

from bot.i18n import LANGUAGES, catalogue, placeholders, t


def test_every_text_exists_in_both_languages() -> None:
    zh, en = catalogue("zh"), catalogue("en")
    assert sorted(zh.keys() ^ en.keys()) == []


@pytest.mark.parametrize("key", sorted(catalogue("en")))
def test_both_languages_fill_in_the_same_names(key: str) -> None:
    assert placeholders(catalogue("zh")[key]) == placeholders(catalogue("en")[key])


def test_an_unknown_language_falls_back_to_english() -> None:
    assert t("fr", "stranger") == catalogue("en")["stranger"]


def test_languages_are_the_ones_staff_can_choose() -> None:
    assert LANGUAGES == ("zh", "en")


def test_one_of_a_count_reads_in_the_singular_where_a_form_is_given() -> None:
    assert (t("en", "report.ratings", n=1), t("en", "report.ratings", n=2)) == (
        "— 1 score", "— 2 scores")
    assert t("zh", "report.complaints", n=1) == "— 共 1 条投诉"
