"""The words of /alerts: `ladder 10 5 2`, `quiet 23:00 07:00`, `tz Europe/Berlin`, `cap 20`,
`wave 50M 3`, `funding 0.05`, `topic` / `topic off`, read into new settings or a usage line."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from difflib import get_close_matches
from functools import cache
from zoneinfo import available_timezones

from bot.render.limits import quote_input
from bot.render.settings_text import SETTINGS_USAGE
from bot.vocabulary.alert_settings import AlertSettings, parse_clock

__all__ = ["Change", "apply_words"]

_AMOUNT = re.compile(r"^\$?(\d+(?:\.\d+)?)([kmb]?)\$?$")


def _amount(text: str) -> float | None:
    match = _AMOUNT.fullmatch(text.lower())
    if match is None:
        return None
    return float(match.group(1)) * {"": 1, "k": 1e3, "m": 1e6, "b": 1e9}[match.group(2)]


Change = tuple[AlertSettings, str] | str
"""New (settings, timezone), or a usage line saying what was wrong."""


def _ladder(settings: AlertSettings, timezone: str, rest: list[str]) -> Change:
    steps = [_amount(w.rstrip("%")) for w in rest]
    if not steps or any(s is None or not 0 < s < 100 for s in steps):
        return "The ladder takes percents between 0 and 100.\nExample: /alerts ladder 10 5 2"
    ladder = tuple(sorted({float(s or 0) for s in steps}, reverse=True))
    return replace(settings, ladder_pct=ladder), timezone


_QUIET_EXAMPLE = "Example: /alerts quiet 23:00 07:00"


def _quiet(settings: AlertSettings, timezone: str, rest: list[str]) -> Change:
    if rest[:1] == ["off"]:
        return replace(settings, quiet_start=None, quiet_end=None), timezone
    words = [part for word in rest for part in re.split(r"[-–—]", word) if part]
    if len(words) != 2:
        return f"Quiet hours take a start and an end.\n{_QUIET_EXAMPLE}"
    start, end = (parse_clock(w) for w in words)
    if start is None or end is None:
        wrong = words[0] if start is None else words[1]
        return (
            f"'{quote_input(wrong, html=False)}' is not a time of day (00:00 to 23:59).\n"
            f"{_QUIET_EXAMPLE}"
        )
    if start == end:
        return f"Quiet hours need a start and an end that differ.\n{_QUIET_EXAMPLE}"
    return replace(settings, quiet_start=f"{start:%H:%M}", quiet_end=f"{end:%H:%M}"), timezone


_TZ_EXAMPLE = "Example: /alerts tz Europe/Berlin"


@cache
def _zones_by_folded_name() -> dict[str, str]:
    return {zone.casefold(): zone for zone in available_timezones()}


def _timezone(settings: AlertSettings, _timezone_now: str, rest: list[str]) -> Change:
    """An IANA timezone, in any case (`europe/berlin`); an unknown one is named with the closest."""
    if len(rest) != 1:
        return f"Give an IANA timezone.\n{_TZ_EXAMPLE}"
    zones = _zones_by_folded_name()
    zone = zones.get(rest[0].casefold())
    if zone is None:
        close = [zones[z] for z in get_close_matches(rest[0].casefold(), zones, n=3, cutoff=0.8)]
        hint = f" (closest: {', '.join(close)})" if close else ""
        said = quote_input(rest[0], html=False)
        return f"'{said}' is not a timezone I know{hint}.\n{_TZ_EXAMPLE}"
    return settings, zone


def _cap(settings: AlertSettings, timezone: str, rest: list[str]) -> Change:
    if len(rest) != 1 or not rest[0].isdigit() or not 1 <= int(rest[0]) <= 200:
        return "The cap is a number of alerts an hour, 1 to 200.\nExample: /alerts cap 20"
    return replace(settings, max_per_hour=int(rest[0])), timezone


def _wave(settings: AlertSettings, timezone: str, rest: list[str]) -> Change:
    size = _amount(rest[0]) if rest else None
    multiple = _amount(rest[1]) if len(rest) > 1 else settings.wave_rate_multiple
    if not size or not multiple:
        return "A wave is a size in $ (and a multiple of the usual hourly rate).\nExample: /alerts wave 50M 3"
    return replace(settings, wave_min_usd=size, wave_rate_multiple=multiple), timezone


def _funding(settings: AlertSettings, timezone: str, rest: list[str]) -> Change:
    level = _amount(rest[0].rstrip("%")) if rest else None
    if not level or level >= 5:
        return "The funding extreme is a percent per 8h, under 5.\nExample: /alerts funding 0.05"
    return replace(settings, funding_extreme_8h_pct=level), timezone


_CHANGES: dict[str, Callable[[AlertSettings, str, list[str]], Change]] = {
    "ladder": _ladder,
    "quiet": _quiet,
    "tz": _timezone,
    "timezone": _timezone,
    "cap": _cap,
    "wave": _wave,
    "funding": _funding,
}


def apply_words(
    settings: AlertSettings, timezone: str, words: Sequence[str], thread_id: int | None = None
) -> Change:
    """New (settings, timezone) from `/alerts` words, or a usage line saying what was wrong.

    `thread_id` is the forum topic the command was sent in, which `/alerts topic` chooses.
    """
    if not words:
        return settings, timezone
    if words[0].lower() == "topic":
        if words[1:2] == ["off"]:
            return replace(settings, topic_id=None), timezone
        if thread_id is None:
            return "Send /alerts topic inside the forum topic the alerts should go to."
        return replace(settings, topic_id=thread_id), timezone
    change = _CHANGES.get(words[0].lower())
    if change is None:
        return f"I did not understand '{quote_input(words[0], html=False)}'.\n{SETTINGS_USAGE}"
    return change(settings, timezone, list(words[1:]))
