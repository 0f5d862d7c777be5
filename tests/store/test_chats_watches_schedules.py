"""Chats, watches and schedules on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.store import Store
from bot.vocabulary.records import Chat, Schedule, Watch

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def _watch(chat_id: int = 1, symbol: str = "BTC") -> Watch:
    return Watch(
        chat_id=chat_id,
        venue="binance",
        symbol=symbol,
        side="long",
        leverage=10,
        entry_price=91_000,
        quantity=0.5,
    )


async def test_chat_upsert_keeps_settings_and_refreshes_title(store: Store) -> None:
    """A second upsert refreshes the title but keeps the stored timezone and settings."""
    await store.chats.upsert(Chat(id=-100, type="supergroup", title="Desk"), NOW)
    await store.chats.set_timezone(-100, "Europe/Berlin", NOW)
    await store.chats.update_settings(-100, {"wave": "on", "ladder": [10, 5, 2]}, NOW)
    again = await store.chats.upsert(Chat(id=-100, type="supergroup", title="Desk 2"), NOW)
    assert again.title == "Desk 2"
    assert again.timezone == "Europe/Berlin"
    assert again.settings == {"wave": "on", "ladder": [10, 5, 2]}


async def test_chat_get_pause_and_delete(store: Store) -> None:
    """A chat can be read, paused and deleted; deleting takes its watches with it."""
    assert await store.chats.get(7) is None
    await store.chats.upsert(Chat(id=7, type="private"), NOW)
    await store.watches.add(_watch(chat_id=7), NOW)
    await store.chats.set_paused(7, True, NOW)
    chat = await store.chats.get(7)
    assert chat is not None
    assert chat.paused is True
    assert await store.chats.delete(7) is True
    assert await store.chats.delete(7) is False
    assert await store.watches.list_for_chat(7) == []


async def test_watch_add_list_remove(store: Store) -> None:
    """Watches come back with ids, in order, and a chat can remove only its own."""
    await store.chats.upsert(Chat(id=1, type="private"), NOW)
    await store.chats.upsert(Chat(id=2, type="private"), NOW)
    first = await store.watches.add(_watch(1, "BTC"), NOW)
    second = await store.watches.add(_watch(1, "ETH"), NOW)
    other = await store.watches.add(_watch(2, "SOL"), NOW)
    listed = await store.watches.list_for_chat(1)
    assert [w.symbol for w in listed] == ["BTC", "ETH"]
    assert listed[0] == first
    assert listed[0].created_at == NOW
    assert first.id is not None
    assert other.id is not None
    assert await store.watches.remove(1, other.id) is False
    assert await store.watches.remove(1, first.id) is True
    assert [w.id for w in await store.watches.list_for_chat(1)] == [second.id]


async def test_watch_pause_resume_and_active(store: Store) -> None:
    """Paused watches drop out of `active` and come back when resumed."""
    await store.chats.upsert(Chat(id=1, type="private"), NOW)
    await store.chats.upsert(Chat(id=2, type="private"), NOW)
    await store.watches.add(_watch(1), NOW)
    await store.watches.add(_watch(2), NOW)
    assert await store.watches.set_paused_for_chat(1, True) == 1
    assert [w.chat_id for w in await store.watches.active()] == [2]
    await store.watches.set_paused_for_chat(1, False)
    assert sorted(w.chat_id for w in await store.watches.active()) == [1, 2]


async def test_watch_alert_state_and_remove_all(store: Store) -> None:
    """Alert state is saved per watch, and `remove_all` empties a chat."""
    await store.chats.upsert(Chat(id=1, type="private"), NOW)
    watch = await store.watches.add(_watch(1), NOW)
    await store.watches.add(_watch(1, "ETH"), NOW)
    assert watch.id is not None
    await store.watches.save_alert_state(watch.id, {"level": 2, "crossed": False})
    stored = await store.watches.list_for_chat(1)
    assert stored[0].alert_state == {"level": 2, "crossed": False}
    assert await store.watches.remove_all(1) == 2
    assert await store.watches.list_for_chat(1) == []


async def test_schedule_upsert_due_mark_run_remove(store: Store) -> None:
    """One schedule per chat and kind; `due` finds it until `mark_run` moves it on."""
    await store.chats.upsert(Chat(id=-5, type="group"), NOW)
    made = await store.schedules.upsert(
        Schedule(chat_id=-5, kind="summary", cadence="hourly", next_run_at=NOW, created_by=42)
    )
    replaced = await store.schedules.upsert(
        Schedule(chat_id=-5, kind="summary", cadence="daily", at_time="08:00", next_run_at=NOW)
    )
    assert replaced.id == made.id
    assert replaced.cadence == "daily"
    assert [s.id for s in await store.schedules.due(NOW)] == [made.id]
    assert await store.schedules.due(NOW - timedelta(seconds=1)) == []
    assert made.id is not None
    await store.schedules.mark_run(made.id, NOW, NOW + timedelta(days=1))
    assert await store.schedules.due(NOW) == []
    listed = await store.schedules.list_for_chat(-5)
    assert listed[0].last_run_at == NOW
    assert listed[0].next_run_at == NOW + timedelta(days=1)
    assert await store.schedules.remove(-5, "summary") is True
    assert await store.schedules.list_for_chat(-5) == []
