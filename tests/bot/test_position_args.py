"""The /risk and /watch argument reader: table tests and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.commands.positions import ArgsError, parse_position_args, split_words
from bot.vocabulary.positions import PositionArgs

TRACKED = ["BTC", "ETH", "SOL", "XRP", "DOGE", "BNB"]


def parse(text: str) -> PositionArgs | ArgsError:
    return parse_position_args(split_words(text), TRACKED)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("BTC 10x long", PositionArgs("BTC", "long", 10)),
        ("long btc x10", PositionArgs("BTC", "long", 10)),
        ("10 s eth", PositionArgs("ETH", "short", 10)),
        ("BTCUSDT 25x short", PositionArgs("BTC", "short", 25)),
        ("BTC-USDT-SWAP 5x l", PositionArgs("BTC", "long", 5)),
        ("sol/usdt 3x long", PositionArgs("SOL", "long", 3)),
        ("BTC 10x long @ 91000", PositionArgs("BTC", "long", 10, entry_price=91_000)),
        ("BTC 10x long @91k", PositionArgs("BTC", "long", 10, entry_price=91_000)),
        ("BTC 10x long entry 91.5k", PositionArgs("BTC", "long", 10, entry_price=91_500)),
        ("BTC 10x long at 91,000", PositionArgs("BTC", "long", 10, entry_price=91_000)),
        ("BTC 10x long size 0.5", PositionArgs("BTC", "long", 10, quantity=0.5)),
        ("BTC 10x long size 0,5", PositionArgs("BTC", "long", 10, quantity=0.5)),
        ("BTC 10x long $5000", PositionArgs("BTC", "long", 10, notional_usd=5000)),
        ("BTC 10x long 5k$", PositionArgs("BTC", "long", 10, notional_usd=5000)),
        ("BTC 10x long size $5k", PositionArgs("BTC", "long", 10, notional_usd=5000)),
        ("BTC 10x long margin 500", PositionArgs("BTC", "long", 10, margin_usd=500)),
        ("BTC 10x long on bybit", PositionArgs("BTC", "long", 10, venue="bybit")),
        ("okx BTC 10x long", PositionArgs("BTC", "long", 10, venue="okx")),
        ("BTC 10x long hl", PositionArgs("BTC", "long", 10, venue="hyperliquid")),
        (
            "BTC 10x long cross wallet 20k",
            PositionArgs("BTC", "long", 10, margin_mode="cross", wallet_balance=20_000),
        ),
        (
            "on binance size 0.5 @ 91000 long 10x btc",
            PositionArgs("BTC", "long", 10, entry_price=91_000, quantity=0.5, venue="binance"),
        ),
        ("watch_BTC_10x_long", None),
    ],
)
def test_reads_every_documented_form(text: str, expected: PositionArgs | None) -> None:
    """Every documented form reads to the same request, whatever the order and case."""
    if expected is None:
        result = parse_position_args(split_words(text)[1:], TRACKED)
        assert result == PositionArgs("BTC", "long", 10)
    else:
        assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("BTC 10x", "missing side"),
        ("long", "missing symbol, leverage"),
        ("BTX 10x long", "'BTX' is not a coin I track; did you mean BTC"),
        ("PEPE 10x long", "'PEPE' is not a coin I track; tracked: BTC"),
        ("BTC 10x long @ abc", "'@ abc' is not a number"),
        ("BTC 10x long 91000", "'91000' is not a leverage; for an entry price write @ 91000"),
        ("BTC 10x long on kraken", "unknown venue after 'on'"),
        ("BTC 10x long 20x", "two leverages given"),
        ("BTC 10x long short", "two sides given"),
        ("BTC 0x long", "leverage must be more than 0"),
        ("BTC 10x long size", "'size' needs a number"),
        ("BTC 10x long size 1 $5000", "give one size"),
        ("BTC 10x long ???", "I did not understand '???'"),
    ],
)
def test_unreadable_words_get_one_line_and_an_example(text: str, fragment: str) -> None:
    """A word that cannot be read is named in one line, with a correct example."""
    result = parse(text)
    assert isinstance(result, ArgsError)
    assert fragment in result.message
    assert "\n" not in result.message
    usage = result.text("risk")
    assert usage.endswith("Example: /risk BTC 10x long @ 91000 size 0.5 on binance")
    assert isinstance(parse(result.example), PositionArgs)


WORDS = st.sampled_from(
    [
        "BTC",
        "eth",
        "10x",
        "x5",
        "long",
        "s",
        "@",
        "91000",
        "size",
        "0.5",
        "$5k",
        "on",
        "bybit",
        "cross",
        "wallet",
        "20k",
        "entry",
        "margin",
        "-1",
        "1e9",
        "💥",
        "",
        "k",
        "$",
        "@@",
        "x",
        "0",
    ]
)


@given(st.lists(WORDS | st.text(max_size=12), max_size=10))
def test_never_raises_and_always_answers(words: list[str]) -> None:
    """Any words give either a request or a usage line with a readable example; nothing raises."""
    result = parse_position_args(words, TRACKED)
    if isinstance(result, ArgsError):
        assert result.message
        assert isinstance(parse(result.example), PositionArgs)
    else:
        assert result.symbol in TRACKED
        assert result.leverage > 0
        assert result.side in ("long", "short")
