"""The outbox sender against the fake Bot API, through the real PTB `Bot`, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.outbox.pacing import RateLimiter
from bot.outbox.payloads import edit_payload, outbox_item, send_payload
from bot.outbox.sender import DrainResult, RetryPolicy, Sender, resume_chat
from bot.store import Store
from bot.vocabulary.records import Chat, OutboxItem, Watch
from tests.fakes.clock import ManualClock as Clock
from tests.fakes.telegram import FakeTelegram
from tests.fakes.telegram_limits import LimitedTelegram, most_in_any_window

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def clock() -> Clock:
    """Time under the test's control."""
    return Clock(NOW)


def make_sender(
    bot: Bot,
    store: Store,
    clock: Clock,
    *,
    overall_per_s: int = 25,
    group_per_min: int = 18,
    **options: Any,
) -> Sender:
    """A sender on the test clock, with Telegram's default limits and seeded jitter."""
    limiter = RateLimiter(
        overall_per_s, group_per_min, monotonic=clock.monotonic, sleep=clock.sleep
    )
    return Sender(bot, store, clock.now, limiter=limiter, rng=random.Random(7), **options)


async def enqueue(store: Store, clock: Clock, key: str, chat_id: int = 1, **kw: Any) -> bool:
    """Write one text alert whose text is its key."""
    item = outbox_item(key, chat_id, "position", send_payload(key, **kw))
    return await store.outbox.enqueue(item, clock.now())


async def drain_all(
    sender: Sender, store: Store, clock: Clock, step_s: float = 1.0
) -> list[DrainResult]:
    """Drain, letting `step_s` pass between drains, until nothing is pending or claimed."""
    results = []
    for _ in range(60):
        results.append(await sender.drain_once())
        if await store.outbox.count("pending") + await store.outbox.count("sending") == 0:
            return results
        clock.advance(step_s)
    raise AssertionError(f"outbox not drained: {results[-3:]}")


def texts(tg: FakeTelegram, method: str = "sendMessage", chat_id: int | None = None) -> list[str]:
    """Texts (or captions) of successful calls to `method`, in order."""
    return [
        c.text or ""
        for c in tg.calls(method)
        if c.ok and (chat_id is None or str(c.chat_id) == str(chat_id))
    ]


async def stored(store: Store, key: str) -> OutboxItem:
    """The outbox row with this key."""
    item = await store.outbox.get(key)
    assert item is not None
    return item


async def test_sends_text_with_keyboard_into_a_topic(
    store: Store, tg: FakeTelegram, bot: Bot, clock: Clock
) -> None:
    """A text payload is sent as HTML with its keyboard and topic, and the row keeps the message id."""
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Mute 1h", callback_data="mute:1h")]])
    await enqueue(
        store,
        clock,
        "<b>BTC</b> 4.8% from liquidation",
        -100,
        reply_markup=keyboard,
        message_thread_id=7,
    )
    result = await make_sender(bot, store, clock).drain_once()
    (call,) = tg.calls("sendMessage")
    assert call.params["parse_mode"] == "HTML"
    assert call.params["reply_markup"] == keyboard.to_dict()
    assert call.params["message_thread_id"] == 7
    row = await stored(store, "<b>BTC</b> 4.8% from liquidation")
    assert (row.status, row.message_id) == ("sent", call.result["message_id"])
    assert (result.claimed, result.sent) == (1, 1)


async def test_silent_payloads_are_sent_without_sound(
    store: Store, tg: FakeTelegram, bot: Bot, clock: Clock
) -> None:
    """A payload marked silent goes out with disable_notification; others with sound."""
    await enqueue(store, clock, "quiet one", 5, silent=True)
    await enqueue(store, clock, "loud one", 6)
    await make_sender(bot, store, clock).drain_once()
    sent = {c.text: c.params.get("disable_notification") for c in tg.calls("sendMessage")}
    assert sent == {"quiet one": True, "loud one": False}


async def test_sends_a_photo_with_its_caption(
    store: Store, tg: FakeTelegram, bot: Bot, clock: Clock
) -> None:
    """A payload with a photo goes out as sendPhoto, captioned with the text."""
    await enqueue(store, clock, "liquidation map", 5, photo=PNG)
    await make_sender(bot, store, clock).drain_once()
    (call,) = tg.calls("sendPhoto")
    assert call.files["photo"].content == PNG
    assert call.text == "liquidation map"
    assert (await stored(store, "liquidation map")).status == "sent"


async def test_edits_reach_the_original_message(
    store: Store, tg: FakeTelegram, bot: Bot, clock: Clock
) -> None:
    """An edit changes the text of the message its original row sent, or a photo's caption."""
    await enqueue(store, clock, "wave $5M", 3)
    await enqueue(store, clock, "map", 3, photo=PNG)
    for key, edit_of, text in [("e1", "wave $5M", "wave $9M"), ("e2", "map", "map, updated")]:
        await store.outbox.enqueue(outbox_item(key, 3, "wave", edit_payload(edit_of, text)), NOW)
    await drain_all(make_sender(bot, store, clock), store, clock)
    (edit_text,) = tg.calls("editMessageText")
    (edit_caption,) = tg.calls("editMessageCaption")
    assert edit_text.params["message_id"] == (await stored(store, "wave $5M")).message_id
    assert edit_caption.params["message_id"] == (await stored(store, "map")).message_id
    assert [edit_text.text, edit_caption.text] == ["wave $9M", "map, updated"]
    assert (await stored(store, "e2")).status == "sent"


async def test_sent_rows_are_pruned_thirty_days_after_delivery(
    store: Store, tg: FakeTelegram, bot: Bot, clock: Clock
) -> None:
    """The sender's pruning removes rows delivered over 30 days ago and keeps later and waiting ones."""
    sender = make_sender(bot, store, clock)
    await enqueue(store, clock, "old alert")
    await drain_all(sender, store, clock)
    clock.advance(20 * 86_400)
    await enqueue(store, clock, "newer alert")
    await drain_all(sender, store, clock)
    clock.advance(11 * 86_400)
    assert await sender.prune_finished() == 1
    assert await store.outbox.get("old alert") is None
    assert (await stored(store, "newer alert")).status == "sent"
    assert texts(tg) == ["old alert", "newer alert"]


async def test_outbox_pruning_is_a_daily_job_that_never_overlaps(store: Store, bot: Bot) -> None:
    """The worker's job queue prunes the outbox on the given period, one run at a time."""
    from telegram.ext import ApplicationBuilder

    from bot.jobs import register_outbox_prune_job

    application = ApplicationBuilder().token("123:fake").build()
    assert application.job_queue is not None
    register_outbox_prune_job(application.job_queue, Sender(bot, store, lambda: NOW), 86_400)
    (job,) = application.job_queue.jobs()
    assert (job.name, job.job.trigger.interval) == ("prune outbox", timedelta(days=1))
    assert (job.job.max_instances, job.job.coalesce) == (1, True)


async def test_an_edit_waits_for_its_original(
    store: Store, tg: FakeTelegram, bot: Bot, clock: Clock
) -> None:
    """An edit whose original is not sent yet waits, then edits it once it is."""
    later = NOW + timedelta(seconds=3)
    await store.outbox.enqueue(outbox_item("wave", 3, "wave", send_payload("wave $5M"), later), NOW)
    await store.outbox.enqueue(
        outbox_item("wave+1", 3, "wave", edit_payload("wave", "wave $7M")), NOW
    )
    sender = make_sender(bot, store, clock)
    first = await sender.drain_once()
    assert (first.claimed, first.sent) == (0, 0)  # the original, written first, holds it back
    await drain_all(sender, store, clock)
    assert texts(tg, "editMessageText") == ["wave $7M"]
    assert (await stored(store, "wave+1")).attempts == 1  # waiting was not an attempt


async def test_not_modified_counts_as_done_and_missing_original_fails(
    store: Store, tg: FakeTelegram, bot: Bot, clock: Clock
) -> None:
    """An edit to the same text is done, not failed; an edit of an unknown message fails."""
    await enqueue(store, clock, "same", 3)
    await store.outbox.enqueue(outbox_item("again", 3, "wave", edit_payload("same", "same")), NOW)
    await store.outbox.enqueue(outbox_item("orphan", 3, "wave", edit_payload("nope", "x")), NOW)
    await drain_all(make_sender(bot, store, clock), store, clock)
    assert [c.status for c in tg.calls("editMessageText")] == [400]
    assert (await stored(store, "again")).status == "sent"
    orphan = await stored(store, "orphan")
    assert (orphan.status, orphan.error) == ("failed", "'nope' was not delivered")


async def test_the_same_key_is_sent_once(
    store: Store, tg: FakeTelegram, bot: Bot, clock: Clock
) -> None:
    """An alert written twice under one key is one message."""
    assert await enqueue(store, clock, "BTC 2%", 1) is True
    assert await enqueue(store, clock, "BTC 2%", 1) is False
    await drain_all(make_sender(bot, store, clock), store, clock)
    assert texts(tg) == ["BTC 2%"]


async def test_429_storm_is_delivered_late_complete_and_in_order(
    store: Store, tg: FakeTelegram, bot: Bot, clock: Clock
) -> None:
    """Five 429s in a row hold the sender for retry_after each time; then every alert goes once, in order."""
    for n in range(4):
        await enqueue(store, clock, f"a{n}", 1)
        await enqueue(store, clock, f"b{n}", 2)
    tg.fail_next("sendMessage", 429, retry_after=1, times=5)
    sender = make_sender(bot, store, clock)
    first = await sender.drain_once()
    assert first.sent == 0
    assert first.throttled == 2
    held = await sender.drain_once()  # no time has passed: nothing is sent or even claimed
    assert (held.claimed, held.sent) == (0, 0)
    results = await drain_all(sender, store, clock, step_s=1.0)
    assert sum(r.throttled for r in [first, *results]) == 5
    assert len(tg.calls("sendMessage")) == 8 + 5
    assert texts(tg, chat_id=1) == ["a0", "a1", "a2", "a3"]
    assert texts(tg, chat_id=2) == ["b0", "b1", "b2", "b3"]
    assert await store.outbox.count("sent") == 8


async def test_rows_written_during_a_429_hold_go_after_the_held_ones(
    store: Store, tg: FakeTelegram, bot: Bot, clock: Clock
) -> None:
    """Alerts written while Telegram holds the bot (429, retry_after 3) leave after the ones it held."""
    for chat_id in range(1, 6):
        await enqueue(store, clock, f"{chat_id}: within 5%", chat_id)
    tg.fail_next("sendMessage", 429, retry_after=3, times=6)
    sender = make_sender(bot, store, clock)
    await sender.drain_once()
    clock.advance(1)
    for chat_id in range(1, 6):
        await enqueue(store, clock, f"{chat_id}: within 2%", chat_id)
    await drain_all(sender, store, clock, step_s=1.0)
    for chat_id in range(1, 6):
        assert texts(tg, chat_id=chat_id) == [f"{chat_id}: within 5%", f"{chat_id}: within 2%"]


async def test_403_pauses_the_chat_and_its_watches(
    store: Store, tg: FakeTelegram, bot: Bot, clock: Clock
) -> None:
    """A chat that blocked the bot is paused with its watches; its later alerts are not sent."""
    await store.chats.upsert(Chat(id=7, type="private"), NOW)
    await store.watches.add(Watch(7, "binance", "BTCUSDT", "long", 10, 60_000, 0.1), NOW)
    for key in ("x1", "x2"):
        await enqueue(store, clock, key, 7)
    await enqueue(store, clock, "other", 8)
    tg.fail_next("sendMessage", 403, chat_id=7)
    sender = make_sender(bot, store, clock)
    await drain_all(sender, store, clock)
    await enqueue(store, clock, "x3", 7)
    await drain_all(sender, store, clock)
    assert texts(tg) == ["other"]
    assert len(tg.calls("sendMessage")) == 2  # x2 and x3 were never tried
    assert [(await stored(store, k)).error for k in ("x2", "x3")] == ["chat paused"] * 2
    assert (await stored(store, "x1")).error == "Forbidden: bot was blocked by the user"
    chat = await store.chats.get(7)
    assert chat is not None
    assert chat.paused
    assert all(w.paused for w in await store.watches.list_for_chat(7))


async def test_resume_chat_unpauses_chat_and_watches(
    store: Store, tg: FakeTelegram, bot: Bot, clock: Clock
) -> None:
    """After /start resumes a blocked chat, its watches run and new alerts reach it."""
    await store.chats.upsert(Chat(id=7, type="private", paused=True), NOW)
    await store.watches.add(
        Watch(7, "binance", "BTCUSDT", "long", 10, 60_000, 0.1, paused=True), NOW
    )
    assert await resume_chat(store, 7, NOW) is True
    assert await resume_chat(store, 7, NOW) is False  # /start in a chat that is not paused
    await enqueue(store, clock, "back", 7)
    await drain_all(make_sender(bot, store, clock), store, clock)
    assert texts(tg) == ["back"]
    assert [w.paused for w in await store.watches.list_for_chat(7)] == [False]


async def test_bad_request_fails_with_telegrams_description(
    store: Store, tg: FakeTelegram, bot: Bot, clock: Clock
) -> None:
    """A 400 is final: the row fails with Telegram's words and the next alert still goes."""
    tg.fail_next("sendMessage", 400, description="Bad Request: can't parse entities")
    await enqueue(store, clock, "<b>broken", 1)
    await enqueue(store, clock, "fine", 1)
    await drain_all(make_sender(bot, store, clock), store, clock)
    broken = await stored(store, "<b>broken")
    assert (broken.status, broken.error) == ("failed", "Can't parse entities")  # PTB's wording
    assert texts(tg) == ["fine"]


async def test_network_errors_back_off_then_deliver_once(
    store: Store, tg: FakeTelegram, bot: Bot, clock: Clock
) -> None:
    """Bad gateways are retried after growing, jittered waits, and the alert is sent once, in order."""
    tg.fail_next("sendMessage", 502, times=2, description="Bad Gateway")
    await enqueue(store, clock, "first", 1)
    await enqueue(store, clock, "second", 1)
    sender = make_sender(bot, store, clock, retry=RetryPolicy(base_s=2.0))
    await sender.drain_once()
    row = await stored(store, "first")
    assert row.not_before is not None
    assert timedelta(seconds=1) <= row.not_before - NOW <= timedelta(seconds=2)
    assert (await stored(store, "second")).not_before == row.not_before  # the chat waits with it
    await drain_all(sender, store, clock, step_s=0.5)
    assert texts(tg) == ["first", "second"]
    assert (await stored(store, "first")).attempts == 3


async def test_network_errors_give_up_after_max_attempts(
    store: Store, tg: FakeTelegram, bot: Bot, clock: Clock
) -> None:
    """A message that keeps failing on the network is failed after the attempt cap."""
    tg.fail_next("sendMessage", 500, times=10)
    await enqueue(store, clock, "doomed", 1)
    await drain_all(
        make_sender(bot, store, clock, retry=RetryPolicy(max_attempts=3)), store, clock, 10.0
    )
    doomed = await stored(store, "doomed")
    assert doomed.status == "failed"
    assert doomed.error is not None
    assert doomed.error.startswith("gave up after 3 attempts")
    assert len(tg.calls("sendMessage")) == 3


async def test_crash_between_writing_and_sending_sends_each_once(
    database_url: str, store: Store, tg: FakeTelegram, bot: Bot, clock: Clock
) -> None:
    """A sender that dies mid-batch leaves claims that, after the lease, a restarted sender sends once."""
    for n in range(10):
        await enqueue(store, clock, f"alert {n}", n + 1)

    async def freeze(_: float) -> None:
        await asyncio.Event().wait()  # the process stops here, as if killed

    doomed_limiter = RateLimiter(overall_per_s=2, monotonic=lambda: 0.0, sleep=freeze)
    doomed = Sender(bot, store, clock.now, limiter=doomed_limiter, batch=5, lease_s=60)
    crashing = asyncio.create_task(doomed.drain_once())
    await tg.wait_for("sendMessage", 2)
    async with asyncio.timeout(5):
        while await store.outbox.count("sent") < 2:  # noqa: ASYNC110 - a database write, no event
            await asyncio.sleep(0.01)
    crashing.cancel()
    with pytest.raises(asyncio.CancelledError):
        await crashing
    assert await store.outbox.count("sending") == 3

    restarted_store = await Store.open(database_url)
    try:
        async with Bot(tg.token, base_url=tg.base_url) as restarted_bot:
            sender = make_sender(restarted_bot, restarted_store, clock)
            await sender.drain_once()
            assert len(tg.calls("sendMessage")) == 2 + 5  # the leased three wait for the lease
            await drain_all(sender, restarted_store, clock, step_s=61)
    finally:
        await restarted_store.close()
    assert Counter(texts(tg)) == {f"alert {n}": 1 for n in range(10)}


async def test_two_senders_never_send_the_same_row(
    database_url: str, store: Store, tg: FakeTelegram, bot: Bot, clock: Clock
) -> None:
    """Two senders on their own connections drain one outbox together; every row goes exactly once.

    On PostgreSQL the claims take FOR UPDATE SKIP LOCKED; on SQLite the one-statement claim is atomic.
    """
    for n in range(200):
        await enqueue(store, clock, f"alert {n}", n % 40 + 1)
    other_store = await Store.open(database_url)
    sent_by: Counter[str] = Counter()

    async def drain(name: str, sender: Sender) -> None:
        while (result := await sender.drain_once()).claimed:
            sent_by[name] += result.sent

    try:
        async with Bot(tg.token, base_url=tg.base_url) as other_bot:
            one = make_sender(bot, store, clock, batch=10)
            two = make_sender(other_bot, other_store, Clock(NOW), batch=10)
            await asyncio.gather(drain("one", one), drain("two", two))
    finally:
        await other_store.close()
    assert Counter(texts(tg)) == {f"alert {n}": 1 for n in range(200)}
    assert len(tg.calls("sendMessage")) == 200
    assert await store.outbox.count("sent") == 200
    assert sent_by["one"] > 0
    assert sent_by["two"] > 0


async def test_run_drains_until_stopped(store: Store, tg: FakeTelegram, bot: Bot) -> None:
    """The long-running loop sends what is written while it runs and returns when stopped."""
    clock = Clock(NOW)
    clock.wall = datetime.now(UTC)
    sender = make_sender(bot, store, clock, idle_s=0.05)
    stop = asyncio.Event()
    running = asyncio.create_task(sender.run(stop))
    for n in range(3):
        await enqueue(store, clock, f"live {n}", 1)
    sender.wake()
    await tg.wait_for("sendMessage", 3)
    stop.set()
    async with asyncio.timeout(2):
        await running
    assert texts(tg) == ["live 0", "live 1", "live 2"]


async def test_a_group_over_its_minute_budget_waits_its_turn(
    store: Store, tg: FakeTelegram, bot: Bot, clock: Clock
) -> None:
    """A group gets `group_per_min` messages at once; the rest are given back for the next minute."""
    for n in range(5):
        await enqueue(store, clock, f"g{n}", -100)
    sender = make_sender(bot, store, clock, group_per_min=3)
    first = await sender.drain_once()
    assert (first.sent, first.deferred) == (3, 2)
    not_before = (await stored(store, "g3")).not_before
    assert not_before is not None
    assert (not_before - NOW).total_seconds() == pytest.approx(60.0, abs=0.001)
    clock.advance(59)
    assert (await sender.drain_once()).sent == 0
    clock.advance(1.1)
    assert (await sender.drain_once()).sent == 2
    assert texts(tg) == [f"g{n}" for n in range(5)]


async def test_pacing_holds_against_a_fake_that_enforces_the_limits(store: Store) -> None:
    """In real time, a backlog to many chats goes out at the overall limit and Telegram never says 429."""
    async with (
        LimitedTelegram(overall_per_s=10) as limited,
        Bot(limited.token, base_url=limited.base_url) as real_bot,
    ):
        for n in range(25):
            await store.outbox.enqueue(outbox_item(f"k{n}", n + 1, "p", send_payload(f"m{n}")), NOW)
        sender = Sender(real_bot, store, lambda: NOW, overall_per_s=10)
        result = await sender.drain_once()
        arrivals = [c.received_at.timestamp() for c in limited.calls("sendMessage")]
    assert (result.sent, limited.refused) == (25, 0)
    assert most_in_any_window(arrivals, 1.0) <= 10
    assert max(arrivals) - min(arrivals) >= 2.0  # 25 at 10 a second


async def test_silent_alerts_go_without_sound(
    store: Store, tg: FakeTelegram, bot: Bot, clock: Clock
) -> None:
    """A silent payload is sent with notifications disabled; a normal one is not."""
    await enqueue(store, clock, "quiet", 1, silent=True)
    await enqueue(store, clock, "loud", 2)
    await drain_all(make_sender(bot, store, clock), store, clock)
    flags = {c.text: c.params.get("disable_notification") for c in tg.calls("sendMessage")}
    assert flags["quiet"] is True
    assert not flags["loud"]
