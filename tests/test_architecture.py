"""Conventions that keep the layout showing the architecture, enforced rather than reviewed."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ("profiles", "playbooks")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", CORE)
def test_the_core_never_imports_telegram_or_the_bot(package: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_modules(path) & {"telegram", "bot"})
        for path in (ROOT / package).rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_profiles_never_imports_playbooks() -> None:
    offenders = [str(p) for p in (ROOT / "profiles").rglob("*.py") if "playbooks" in imported_modules(p)]
    assert offenders == []


def test_sql_lives_only_in_store_modules_and_migrations() -> None:
    """Handlers never see a cursor: no SQL keywords in bot/."""
    suspicious = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "bot").rglob("*.py")
        if any(word in path.read_text("utf-8") for word in ("SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM"))
    ]
    assert suspicious == []


def test_the_bot_asks_for_a_guest_card_only_as_someone() -> None:
    """Visibility by role lives in the core: every card the bot reads names its viewer."""
    unnamed = []
    for path in (ROOT / "bot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and _reads_cards(node.func)
                    and not any(k.arg == "viewer" for k in node.keywords)):
                unnamed.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert unnamed == []


def _reads_cards(func: ast.Attribute) -> bool:
    """`….guests.card(…)` or `….search.find_cards(…)`."""
    owner = func.value.attr if isinstance(func.value, ast.Attribute) else ""
    return (owner, func.attr) in {("guests", "card"), ("search", "find_cards")}
