"""Unknown commands and plain text: the closest command, and positions read from sentences."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.commands.positions import parse_position_args
from bot.commands.unknown import closest_command, position_words, unknown_command_reply
from bot.vocabulary.positions import PositionArgs

KNOWN = ["start", "help", "stop", "risk", "watch", "positions", "unwatch", "liqs", "map"]
KNOWN += ["funding", "alerts", "summary", "schedule"]
TRACKED = ["BTC", "ETH", "SOL"]


@pytest.mark.parametrize(
    ("name", "closest"),
    [
        ("risk_", "risk"),
        ("rsik", "risk"),
        ("price", "risk"),
        ("liq", "liqs"),
        ("fundings", "funding"),
        ("summry", "summary"),
        ("x", None),
        ("nosuchcommand", None),
    ],
)
def test_closest_command(name: str, closest: str | None) -> None:
    """A misspelled or familiar word maps to the command it most likely meant; noise maps to none."""
    assert closest_command(name, KNOWN) == closest


def test_reply_suggests_the_command_with_the_same_words() -> None:
    """`/risk_ SOL 25x` is answered with `/risk SOL 25x` and /help."""
    reply = unknown_command_reply("risk_", ["SOL", "25x"], KNOWN)
    assert reply == (
        "I don't know /risk_. Did you mean <code>/risk SOL 25x</code>? /help lists every command."
    )


def test_reply_to_noise_points_to_help_and_is_short() -> None:
    """An unknown command of 5,000 characters is quoted short, with /help."""
    reply = unknown_command_reply("a" * 5000, ["<b>"] * 3000, KNOWN)
    assert reply.endswith("Send /help for every command.")
    assert len(reply) < 200


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("BTC 10x long", PositionArgs("BTC", "long", 10)),
        ("eth 20x short @ 3200", PositionArgs("ETH", "short", 20, entry_price=3200)),
        ("what's my liq price for btc 10x long?", PositionArgs("BTC", "long", 10)),
        ("liq for SOL 5x short on bybit please", PositionArgs("SOL", "short", 5, venue="bybit")),
    ],
)
def test_sentences_that_read_like_a_position(text: str, expected: PositionArgs) -> None:
    """A sentence naming a coin and a leverage or side yields the words /risk reads."""
    words = position_words(text, TRACKED)
    assert words is not None
    assert parse_position_args(words, TRACKED) == expected


@pytest.mark.parametrize("text", ["hello", "what is this bot?", "btc", "10x", "I went long at 5"])
def test_other_text_is_not_a_position(text: str) -> None:
    """Text without a coin and a leverage or side is not read as a position."""
    assert position_words(text, TRACKED) is None


@given(st.text(max_size=80))
def test_position_words_never_raise(text: str) -> None:
    """Any text is either not a position or words the /risk parser answers without raising."""
    words = position_words(text, TRACKED)
    if words is not None:
        parse_position_args(words, TRACKED)
