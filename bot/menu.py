"""The command menu each person sees: by role and in their language."""

from __future__ import annotations

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import BadRequest, Forbidden

from bot.i18n import LANGUAGES, t
from profiles.access import Action, can
from profiles.models import Role, Staff

# (command, the action it needs, or None for every staff member)
COMMANDS: tuple[tuple[str, Action | None], ...] = (
    ("find", None),
    ("guest", None),
    ("note", None),
    ("new", None),
    ("phone", None),
    ("arrive", None),
    ("leave", None),
    ("playbooks", None),
    ("request", None),
    ("requests", None),
    ("book", None),
    ("occasion", None),
    ("brief", Action.BRIEF),
    ("list", Action.BRIEF),
    ("feedback", None),
    ("report", Action.REPORT),
    ("tag", Action.TAG),
    ("merge", Action.MERGE),
    ("unmerge", Action.UNMERGE),
    ("invite", Action.INVITE),
    ("staff", Action.MANAGE_STAFF),
    ("export", Action.EXPORT),
    ("forget", Action.FORGET),
    ("audit", Action.AUDIT),
    ("consent", Action.CONSENT),
    ("lang", None),
    ("help", None),
)


def commands_for(role: Role, language: str) -> list[BotCommand]:
    return [
        BotCommand(name, t(language, f"menu.{name}"))
        for name, action in COMMANDS
        if action is None or can(role, action)
    ]


def stranger_commands(language: str) -> list[BotCommand]:
    return [BotCommand("start", t(language, "menu.start"))]


async def publish_default_menus(bot: Bot) -> None:
    """What someone who is not staff sees: only /start, in their app's language."""
    for language in LANGUAGES:
        await bot.set_my_commands(stranger_commands(language), language_code=language)
    await bot.set_my_commands(stranger_commands("en"))


async def publish_menu(bot: Bot, staff: Staff) -> None:
    scope = BotCommandScopeChat(staff.telegram_id)
    try:
        if staff.active:
            await bot.set_my_commands(commands_for(staff.role, staff.language), scope=scope)
        else:
            await bot.delete_my_commands(scope=scope)
    except (BadRequest, Forbidden):
        pass  # a member who never opened the chat with the bot has no menu to set
