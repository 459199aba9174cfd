"""The in-process Telegram as tests use it: every call recorded, and what Telegram does to a
bot under load or refusal (failed calls, a user blocking it, a group removing it) made to
happen on cue. The terminal chat runs on the plain `LocalBotApi`."""

from __future__ import annotations

import json
from collections.abc import Callable
from http import HTTPStatus

from telegram.request import RequestData

from bot.state import Clock, utc_now
from bot.terminal.api import ApiCall, LocalBotApi, LocalUser, Params

Fault = tuple[HTTPStatus, int | None]  # the status, and Retry-After for a 429


class FaultyBotApi(LocalBotApi):
    def __init__(self, *, clock: Clock = utc_now, first_update_id: int = 1) -> None:
        super().__init__(clock=clock, first_update_id=first_update_id)
        self.calls: list[ApiCall] = []
        self._faults: dict[str, list[Fault | None]] = {}
        self._chat_faults: dict[tuple[str, int], list[Fault | None]] = {}
        # decides, call by call, whether Telegram "fails" this one
        self.fault_policy: Callable[[str], Fault | None] | None = None

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None,
        read_timeout: object = None, write_timeout: object = None,
        connect_timeout: object = None, pool_timeout: object = None,
    ) -> tuple[int, bytes]:
        call = ApiCall.of(url, request_data)
        self.calls.append(call)
        chat = (call.method, int(call.params.get("chat_id") or 0))
        if self._chat_faults.get(chat) and (planned := self._chat_faults[chat].pop(0)):
            return _fault(*planned)
        if self._faults.get(call.method) and (planned := self._faults[call.method].pop(0)):
            return _fault(*planned)
        if self.fault_policy is not None and (fault := self.fault_policy(call.method)):
            return _fault(*fault)
        return self.answer(call)

    def fail_next(self, method: str, *, status: HTTPStatus = HTTPStatus.BAD_GATEWAY,
                  retry_after: int | None = None, times: int = 1, after: int = 0,
                  to: LocalUser | None = None) -> None:
        """Make `times` calls of `method` (to `to` only, if given), after the next `after`
        ones, fail as Telegram does under load or outage."""
        planned: list[Fault | None] = [None] * after + [(status, retry_after)] * times
        if to is None:
            self._faults.setdefault(method, []).extend(planned)
        else:
            self._chat_faults.setdefault((method, to.id), []).extend(planned)

    def calls_to(self, method: str) -> list[ApiCall]:
        return [call for call in self.calls if call.method == method]

    def block(self, user: LocalUser) -> None:
        """The user blocks the bot: its messages are refused until they write again."""
        self.open_chat(user)
        self._chats[user.id].blocked = True

    def leave_group(self, chat_id: int) -> None:
        """The bot was removed from the group: its messages there are refused."""
        self._chats[chat_id].blocked = True


def _fault(status: HTTPStatus, retry_after: int | None) -> tuple[int, bytes]:
    body: Params = {"ok": False, "error_code": status.value, "description": status.phrase}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return status.value, json.dumps(body).encode()
