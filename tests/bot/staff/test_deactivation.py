"""Taking a colleague off the bot: asked first, undone with one press, and they are told."""

from tests.bot.conftest import BotUnderTest


async def test_deactivation_asks_first_and_cancel_changes_nothing(bot: BotUnderTest) -> None:
    manager = await bot.join("manager", language="en")
    await bot.join("waiter", name="Wu", language="en")
    [roster] = await bot.send(manager, "/staff")
    [confirm] = await bot.press(manager, roster, "Deactivate Wu")
    assert confirm.text.startswith("Take Wu off the bot?")
    [back] = await bot.press(manager, confirm, "Cancel")
    assert "inactive" not in back.text
    assert [m.active for m in await bot.core.staff.in_branch("la")] == [True, True]


async def test_a_deactivated_colleague_is_told_and_can_be_reactivated(bot: BotUnderTest) -> None:
    manager = await bot.join("manager", name="Max", language="en")
    waiter = await bot.join("waiter", name="Wu", language="en")
    [roster] = await bot.send(manager, "/staff")
    [confirm] = await bot.press(manager, roster, "Deactivate Wu")
    [after] = await bot.press(manager, confirm, "Yes, deactivate")
    assert "Wu — waiter · la" in after.text and "inactive" in after.text
    assert bot.last(waiter).text.startswith("Thank you for your work with")
    assert "Max has closed your access" in bot.last(waiter).text
    [again] = await bot.press(manager, after, "Reactivate Wu")
    assert "inactive" not in again.text
    assert bot.last(waiter).text.startswith("Welcome back: Max has opened your access")
    [found] = await bot.send(waiter, "/help")
    assert not found.text.startswith("Sorry")


async def test_a_refusal_names_someone_above_whoever_asked(bot: BotUnderTest) -> None:
    waiter = await bot.join("waiter", language="en")
    lead = await bot.join("lead", language="zh")
    [to_waiter] = await bot.send(waiter, "/staff")
    assert to_waiter.text == "Your role can't do that. Ask your shift lead or manager."
    [to_lead] = await bot.send(lead, "/staff")  # never "ask a shift lead" of a shift lead
    assert to_lead.text == "你的角色不能执行此操作，请找经理。"
