"""How a stopping worker ends its warm-up: a short one runs out, a long one is cancelled."""

from __future__ import annotations

import asyncio

from bot.app import finish_or_cancel


async def test_a_warm_up_ending_within_the_grace_is_not_cancelled() -> None:
    """A warm-up a moment from its end finishes its last step instead of being cut off in it."""
    steps: list[str] = []

    async def warm_up() -> None:
        await asyncio.sleep(0.05)
        steps.append("fitted")

    task = asyncio.create_task(warm_up())
    await finish_or_cancel(task, grace_s=2.0)
    assert steps == ["fitted"]
    assert not task.cancelled()


async def test_a_long_warm_up_is_cancelled_after_the_grace() -> None:
    """A backfill that would run for a minute is cancelled once the grace has passed."""
    task = asyncio.create_task(asyncio.sleep(60))
    loop = asyncio.get_running_loop()
    begun = loop.time()
    await finish_or_cancel(task, grace_s=0.1)
    assert task.cancelled()
    assert loop.time() - begun < 5
