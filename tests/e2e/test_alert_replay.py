"""A day of watches added, alerting, removed and added again: every alert once, in order per chat."""

from __future__ import annotations

from telegram import Bot

from bot.store import Store
from tests.e2e.replay import replay_day
from tests.fakes.telegram import FakeTelegram


async def test_a_day_of_alerts_arrives_once_each_in_order(
    store: Store, tg: FakeTelegram, bot: Bot
) -> None:
    """8 chats over a simulated day with 429s and 5xx: nothing lost, duplicated or out of order."""
    score = await replay_day(store, tg, bot, chats=8, step_min=15.0)
    assert score.expected >= 50
    assert score.watches > score.chats  # watches were removed and added again
    assert score.throttled > 0
    assert (score.lost, score.duplicated, score.out_of_order) == (0, 0, 0)
    assert score.delivered == score.expected
