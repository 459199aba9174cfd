"""The playbook engine built from config.toml: the files in force and each branch's rules."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.settings import Settings
from playbooks.briefs.shifts import ShiftSpec
from playbooks.checklists.engine import BranchPolicy, PlaybookEngine
from playbooks.checklists.playbook import SHIPPED_LIBRARY, Playbook, active_playbooks
from playbooks.events import EventLog
from store.database import Database


def playbook_paths(settings: Settings) -> list[Path]:
    """The shipped library, then the chain's own folder (whose playbooks replace same ids)."""
    own = settings.playbook_folder()
    return [SHIPPED_LIBRARY, *([own] if own else [])]


def playbook_library(settings: Settings) -> list[Playbook]:
    """The playbooks in force; PlaybookError names file, key and reason for a bad one."""
    return active_playbooks(playbook_paths(settings), disabled=settings.playbooks.disabled,
                            source=str(settings.config_path))


def branch_policies(settings: Settings) -> dict[str, BranchPolicy]:
    return {
        branch.id: BranchPolicy(zone=ZoneInfo(branch.timezone), kitchen_chat=branch.kitchen_chat,
                                ack_after=timedelta(minutes=branch.allergy_ack_minutes),
                                shifts=tuple(ShiftSpec(name=s.name, start=s.start, end=s.end)
                                             for s in branch.shifts))
        for branch in settings.branches
    }


def playbook_engine(
    settings: Settings, library: list[Playbook], db: Database, events: EventLog,
) -> PlaybookEngine:
    """The engine, reacting to every event the core publishes."""
    engine = PlaybookEngine(
        library, db, policies=branch_policies(settings),
        report_after=timedelta(minutes=settings.playbooks.report_after_minutes),
    )
    events.react_with(engine.react)
    return engine
