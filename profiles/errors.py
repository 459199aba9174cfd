"""Failures the core names; the bot turns each into words for the person who caused it."""


class GuestNotFound(Exception):
    """No guest matches the reference."""


class InviteInvalid(Exception):
    """The join code is unknown, already used or expired (one reason, deliberately vague)."""


class NotAllowed(Exception):
    """The staff member's role does not permit this."""


class StaffNotFound(Exception):
    """No staff member with that id."""


class NothingToUndo(Exception):
    """The note was already undone, or never existed."""


class TraitNotFound(Exception):
    """The trait is gone or was already retracted."""


class PendingNoteGone(Exception):
    """The "create this guest?" offer was already used or has expired."""
