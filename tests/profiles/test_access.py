import pytest

from profiles.access import Action, Reading, can, may_invite, may_manage, may_read
from profiles.models import Role
from tests.factories import make_staff


@pytest.mark.parametrize(("role", "action", "allowed"), [
    (Role.WAITER, Action.TAG, False),
    (Role.HOUSEKEEPING, Action.INVITE, False),
    (Role.LEAD, Action.TAG, True),
    (Role.LEAD, Action.INVITE, False),
    (Role.MANAGER, Action.INVITE, True),
    (Role.MANAGER, Action.FORGET, True),
    (Role.ADMIN, Action.MANAGE_STAFF, True),
])
def test_role_matrix(role: Role, action: Action, allowed: bool) -> None:
    assert can(role, action) is allowed


def test_managers_invite_below_themselves_in_their_own_branch_only() -> None:
    manager = make_staff(role=Role.MANAGER, branch="la")
    assert may_invite(manager, Role.LEAD, "la")
    assert not may_invite(manager, Role.MANAGER, "la")
    assert not may_invite(manager, Role.WAITER, "sh")


def test_admins_invite_anyone_anywhere_but_not_when_inactive() -> None:
    assert may_invite(make_staff(role=Role.ADMIN), Role.ADMIN, "sh")
    assert not may_invite(make_staff(role=Role.ADMIN, active=False), Role.WAITER, "la")


def test_nobody_deactivates_themselves_or_their_peers() -> None:
    manager = make_staff(id=1, role=Role.MANAGER)
    assert may_manage(manager, make_staff(id=2, role=Role.WAITER))
    assert not may_manage(manager, manager)
    assert not may_manage(manager, make_staff(id=3, role=Role.MANAGER))
    assert not may_manage(manager, make_staff(id=4, role=Role.WAITER, branch="sh"))


# Who reads what of a branch, own branch / another branch: the one table of these rules.
READING_MATRIX = {
    #                  brief          service report  request report  playbook figures
    Role.WAITER:       ((0, 0),       (0, 0),         (0, 0),         (0, 0)),
    Role.KITCHEN:      ((0, 0),       (0, 0),         (0, 0),         (0, 0)),
    Role.HOUSEKEEPING: ((1, 0),       (0, 0),         (0, 0),         (0, 0)),
    Role.LEAD:         ((1, 0),       (1, 0),         (1, 0),         (1, 0)),
    Role.MANAGER:      ((1, 0),       (1, 1),         (1, 0),         (1, 0)),
    Role.ADMIN:        ((1, 1),       (1, 1),         (1, 1),         (1, 1)),
}
READINGS = (Reading.BRIEF, Reading.SERVICE_REPORT, Reading.REQUEST_REPORT,
            Reading.PLAYBOOK_FIGURES)


@pytest.mark.parametrize("role", list(Role))
def test_who_reads_what_of_their_own_branch_and_of_another(role: Role) -> None:
    staff = make_staff(role=role, branch="la")
    found = tuple((int(may_read(staff, reading)), int(may_read(staff, reading, "sh")))
                  for reading in READINGS)
    assert found == READING_MATRIX[role]
    assert all(may_read(staff, r, "la") == may_read(staff, r) for r in READINGS)
