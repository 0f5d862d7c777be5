"""Alerts of a group go to the forum topic its admins chose."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.alerts.book import Alert, AlertBook
from bot.store import Store
from bot.vocabulary.alert_settings import AlertSettings
from bot.vocabulary.records import Chat

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


async def test_alert_and_group_topic(store: Store) -> None:
    """An alert to a group with a chosen topic is written with that thread; others without one."""
    topic = AlertSettings(topic_id=9).with_mode("wave", "on").to_stored()
    await store.chats.upsert(Chat(id=-100, type="supergroup", settings=topic), NOW)
    await store.chats.upsert(Chat(id=5, type="private", settings=AlertSettings().to_stored()), NOW)
    book = AlertBook(store, lambda: NOW, lambda: None)
    await book.load()
    await book.deliver(
        [Alert("wave:-100:BTC:1", -100, "wave", "wave", "wave"),
         Alert("pos:1:0:0", 5, "position", "near", "near")],
        NOW,
    )  # fmt: skip
    group = await store.outbox.get("wave:-100:BTC:1")
    private = await store.outbox.get("pos:1:0:0")
    assert group is not None
    assert private is not None
    assert group.payload["message_thread_id"] == 9
    assert "message_thread_id" not in private.payload


def test_topic_survives_storage_and_bad_values_are_dropped() -> None:
    """The topic round-trips through the stored JSON; a nonsense value falls back to none."""
    assert AlertSettings.from_stored(AlertSettings(topic_id=9).to_stored()).topic_id == 9
    assert AlertSettings.from_stored({"topic_id": "nine"}).topic_id is None
