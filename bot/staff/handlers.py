"""Managers bring people in with invites and take them off the staff list."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.callbacks import Verb, button, pattern, unpack
from bot.i18n import t
from bot.menu import publish_menu
from bot.state import Context
from profiles.access import Action, can, may_invite, may_manage
from profiles.models import Role, Staff

ROLE_NAMES = {
    **{role.value: role for role in Role},
    "服务员": Role.WAITER, "客房": Role.HOUSEKEEPING, "保洁": Role.HOUSEKEEPING,
    "厨房": Role.KITCHEN, "领班": Role.LEAD, "经理": Role.MANAGER, "管理员": Role.ADMIN,
}


def invite_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={code}"


async def invite(update: Update, context: Context) -> None:
    message, me, core = update.effective_message, context.member, context.core
    assert message is not None
    args = context.args or []
    role = ROLE_NAMES.get(args[0].lower()) if args else None
    branch = args[1].lower() if len(args) > 1 else me.branch
    if role is None or len(args) > 2:
        await message.reply_text(t(me.language, "invite.usage"))
        return
    if core.settings.branch(branch) is None:
        known = ", ".join(b.id for b in core.settings.branches)
        await message.reply_text(t(me.language, "invite.unknown_branch", branch=escape(branch),
                                   known=known), parse_mode="HTML")
        return
    if not may_invite(me, role, branch):
        await message.reply_text(t(me.language, "not_allowed"))
        return
    made = await core.staff.create_invite(role, branch, created_by=me.id, now=core.clock(),
                                          valid_for=core.settings.invites.valid_for)
    await message.reply_text(
        t(me.language, "invite.made", role=t(me.language, f"role.{role}"), branch=branch,
          hours=core.settings.invites.valid_hours,
          link=invite_link(context.bot.username, made.code), code=made.code),
        parse_mode="HTML",
    )


async def staff_list(update: Update, context: Context) -> None:
    me = context.member
    assert update.effective_message is not None
    if not can(me.role, Action.MANAGE_STAFF):
        await update.effective_message.reply_text(t(me.language, "not_allowed"))
        return
    text, markup = await _roster(context)
    await update.effective_message.reply_text(text, reply_markup=markup, parse_mode="HTML")


async def deactivate(update: Update, context: Context) -> None:
    query, me, core = update.callback_query, context.member, context.core
    assert query is not None and query.data is not None
    member = await core.staff.get(int(unpack(query.data)[0]))
    if not member.active or not may_manage(me, member):
        await query.answer(t(me.language, "staff.unchanged"), show_alert=True)
        return
    member = await core.staff.set_active(member.id, False)
    await publish_menu(context.bot, member)
    await query.answer(t(me.language, "staff.deactivated", name=member.name))
    text, markup = await _roster(context)
    await query.edit_message_text(text, reply_markup=markup, parse_mode="HTML")


async def _roster(context: Context) -> tuple[str, InlineKeyboardMarkup | None]:
    me = context.member
    members = await context.core.staff.in_branch(None if me.role is Role.ADMIN else me.branch)
    lines = [t(me.language, "staff.title")]
    lines += [_member_line(member, me.language) for member in members]
    buttons = [
        [button(t(me.language, "staff.deactivate", name=member.name[:24]), Verb.DEACTIVATE,
                member.id)]
        for member in members if member.active and may_manage(me, member)
    ]
    return "\n".join(lines), InlineKeyboardMarkup(buttons[:50]) if buttons else None


def _member_line(member: Staff, language: str) -> str:
    state = "" if member.active else " · " + t(language, "staff.inactive")
    role = t(language, f"role.{member.role}")
    return f"• {escape(member.name)} — {role} · {member.branch} · #{member.id}{state}"


HANDLERS: list[BaseHandler[Update, Context, None]] = [
    CommandHandler("invite", invite),
    CommandHandler("staff", staff_list),
    CallbackQueryHandler(deactivate, pattern=pattern(Verb.DEACTIVATE)),
]
