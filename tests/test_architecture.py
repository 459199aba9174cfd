"""Conventions that keep the layout showing the architecture, enforced rather than reviewed."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ("profiles", "playbooks", "store")


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


def test_the_store_knows_no_domain() -> None:
    """The database under both cores: connection, dialects, migrations, backup."""
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_modules(path) & {"profiles", "playbooks"})
        for path in (ROOT / "store").rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_features_have_a_folder_in_each_layer() -> None:
    """A feature's handlers, texts and keyboards sit in its own folder under bot/; no
    handler module lies loose at the top."""
    loose = [p.name for p in (ROOT / "bot").glob("*.py") if "HANDLERS" in p.read_text("utf-8")
             and p.name not in {"errors.py", "app.py"}]
    assert loose == []


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


# What only the shell's one place after each update (and the sweep) may do with the outbox
# and the events: a handler that did it would deliver or react outside its transaction.
DELIVERY_AND_EVENTS = {"flush", "deliver_due", "deliver_after_update", "publish",
                       "publish_pending", "react"}


def test_feature_handlers_neither_deliver_the_outbox_nor_publish_events() -> None:
    offenders = []
    for path in (ROOT / "bot").rglob("*.py"):
        if "HANDLERS" not in path.read_text("utf-8") or path.name == "app.py":
            continue  # not a module of handlers
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            name = (node.func.attr if isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute) else
                    node.func.id if isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name) else None)
            if name in DELIVERY_AND_EVENTS:
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
    assert offenders == []


def test_a_use_case_writes_once() -> None:
    """A core call that a command makes is one transaction: the use-case modules of the
    one-transaction commands hand each of their operations to a single `write`."""
    for module in ("arrivals.py", "notes.py", "bookings/book.py", "feedback.py"):
        tree = ast.parse((ROOT / "playbooks" / module).read_text("utf-8"))
        for function in (n for n in ast.walk(tree) if isinstance(n, ast.AsyncFunctionDef)):
            writes = [n for n in ast.walk(function) if isinstance(n, ast.Attribute)
                      and n.attr in {"write", "read", "claim"}]
            assert len(writes) <= 1, f"playbooks/{module} {function.name}"
