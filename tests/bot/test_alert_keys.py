"""Every idempotency key names something that exists once in the database's history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.alerts.market_watch import MarketAlerts
from bot.market.state import MarketState
from bot.store import Store
from bot.summaries.posts import scheduled_key
from bot.vocabulary.alert_settings import AlertSettings
from bot.vocabulary.records import Chat, MarkTick, Schedule, VenueSnapshot, Watch
from tests.bot.test_alerts import CHAT, NOW, Clock, liq_of, make_rig, mark_at, tick


async def _watch(store: Store, chat_id: int) -> Watch:
    await store.chats.upsert(Chat(chat_id, "private"), NOW)
    return await store.watches.add(Watch(chat_id, "binance", "BTC", "long", 10, 90_000, 0.5), NOW)


async def test_a_second_chats_watch_alerts_after_the_first_was_removed(store: Store) -> None:
    """Chat B's watch, made after chat A's alerted and was removed, gets its own alert (issue 11)."""
    first = await _watch(store, 1)
    lp = await liq_of(store, first)
    rig = await make_rig(store)
    await rig.engine.evaluate([tick(mark_at(lp, 4.5), rig.clock)])
    assert first.id is not None
    assert await store.watches.remove(1, first.id)
    second = await _watch(store, 2)
    await rig.engine.reload()
    await rig.engine.evaluate([tick(mark_at(lp, 12), rig.clock)])
    assert await rig.engine.evaluate([tick(mark_at(lp, 4.5), rig.clock)]) == 1
    assert [s for _k, s in await store.outbox.statuses(2)] == ["pending"]
    assert second.id != first.id


async def test_a_closer_step_drops_the_unsent_farther_one(store: Store) -> None:
    """The 5 % alert still waiting when the mark reaches 2 % is dropped; the 2 % one goes."""
    watch = await _watch(store, CHAT)
    lp = await liq_of(store, watch)
    rig = await make_rig(store)
    await rig.engine.evaluate([tick(mark_at(lp, 4.5), rig.clock)])
    await rig.engine.evaluate([tick(mark_at(lp, 1.5), rig.clock)])
    await rig.engine.evaluate([tick(mark_at(lp, -0.5), rig.clock)])
    w = watch.id
    assert await store.outbox.statuses(CHAT) == [
        (f"pos:{w}:2:0", "dropped"),
        (f"pos:{w}:3:0", "dropped"),
        (f"pos:{w}:crossed:0", "pending"),
    ]


async def test_digest_keys_of_a_chat_begun_again_are_new(store: Store) -> None:
    """A chat forgotten and seen again counts its digests from 0 under keys never used before."""
    quiet = AlertSettings(quiet_start="11:00", quiet_end="13:00")
    digests = []
    for life in range(2):
        watch = await _watch(store, CHAT)
        await store.chats.update_settings(CHAT, quiet.to_stored(), NOW)
        lp = await liq_of(store, watch)
        clock = Clock(NOW + timedelta(days=life))
        rig = await make_rig(store, clock)
        await rig.engine.evaluate([tick(mark_at(lp, 4), clock)])
        clock.now += timedelta(hours=1, minutes=1)
        assert await rig.book.send_digests(clock()) == 1
        digests.append([k for k, _s in await store.outbox.statuses(CHAT) if "digest" in k])
        assert await store.chats.delete(CHAT)
    assert len(digests[0]) == 1
    assert len(digests[1]) == 2
    assert digests[1][0] == digests[0][0]
    assert digests[1][1] != digests[0][0]


async def test_funding_keys_of_a_chat_begun_again_are_new(store: Store) -> None:
    """A funding extreme told to a chat in its second life is written, not taken for the first."""
    made: list[int] = []
    for life in range(2):
        await store.chats.upsert(Chat(CHAT, "group"), NOW)
        settings = AlertSettings(funding_extreme_8h_pct=0.1).with_mode("funding", "on")
        await store.chats.update_settings(CHAT, settings.to_stored(), NOW)
        clock = Clock(NOW + timedelta(days=life))
        rig = await make_rig(store, clock)
        market = MarketState(clock, ("binance",))
        market.update_snapshots(
            [VenueSnapshot("binance", "BTC", clock(), 90_000, funding_rate=0.002)]
        )
        market.update_marks([MarkTick("binance", "BTC", 90_000, clock())])
        alerts = MarketAlerts(market, rig.book, ["BTC"], clock)
        assert await alerts.evaluate() == 1
        made.append(len([k for k, _s in await store.outbox.statuses(CHAT) if "funding" in k]))
        assert await store.chats.delete(CHAT)
    assert made == [1, 2]


async def test_schedule_keys_differ_by_schedule_and_run(store: Store) -> None:
    """Two kinds due at one time, and a schedule removed and made again, post under distinct keys."""
    await store.chats.upsert(Chat(-5, "supergroup"), NOW)
    run = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    note = await store.schedules.upsert(Schedule(-5, "summary", "daily", "08:00", next_run_at=run))
    chart = await store.schedules.upsert(
        Schedule(-5, "summary_chart", "daily", "08:00", next_run_at=run)
    )
    assert await store.schedules.remove(-5, "summary")
    again = await store.schedules.upsert(Schedule(-5, "summary", "daily", "08:00", next_run_at=run))
    keys = {scheduled_key(s) for s in (note, chart, again)}
    assert len(keys) == 3
