"""A chat's alert settings: what it hears, how loudly, and when not.

Stored as JSON in `chats.settings`; `AlertSettings.from_stored` is forgiving (unknown keys ignored,
bad values replaced by the default) so a settings change between versions never locks a chat out.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, time
from typing import Any, Literal

from bot.vocabulary.zones import zone

__all__ = [
    "ALERT_KINDS",
    "DEFAULT_LADDER_PCT",
    "KIND_LABELS",
    "AlertKind",
    "AlertSettings",
    "Mode",
    "parse_clock",
]

AlertKind = Literal["position", "cluster", "crossed", "wave", "funding"]
Mode = Literal["on", "silent", "off"]
ALERT_KINDS: tuple[AlertKind, ...] = ("position", "cluster", "crossed", "wave", "funding")
KIND_LABELS: dict[AlertKind, str] = {
    "position": "distance ladder, wallet changes",
    "cluster": "cluster in the way",
    "crossed": "liquidation crossed",
    "wave": "liquidation waves",
    "funding": "funding extremes and flips",
}
DEFAULT_LADDER_PCT = (10.0, 5.0, 2.0)
_MODES: tuple[Mode, ...] = ("on", "silent", "off")


def parse_clock(text: str) -> time | None:
    """`08:00` or `8` as a wall-clock time; None when it is not one."""
    match = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?", text.strip())
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _default_modes() -> dict[str, Mode]:
    # Market-wide alerts start off in private chats: a trader asks for them; watches alert by default.
    return {"position": "on", "cluster": "on", "crossed": "on", "wave": "off", "funding": "off"}


@dataclass(frozen=True, slots=True)
class AlertSettings:
    """Per-chat alert settings (see DESIGN.md section 3)."""

    modes: dict[str, Mode] = field(default_factory=_default_modes)
    ladder_pct: tuple[float, ...] = DEFAULT_LADDER_PCT
    quiet_start: str | None = None
    quiet_end: str | None = None
    max_per_hour: int = 20
    wave_cooldown_s: int = 1800
    funding_cooldown_s: int = 3600
    wave_min_usd: float = 50_000_000.0
    wave_rate_multiple: float = 3.0
    funding_extreme_8h_pct: float = 0.05
    topic_id: int | None = None
    """The forum topic a group's alerts go to (None: the group's main thread)."""

    def mode(self, kind: str) -> Mode:
        """on, silent (sent without sound) or off."""
        return self.modes.get(kind, "off")

    def with_mode(self, kind: AlertKind, mode: Mode) -> AlertSettings:
        """A copy with one alert kind switched."""
        return replace(self, modes={**self.modes, kind: mode})

    def next_mode(self, kind: AlertKind) -> AlertSettings:
        """A copy with one kind moved on: on → silent → off → on."""
        current = self.mode(kind)
        return self.with_mode(kind, _MODES[(_MODES.index(current) + 1) % len(_MODES)])

    def in_quiet_hours(self, moment: datetime, timezone: str) -> bool:
        """Whether `moment` falls in the chat's quiet hours (which may span midnight)."""
        if self.quiet_start is None or self.quiet_end is None:
            return False
        start, end = parse_clock(self.quiet_start), parse_clock(self.quiet_end)
        if start is None or end is None or start == end:
            return False
        now = moment.astimezone(zone(timezone)).time()
        return start <= now < end if start < end else now >= start or now < end

    def to_stored(self) -> dict[str, Any]:
        """The JSON kept in the database."""
        stored = asdict(self)
        stored["ladder_pct"] = list(self.ladder_pct)
        return stored

    @classmethod
    def from_stored(cls, stored: dict[str, Any] | None) -> AlertSettings:
        """Settings from the database, with defaults for anything missing or invalid."""
        base = cls()
        if not stored:
            return base
        values: dict[str, Any] = {}
        modes = stored.get("modes")
        if isinstance(modes, dict):
            values["modes"] = {
                **base.modes,
                **{k: v for k, v in modes.items() if k in ALERT_KINDS and v in _MODES},
            }
        ladder = stored.get("ladder_pct")
        if (
            isinstance(ladder, list)
            and ladder
            and all(isinstance(x, int | float) and 0 < x < 100 for x in ladder)
        ):
            values["ladder_pct"] = tuple(sorted((float(x) for x in ladder), reverse=True))
        for key in ("quiet_start", "quiet_end"):
            if stored.get(key) is None or parse_clock(str(stored[key])) is not None:
                values[key] = stored.get(key)
        topic = stored.get("topic_id")
        if topic is None or (isinstance(topic, int) and topic > 0):
            values["topic_id"] = topic
        for key in ("max_per_hour", "wave_cooldown_s", "funding_cooldown_s"):
            if isinstance(stored.get(key), int) and stored[key] >= 0:
                values[key] = stored[key]
        for key in ("wave_min_usd", "wave_rate_multiple", "funding_extreme_8h_pct"):
            if isinstance(stored.get(key), int | float) and stored[key] > 0:
                values[key] = float(stored[key])
        return replace(base, **values)
