"""Who may do what: pure rules, so the role matrix is tested without a bot."""

from __future__ import annotations

from enum import StrEnum

from profiles.models import Role, Staff


class Action(StrEnum):
    TAG = "tag"
    INVITE = "invite"
    MANAGE_STAFF = "manage_staff"
    BRIEF = "brief"
    REPORT = "report"
    FORGET = "forget"
    EXPORT = "export"
    MERGE = "merge"
    UNMERGE = "unmerge"  # undo a merge of two guests
    AUDIT = "audit"  # read who viewed or changed a guest
    CONSENT = "consent"  # record a guest's consent to be remembered


_RANK = {
    Role.WAITER: 0,
    Role.HOUSEKEEPING: 0,
    Role.KITCHEN: 0,
    Role.LEAD: 1,
    Role.MANAGER: 2,
    Role.ADMIN: 3,
}

_LOWEST_RANK = {
    Action.TAG: 1,
    Action.BRIEF: 1,
    Action.REPORT: 1,
    Action.MERGE: 1,
    Action.CONSENT: 1,
    Action.INVITE: 2,
    Action.MANAGE_STAFF: 2,
    Action.FORGET: 2,
    Action.EXPORT: 2,
    Action.AUDIT: 2,
    Action.UNMERGE: 3,
}


def can(role: Role, action: Action) -> bool:
    return _RANK[role] >= _LOWEST_RANK[action]


class Reading(StrEnum):
    """What a branch's staff read about the branch as a whole, beyond one guest."""

    BRIEF = "brief"  # who is expected and what to know (housekeeping: its rooms' version)
    SERVICE_REPORT = "service_report"  # /report: satisfaction, complaints, …
    REQUEST_REPORT = "request_report"  # /report requests: departments on time
    PLAYBOOK_FIGURES = "playbook_figures"  # /playbooks: completion, steps missed


_READERS: dict[Reading, frozenset[Role]] = {
    Reading.BRIEF: frozenset({Role.LEAD, Role.MANAGER, Role.ADMIN, Role.HOUSEKEEPING}),
    Reading.SERVICE_REPORT: frozenset({Role.LEAD, Role.MANAGER, Role.ADMIN}),
    Reading.REQUEST_REPORT: frozenset({Role.LEAD, Role.MANAGER, Role.ADMIN}),
    Reading.PLAYBOOK_FIGURES: frozenset({Role.LEAD, Role.MANAGER, Role.ADMIN}),
}
# who reads it for any branch, not only their own (managers compare branches in reports)
_CHAIN_READERS: dict[Reading, frozenset[Role]] = {
    Reading.BRIEF: frozenset({Role.ADMIN}),
    Reading.SERVICE_REPORT: frozenset({Role.MANAGER, Role.ADMIN}),
    Reading.REQUEST_REPORT: frozenset({Role.ADMIN}),
    Reading.PLAYBOOK_FIGURES: frozenset({Role.ADMIN}),
}


def may_read(staff: Staff, reading: Reading, branch: str | None = None) -> bool:
    """Whether `staff` may read `reading` of `branch` (their own branch when None)."""
    if staff.role not in _READERS[reading]:
        return False
    return branch in (None, staff.branch) or staff.role in _CHAIN_READERS[reading]


def reads_chain(staff: Staff, reading: Reading) -> bool:
    """Whether `staff` reads `reading` for every branch at once (a report's chart of all)."""
    return staff.role in _CHAIN_READERS[reading]


def in_branch(staff: Staff, branch: str) -> bool:
    """Whether `branch` is the staff member's own (an admin's is every branch)."""
    return staff.role is Role.ADMIN or staff.branch == branch


def leads(staff: Staff, branch: str) -> bool:
    """A shift lead or above of `branch` (an admin leads every branch)."""
    return in_branch(staff, branch) and _RANK[staff.role] >= _RANK[Role.LEAD]


def may_take_back(staff: Staff, author_id: int, branch: str) -> bool:
    """Undoing a note, or making it private: its author, or a lead of the branch it was
    logged in."""
    return staff.id == author_id or leads(staff, branch)


def may_invite(inviter: Staff, role: Role, branch: str) -> bool:
    """Managers invite up to lead into their own branch; admins anyone anywhere."""
    if not inviter.active or not can(inviter.role, Action.INVITE):
        return False
    if inviter.role is Role.ADMIN:
        return True
    return branch == inviter.branch and _RANK[role] < _RANK[inviter.role]


def may_manage(manager: Staff, member: Staff) -> bool:
    """Deactivating someone takes a higher role and, below admin, the same branch."""
    if not manager.active or not can(manager.role, Action.MANAGE_STAFF):
        return False
    if manager.id == member.id or _RANK[member.role] >= _RANK[manager.role]:
        return False
    return manager.role is Role.ADMIN or member.branch == manager.branch
