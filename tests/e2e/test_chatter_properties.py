"""Properties of the running bot under generated chatter: the real Application, the fake Bot API.

Hypothesis drives synchronous examples, so the bot runs on its own event loop in a thread for the
whole module; each example is a fresh private chat, and what the bot sent to it is judged by
`verdict_of`: answered (a visible reply that Telegram accepted and that shows no exception), never
silent, refused or erroring.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import threading
from collections.abc import Coroutine, Iterator
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from handlers.errors import APOLOGY
from tests.e2e.harness import RunningBot, eventually, running_bot
from tests.fakes.chatter import REPLY_METHODS, messages, verdict_of
from tests.fakes.telegram_wire import BotApiCall

# The bot's thread draws on the process-wide `random` (websockets' keepalive pings) while hypothesis
# draws an example; hypothesis takes that for a strategy using `random`. Ours do not.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Do not use the `random` module inside strategies:hypothesis.errors.HypothesisDeprecationWarning"
)
EXAMPLES = int(os.environ.get("LIQGUARD_CHATTER_EXAMPLES", "60"))
REPLY_TIMEOUT_S = 10.0


class BotThread:
    """A running bot on its own event loop in a thread, driven from synchronous code."""

    def __init__(self, tmp_path: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self._ready: Future[RunningBot] = Future()
        self._stop = asyncio.Event()
        self._thread = threading.Thread(target=self._run, args=(tmp_path,), daemon=True)
        self._chat_ids = itertools.count(700_000)
        self._thread.start()
        self.bot = self._ready.result(timeout=60)

    def _run(self, tmp_path: Path) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._serve(tmp_path))
        self.loop.close()

    async def _serve(self, tmp_path: Path) -> None:
        try:
            async with running_bot(tmp_path) as bot:
                self._ready.set_result(bot)
                await self._stop.wait()
        except BaseException as error:
            if not self._ready.done():
                self._ready.set_exception(error)
            raise

    def call(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        """Run `coroutine` on the bot's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=60)

    def say(self, text: str) -> list[BotApiCall]:
        """Send `text` from a new private chat; every call the bot made to that chat."""
        chat_id = next(self._chat_ids)
        tg = self.bot.telegram
        self.loop.call_soon_threadsafe(tg.push_message, chat_id, text)

        def to_chat() -> list[BotApiCall]:
            return [c for c in tg.calls() if c.chat_id == chat_id]

        async def answered() -> list[BotApiCall]:
            with contextlib.suppress(TimeoutError):
                await eventually(
                    lambda: any(c.method in REPLY_METHODS for c in to_chat()), REPLY_TIMEOUT_S
                )
            await asyncio.sleep(0.05)  # a second message (an apology) would follow at once
            return to_chat()

        return list(self.call(answered()))

    def close(self) -> None:
        """Stop the bot and its loop."""
        self.loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=60)


@pytest.fixture(scope="module")
def bot_thread(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotThread]:
    """One running bot for every example of this module."""
    runner = BotThread(tmp_path_factory.mktemp("chatter"))
    yield runner
    runner.close()


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=messages())
def test_every_message_gets_an_accepted_visible_reply(bot_thread: BotThread, text: str) -> None:
    """Any command or text in a private chat is answered, within Telegram's limits, without errors."""
    calls = bot_thread.say(text)
    assert verdict_of(calls, APOLOGY) == "answered", (
        text,
        [(c.method, c.status, c.text) for c in calls],
    )
    assert any(c.method in REPLY_METHODS for c in calls)
