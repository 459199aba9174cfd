"""Joining with an invite, help, and the interface language."""

from __future__ import annotations

from html import escape

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.access.gate import language_of
from bot.i18n import LANGUAGES, t
from bot.menu import publish_menu
from bot.state import Context
from profiles.access import Action, Reading, can, may_read
from profiles.errors import InviteInvalid
from profiles.models import Role, Staff


async def start(update: Update, context: Context) -> None:
    if context.staff is not None and not context.args:
        await help_(update, context)
        return
    user, message = update.effective_user, update.effective_message
    assert user is not None and message is not None
    core = context.core
    language = context.staff.language if context.staff else language_of(update, context)
    try:
        staff = await core.staff.join(
            context.args[0] if context.args else "", telegram_id=user.id,
            name=user.full_name, language=language, now=core.clock(),
        )
    except InviteInvalid:
        await message.reply_text(t(language, "join.invalid"))
        return
    await publish_menu(context.bot, staff)
    await message.reply_text(welcome(staff, context), parse_mode="HTML")


async def help_(update: Update, context: Context) -> None:
    """The few commands this role uses most; `/help more` (`/help 全部`) lists them all."""
    assert update.effective_message is not None
    args = context.args or []
    everything = bool(args) and args[0].lower() in MORE
    text = (help_text(context.member, context) if everything
            else short_help(context.member))
    await update.effective_message.reply_text(text, parse_mode="HTML")


async def lang(update: Update, context: Context) -> None:
    assert update.effective_message is not None
    choice = (context.args or [""])[0].lower()
    if choice not in LANGUAGES:
        await update.effective_message.reply_text(t(context.lang, "lang.usage"))
        return
    staff = await context.core.staff.set_language(context.member.id, choice)
    context.staff = staff
    await publish_menu(context.bot, staff)
    await update.effective_message.reply_text(t(choice, "lang.set"))


def welcome(staff: Staff, context: Context) -> str:
    branch = context.core.settings.branch(staff.branch)
    label = branch.label(staff.language) if branch else staff.branch
    greeting = t(staff.language, "join.welcome", name=escape(staff.name),
                 role=t(staff.language, f"role.{staff.role}"), branch=escape(label))
    return greeting + "\n\n" + short_help(staff)


MORE = ("more", "all", "更多", "全部")
# what each role does most, first: the rest is one "/help more" away
ESSENTIALS: dict[Role, tuple[str, ...]] = {
    Role.WAITER: ("search", "guest", "note", "arrive", "request", "feedback"),
    Role.HOUSEKEEPING: ("search", "request", "requests", "brief"),
    Role.KITCHEN: ("search", "guest", "requests"),
    Role.LEAD: ("search", "note", "arrive", "brief", "request", "requests", "report"),
    Role.MANAGER: ("search", "brief", "report", "invite", "staff", "forget"),
    Role.ADMIN: ("search", "brief", "report", "invite", "staff", "forget"),
}


def short_help(staff: Staff) -> str:
    lang = staff.language
    lines = [t(lang, "help.intro")]
    lines += [t(lang, f"help.{topic}") for topic in ESSENTIALS[staff.role]]
    lines.append(t(lang, "help.more"))
    return "\n".join(lines)


def help_text(staff: Staff, context: Context) -> str:
    lines = [t(staff.language, "help.intro")]
    lines += [t(staff.language, f"help.{topic}")
              for topic in ("search", "guest", "note", "new", "phone", "request", "requests")]
    lines += [t(staff.language, f"help.{topic}") for topic in ("arrive", "leave", "playbooks")]
    lines += [t(staff.language, f"help.{topic}") for topic in ("book", "occasion")]
    if may_read(staff, Reading.BRIEF):
        lines.append(t(staff.language, "help.brief"))
    if can(staff.role, Action.BRIEF):
        lines.append(t(staff.language, "help.list"))
    if can(staff.role, Action.TAG):
        lines.append(t(staff.language, "help.tag"))
    lines += [t(staff.language, f"help.{action}") for action in ("merge", "unmerge")
              if can(staff.role, Action(action))]
    lines += [t(staff.language, f"help.{action}") for action in ("feedback", "report", "consent",
                                                                 "export", "forget", "audit")
              if action == "feedback" or can(staff.role, Action(action))]
    if can(staff.role, Action.INVITE):
        lines += [t(staff.language, "help.invite"), t(staff.language, "help.staff")]
    lines.append(t(staff.language, "help.inline"))
    lines.append(t(staff.language, "help.lang"))
    return "\n".join(lines)


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler("start", start),
    CommandHandler("help", help_),
    CommandHandler("lang", lang),
]
