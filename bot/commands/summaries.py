"""The words of `/summary` and `/schedule`, read into requests: pure, and tested on their own.

    /summary [COIN] [chart]
    /schedule                                  the chat's schedule
    /schedule off                              stop it
    /schedule hourly | 4h | daily [HH:MM] [chart]
    /schedule @channel | -100123 …             the same for a channel, from a private chat

Anything else reads as `Usage`: one line saying what was wrong, then the usage with examples.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from bot.render.limits import quote_input
from bot.render.schedule_text import SCHEDULE_USAGE
from bot.summaries.timetable import CADENCES
from bot.vocabulary.alert_settings import parse_clock
from bot.vocabulary.symbols import read_symbol

__all__ = [
    "SUMMARY_USAGE",
    "ScheduleRequest",
    "SummaryRequest",
    "Usage",
    "parse_schedule_args",
    "parse_summary_args",
]

SUMMARY_USAGE = (
    "Usage: /summary [coin] [chart]\nExamples: /summary · /summary chart · /summary BTC chart"
)
DEFAULT_DAILY_AT = "08:00"
_CHANNEL_ID = re.compile(r"-\d{5,}")
_CHANNEL_NAME = re.compile(r"@[A-Za-z][A-Za-z0-9_]{3,31}")


@dataclass(frozen=True, slots=True)
class Usage:
    """Why the words were not understood, with the usage: plain text for the user."""

    text: str


@dataclass(frozen=True, slots=True)
class SummaryRequest:
    """`/summary`: of one coin or the whole market, with the map chart or not."""

    symbol: str | None = None
    chart: bool = False


@dataclass(frozen=True, slots=True)
class ScheduleRequest:
    """`/schedule`: show, switch off or set the schedule of this chat or of `channel`."""

    action: Literal["show", "off", "set"]
    channel: str | int | None = None
    cadence: str | None = None
    at_time: str | None = None
    chart: bool = False


def parse_summary_args(words: Sequence[str], symbols: Sequence[str]) -> SummaryRequest | Usage:
    """`[COIN] [chart]` in any order."""
    symbol, chart = None, False
    for word in words:
        coin = read_symbol(word, symbols)
        if word.lower() == "chart" and not chart:
            chart = True
        elif coin is not None and symbol is None:
            symbol = coin
        else:
            tracked = ", ".join(symbols)
            return Usage(
                f"I did not understand '{quote_input(word)}' (coins: {tracked}).\n{SUMMARY_USAGE}"
            )
    return SummaryRequest(symbol, chart)


def _channel(word: str) -> str | int | None:
    if _CHANNEL_ID.fullmatch(word):
        return int(word)
    return word if _CHANNEL_NAME.fullmatch(word) else None


def parse_schedule_args(words: Sequence[str]) -> ScheduleRequest | Usage:
    """The `/schedule` words (see the module docstring)."""
    rest = list(words)
    channel = _channel(rest[0]) if rest else None
    if channel is not None:
        rest = rest[1:]
    if not rest:
        return ScheduleRequest("show", channel)
    first, rest = rest[0].lower(), rest[1:]
    if first in ("off", "stop", "remove"):
        return (
            ScheduleRequest("off", channel)
            if not rest
            else Usage(f"'off' takes nothing after it.\n{SCHEDULE_USAGE}")
        )
    if first not in CADENCES:
        return Usage(
            f"'{quote_input(first)}' is not a cadence (hourly, 4h or daily).\n{SCHEDULE_USAGE}"
        )
    chart = "chart" in (w.lower() for w in rest)
    times = [w for w in rest if w.lower() != "chart"]
    if len(times) > 1 or (times and parse_clock(times[0]) is None):
        return Usage(f"Give one time as HH:MM, e.g. 08:00.\n{SCHEDULE_USAGE}")
    if times and first != "daily":
        return Usage(
            f"{first} posts go out on the hour; a time is for daily posts.\n{SCHEDULE_USAGE}"
        )
    at_time = None
    if first == "daily":
        clock = parse_clock(times[0]) if times else None
        at_time = f"{clock:%H:%M}" if clock else DEFAULT_DAILY_AT
    return ScheduleRequest("set", channel, first, at_time, chart)
