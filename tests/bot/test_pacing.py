"""The sliding-window rate limiter: no window ever holds more than its limit, on a clock the test drives."""

from __future__ import annotations

import asyncio
import random

import pytest

from bot.outbox.pacing import RateLimiter, Window, is_group
from tests.fakes.telegram_limits import most_in_any_window


class FakeTime:
    """A monotonic clock that moves only when the limiter sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        """Current fake time."""
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Advance time instead of waiting."""
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


async def send(limiter: RateLimiter, chat_id: int) -> None:
    """One message whose answer comes at once."""
    async with limiter.slot(chat_id):
        pass


def test_window_waits_for_the_oldest_answer_to_leave() -> None:
    """A full window says how long until its oldest answered message is a period old."""
    window = Window(limit=2, period_s=1.0)
    for answered_at in (0.0, 0.25):
        window.start()
        window.finish(answered_at)
    assert window.wait_s(0.5) == pytest.approx(0.5)
    assert window.wait_s(1.0) == 0.0
    assert not window.idle(1.1)
    assert window.idle(1.3)


def test_requests_still_out_hold_their_place() -> None:
    """Messages not answered yet fill the window until their answers come and a period passes."""
    window = Window(limit=1, period_s=1.0)
    window.start()
    assert window.wait_s(5.0) > 0
    window.finish(5.0)
    assert window.wait_s(5.5) == pytest.approx(0.5)
    assert not window.idle(5.5)


async def test_the_period_runs_from_the_answer() -> None:
    """A slow answer pushes the chat's next message a full period past it, whatever the delay."""
    time = FakeTime()
    limiter = RateLimiter(30, 20, 1, monotonic=time.monotonic, sleep=time.sleep)
    async with limiter.slot(1):
        time.now += 0.4  # the request is out for 400 ms
    assert limiter.chat_wait_s(1) == pytest.approx(1.0)


def test_window_rejects_an_empty_limit() -> None:
    """A window must allow at least one event in a positive period."""
    with pytest.raises(ValueError, match="limit >= 1"):
        Window(0, 1.0)


def test_groups_are_negative_ids() -> None:
    """Groups, supergroups and channels have negative chat ids."""
    assert is_group(-1001234567890)
    assert not is_group(42)


async def test_random_traffic_never_exceeds_any_limit() -> None:
    """Under random traffic to users and groups, every window respects overall, group and user limits."""
    time = FakeTime()
    limiter = RateLimiter(25, 18, 1, monotonic=time.monotonic, sleep=time.sleep)
    rng = random.Random(3)
    chats = [*range(1, 30), *range(-5, 0)]
    granted: dict[int, list[float]] = {}
    for _ in range(600):
        chat_id = rng.choice(chats)
        await send(limiter, chat_id)
        granted.setdefault(chat_id, []).append(time.now)
        if rng.random() < 0.1:
            time.now += rng.uniform(0, 2)
    everything = [t for times in granted.values() for t in times]
    assert most_in_any_window(everything, 1.0) <= 25
    assert max(most_in_any_window(granted[c], 60.0) for c in range(-5, 0)) <= 18
    assert max(most_in_any_window(granted[c], 1.0) for c in range(1, 30)) <= 1


async def test_a_backlog_moves_at_the_configured_rate() -> None:
    """A backlog to many users drains at the overall rate: 250 messages in about ten seconds."""
    time = FakeTime()
    limiter = RateLimiter(25, monotonic=time.monotonic, sleep=time.sleep)
    for n in range(250):
        await send(limiter, n + 1)
    assert time.now == pytest.approx(9.0)  # ten windows of 25


async def test_concurrent_senders_share_one_budget() -> None:
    """Tasks acquiring at once still get no more than the overall limit per window."""
    time = FakeTime()
    limiter = RateLimiter(10, monotonic=time.monotonic, sleep=time.sleep)
    granted: list[float] = []

    async def send(chat_id: int) -> None:
        for _ in range(5):
            async with limiter.slot(chat_id):
                granted.append(time.now)
                await asyncio.sleep(0)  # others run while this request is out

    await asyncio.gather(*(send(c) for c in range(1, 9)))
    assert len(granted) == 40
    assert most_in_any_window(granted, 1.0) <= 10


async def test_chat_wait_ignores_the_overall_budget() -> None:
    """A chat's own wait is separate from the overall one, and `wait_for_chat` does not count a send."""
    time = FakeTime()
    limiter = RateLimiter(1, 18, 1, monotonic=time.monotonic, sleep=time.sleep)
    await send(limiter, 1)
    assert limiter.chat_wait_s(2) == 0.0
    assert limiter.wait_s(2) == pytest.approx(1.0)
    await limiter.wait_for_chat(1)
    assert time.now == pytest.approx(1.0)
    assert limiter.chat_wait_s(1) == 0.0


async def test_idle_chats_are_forgotten() -> None:
    """Windows of chats quiet for a period are dropped, so memory does not grow with every chat."""
    time = FakeTime()
    limiter = RateLimiter(10_000, monotonic=time.monotonic, sleep=time.sleep)
    for chat_id in range(1, 1024):
        await send(limiter, chat_id)
    time.now += 2
    await send(limiter, 5000)
    assert len(limiter._chats) == 1
