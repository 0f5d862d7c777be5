"""The chats the bot talks to: remembered, configured (/alerts), resumed (/start) and stopped (/stop).

Every change of a chat's state goes through here, so no front end can forget a part of it: changing
the timezone also refreshes the timezone cache; changing settings tells the alert engine at once;
stopping a chat removes its watches and schedules and switches its market alerts off.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.chats.members import Member
from bot.chats.schedules import ScheduleBook
from bot.chats.timezones import TimezoneBook
from bot.chats.watches import WatchBook
from bot.outbox.sender import resume_chat
from bot.store import Store
from bot.vocabulary.alert_settings import ALERT_KINDS, AlertSettings
from bot.vocabulary.clock import Clock
from bot.vocabulary.records import Chat

__all__ = ["ChatDirectory", "ChatSettings", "StopReport"]


@dataclass(frozen=True, slots=True)
class ChatSettings:
    """A chat's alert settings and timezone, as /alerts shows them."""

    chat_id: int
    settings: AlertSettings
    timezone: str


@dataclass(frozen=True, slots=True)
class StopReport:
    """What /stop removed."""

    watches: int
    schedules: int
    wallets: int = 0


class ChatDirectory:
    """Chats, their settings and their timezone; the /stop cascade."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        timezones: TimezoneBook,
        watches: WatchBook,
        schedules: ScheduleBook,
    ) -> None:
        self._store, self._clock, self.timezones = store, clock, timezones
        self._watches, self._schedules = watches, schedules

    async def remember(self, chat_id: int, chat_type: str, title: str | None) -> None:
        """Record the chat (type and title) so watches and settings can hang off it."""
        await self._store.chats.upsert(Chat(id=chat_id, type=chat_type, title=title), self._clock())

    async def timezone(self, chat_id: int) -> str:
        """The chat's timezone (cached); UTC for a chat the store does not know."""
        return await self.timezones.get(chat_id)

    async def settings(self, chat_id: int) -> ChatSettings:
        """The chat's alert settings and timezone; the defaults for a chat the store does not know."""
        chat = await self._store.chats.get(chat_id)
        if chat is None:
            return ChatSettings(chat_id, AlertSettings.from_stored(None), "UTC")
        return ChatSettings(chat_id, AlertSettings.from_stored(chat.settings), chat.timezone)

    async def change_settings(self, chat_id: int, settings: AlertSettings, timezone: str) -> None:
        """Store new settings (and timezone, when it changed)."""
        now = self._clock()
        await self._store.chats.update_settings(chat_id, settings.to_stored(), now)
        chat = await self._store.chats.get(chat_id)
        if chat is not None and chat.timezone != timezone:
            await self._store.chats.set_timezone(chat_id, timezone, now)
            self.timezones.forget(chat_id)
        self._alerts_changed()

    async def next_mode(self, chat_id: int, kind: str) -> ChatSettings | None:
        """Switch one alert kind on → silent → off; None for a chat or kind this bot does not know."""
        current = await self._store.chats.get(chat_id)
        if current is None or kind not in ALERT_KINDS:
            return None
        settings = AlertSettings.from_stored(current.settings).next_mode(kind)
        await self._store.chats.update_settings(chat_id, settings.to_stored(), self._clock())
        self._alerts_changed()
        return ChatSettings(chat_id, settings, current.timezone)

    async def adopt_channel(self, channel_id: int, title: str | None, timezone: str) -> None:
        """Record a channel scheduled from a private chat, in that chat's timezone."""
        now = self._clock()
        await self._store.chats.upsert(Chat(channel_id, "channel", title), now)
        await self._store.chats.set_timezone(channel_id, timezone, now)
        self.timezones.forget(channel_id)

    async def resume(self, chat_id: int) -> bool:
        """Unpause a chat that had blocked the bot, and its watches; True if it was paused."""
        resumed = await resume_chat(self._store, chat_id, self._clock())
        if resumed:
            self._alerts_changed()
        return resumed

    def _alerts_changed(self) -> None:
        """Tell the alert engine (in this process) to read watches and chat settings again now, so
        quiet hours, modes and the ladder apply to the very next alert; another process's engine
        reads them on its timer."""
        self._watches.changed.emit()

    async def stop(self, chat_id: int, member: Member) -> StopReport | None:
        """Remove every watch (typed and wallet-synced), wallet and schedule of the chat and switch its
        market alerts off.

        None, and nothing changed, when `member` may not: in a group that is for its admins.
        """
        if not member.admin:
            return None
        watches = await self._watches.remove_all(chat_id)
        wallets = await self._store.wallets.remove_all(chat_id)
        schedules = await self._schedules.remove_all(chat_id)
        chat = await self._store.chats.get(chat_id)
        if chat is not None:
            quiet = (
                AlertSettings.from_stored(chat.settings)
                .with_mode("wave", "off")
                .with_mode("funding", "off")
            )
            await self._store.chats.update_settings(chat_id, quiet.to_stored(), self._clock())
        return StopReport(watches, schedules, wallets)
