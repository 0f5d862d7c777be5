"""The words of /summary and /schedule: documented forms read, malformed ones get a usage line."""

from __future__ import annotations

import pytest

from bot.commands.summaries import (
    ScheduleRequest,
    SummaryRequest,
    Usage,
    parse_schedule_args,
    parse_summary_args,
)

COINS = ["BTC", "ETH", "SOL"]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ([], SummaryRequest()),
        (["chart"], SummaryRequest(chart=True)),
        (["btc", "chart"], SummaryRequest("BTC", chart=True)),
        (["CHART", "ETHUSDT"], SummaryRequest("ETH", chart=True)),
    ],
)
def test_summary_words(words: list[str], expected: SummaryRequest) -> None:
    """A coin and `chart`, in any order and case."""
    assert parse_summary_args(words, COINS) == expected


@pytest.mark.parametrize("words", [["DOGE"], ["BTC", "ETH"], ["chart", "chart"], ["<b>"]])
def test_summary_malformed_words_get_usage(words: list[str]) -> None:
    """An untracked coin, two coins or a stray word: one line naming it, then the usage (escaped)."""
    usage = parse_summary_args(words, COINS)
    assert isinstance(usage, Usage)
    assert usage.text.startswith("I did not understand")
    assert "Examples: /summary" in usage.text
    assert "<b>" not in usage.text


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ([], ScheduleRequest("show")),
        (["off"], ScheduleRequest("off")),
        (["daily", "8"], ScheduleRequest("set", None, "daily", "08:00")),
        (["daily"], ScheduleRequest("set", None, "daily", "08:00")),
        (["Daily", "chart", "21:30"], ScheduleRequest("set", None, "daily", "21:30", chart=True)),
        (["hourly"], ScheduleRequest("set", None, "hourly")),
        (["4h", "chart"], ScheduleRequest("set", None, "4h", chart=True)),
        (["@liq_desk", "daily", "07:00"], ScheduleRequest("set", "@liq_desk", "daily", "07:00")),
        (["-100123456", "off"], ScheduleRequest("off", -100123456)),
        (["@liq_desk"], ScheduleRequest("show", "@liq_desk")),
    ],
)
def test_schedule_words(words: list[str], expected: ScheduleRequest) -> None:
    """Cadence, time, chart and a channel by @name or id."""
    assert parse_schedule_args(words) == expected


@pytest.mark.parametrize(
    ("words", "reason"),
    [
        (["weekly"], "'weekly' is not a cadence"),
        (["daily", "25:00"], "Give one time as HH:MM"),
        (["daily", "08:00", "09:00"], "Give one time as HH:MM"),
        (["4h", "08:00"], "4h posts go out on the hour"),
        (["off", "now"], "'off' takes nothing after it"),
    ],
)
def test_schedule_malformed_words_get_usage(words: list[str], reason: str) -> None:
    """Each mistake is named, followed by the usage with examples."""
    usage = parse_schedule_args(words)
    assert isinstance(usage, Usage)
    assert usage.text.startswith(reason)
    assert "Examples: /schedule daily 08:00" in usage.text


@pytest.mark.parametrize("word", ["BTC-USDT", "btcusdt", "BTC-USDT-SWAP", "BTC/USDT", "BTC-PERP"])
def test_summary_reads_coins_as_risk_does(word: str) -> None:
    """`/summary BTC-USDT` reads the coin with the same reader as `/risk BTC-USDT`."""
    assert parse_summary_args([word], COINS) == SummaryRequest("BTC")
