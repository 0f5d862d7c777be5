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
        ("long", "missing coin (BTC, ETH…) and leverage (10x)"),
        ("BTX 10x long", "'BTX' is not a coin I track; did you mean BTC"),
        ("PEPE 10x long", "'PEPE' is not a coin I track; tracked: BTC"),
        ("BTC 10x long @ abc", "'@ abc' is not a number"),
        ("BTC 10x long 91000", "'91000' is not a leverage; for an entry price write @ 91000"),
        ("BTC 10x long on kraken", "'kraken' after 'on' is not a venue"),
        ("BTC 10x long 20x", "two leverages given"),
        ("BTC 10x long short", "two sides given"),
        ("BTC 0x long", "leverage must be more than 0"),
        ("BTC 10x long size", "'size' needs a number"),
        ("BTC 10x long size 1 $5000", "give one size"),
        ("BTC 10x long ???", "I did not understand '???'"),
        ("BTC 10x long @ -5", "the entry price must be more than 0 ('@ -5')"),
        ("BTC 10x long size -1", "the size must be more than 0 ('size -1')"),
        ("BTC 10x long size 0", "the size must be more than 0"),
        ("ETH 10x short $0", "the notional size must be more than 0"),
        ("BTC 10x long margin 0", "the margin must be more than 0"),
    ],
)
def test_unreadable_words_get_one_line_and_an_example(text: str, fragment: str) -> None:
    """A word that cannot be read is named in one line, with a correct example."""
    result = parse(text)
    assert isinstance(result, ArgsError)
    assert fragment in result.message
    assert "\n" not in result.message
    usage = result.text("risk")
    assert usage.endswith(f"Example: /risk {result.example}")
    assert isinstance(parse(result.example), PositionArgs)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("BTC 10x long lol", "I did not understand 'lol'"),
        ("BTC 10x long 20", "'20' after the leverage 10x: for a size in coins write size 20"),
        ("BTC 10x long on binance on bybit", "two venues given: 'binance' and 'bybit'"),
        ("BTC 10x long binance bybit", "two venues given: 'binance' and 'bybit'"),
        ("BTC 10x long 20x", "two leverages given: '10x' and '20x'"),
        ("10x BTC", "missing side (long or short)"),
        ("A" * 5000, "I did not understand '" + "A" * 39 + "…'"),
        ("BTC 10x long <b>", "I did not understand '&lt;b&gt;'"),
    ],
)
def test_messages_point_at_the_word_that_is_wrong(text: str, message: str) -> None:
    """The message names the word that is wrong, quoted short and escaped, not a word that is fine."""
    result = parse(text)
    assert isinstance(result, ArgsError)
    assert result.message.startswith(message)
    assert len(result.message) < 200


def test_missing_side_example_keeps_what_was_read() -> None:
    """`/risk 10x ETH` is told the side is missing, with an example for ETH at 10x."""
    result = parse("10x ETH")
    assert isinstance(result, ArgsError)
    assert result.example == "ETH 10x long @ 91000 size 0.5 on binance"


def test_a_number_before_the_coin_is_a_size_in_coins() -> None:
    """`0.5 BTC` after the leverage is half a bitcoin, not a second leverage."""
    assert parse("BTC 10x long 0.5 BTC") == PositionArgs("BTC", "long", 10, quantity=0.5)
    assert parse("long 0.5 btc-usdt 10x") == PositionArgs("BTC", "long", 10, quantity=0.5)


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
