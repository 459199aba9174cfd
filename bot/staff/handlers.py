"""Managers bring people in with invites and take them off the staff list."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from bot.access.gate import not_allowed
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
    branch = core.settings.branch_id(args[1]) if len(args) > 1 else me.branch
    if role is None or len(args) > 2:
        await message.reply_text(t(me.language, "invite.usage"))
        return
    if core.settings.branch(branch) is None:
        known = ", ".join(b.id for b in core.settings.branches)
        await message.reply_text(t(me.language, "invite.unknown_branch", branch=escape(branch),
                                   known=known), parse_mode="HTML")
        return
    if not may_invite(me, role, branch):
        await message.reply_text(not_allowed(me))
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
        await update.effective_message.reply_text(not_allowed(me))
        return
    text, markup = await _roster(context)
    await update.effective_message.reply_text(text, reply_markup=markup, parse_mode="HTML")


async def deactivate(update: Update, context: Context) -> None:
    """Asks first: one tap must not take a colleague off the bot."""
    query, me, core = update.callback_query, context.member, context.core
    assert query is not None and query.data is not None
    member = await core.staff.get(int(unpack(query.data)[0]))
    if not member.active or not may_manage(me, member):
        await query.answer(t(me.language, "staff.unchanged"), show_alert=True)
        return
    await query.answer()
    keyboard = InlineKeyboardMarkup([[
        button(t(me.language, "staff.confirm_yes"), Verb.DEACTIVATE_SURE, member.id),
        button(t(me.language, "staff.confirm_no"), Verb.STAFF_LIST)]])
    await query.edit_message_text(t(me.language, "staff.confirm", name=escape(member.name)),
                                  reply_markup=keyboard, parse_mode="HTML")


async def deactivate_sure(update: Update, context: Context) -> None:
    await _set_active(update, context, active=False)


async def reactivate(update: Update, context: Context) -> None:
    await _set_active(update, context, active=True)


async def back_to_list(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    text, markup = await _roster(context)
    await query.edit_message_text(text, reply_markup=markup, parse_mode="HTML")


async def _set_active(update: Update, context: Context, *, active: bool) -> None:
    query, me, core = update.callback_query, context.member, context.core
    assert query is not None and query.data is not None
    member = await core.staff.get(int(unpack(query.data)[0]))
    if member.active is active or not may_manage(me, member):
        await query.answer(t(me.language, "staff.unchanged"), show_alert=True)
        return
    member = await core.staffing.set_active(member.id, active, by=me, now=core.clock())
    await publish_menu(context.bot, member)
    await query.answer(t(me.language, "staff.reactivated" if active else "staff.deactivated",
                         name=member.name))
    text, markup = await _roster(context)
    await query.edit_message_text(text, reply_markup=markup, parse_mode="HTML")


async def _roster(context: Context) -> tuple[str, InlineKeyboardMarkup | None]:
    me = context.member
    members = await context.core.staff.in_branch(None if me.role is Role.ADMIN else me.branch)
    lines = [t(me.language, "staff.title")]
    lines += [_member_line(member, me.language) for member in members]
    buttons = [
        [button(t(me.language, "staff.deactivate" if member.active else "staff.reactivate",
                  name=member.name[:24]),
                Verb.DEACTIVATE if member.active else Verb.REACTIVATE, member.id)]
        for member in members if member.id != me.id and may_manage(me, member)
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
    CallbackQueryHandler(deactivate_sure, pattern=pattern(Verb.DEACTIVATE_SURE)),
    CallbackQueryHandler(reactivate, pattern=pattern(Verb.REACTIVATE)),
    CallbackQueryHandler(back_to_list, pattern=rf"^{Verb.STAFF_LIST.value}$"),
]
