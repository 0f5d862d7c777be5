"""The words of /map: a coin and, in any order, `heatmap`."""

from __future__ import annotations

import pytest

from bot.commands.coins import CoinError
from bot.commands.map_args import MapRequest, parse_map_args

TRACKED = ["BTC", "ETH"]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["BTC"], MapRequest("BTC")),
        (["btc", "HEATMAP"], MapRequest("BTC", heatmap=True)),
        (["heat", "ethusdt"], MapRequest("ETH", heatmap=True)),
    ],
)
def test_a_coin_and_the_heatmap_word_in_any_order(words, expected):
    assert parse_map_args(words, TRACKED) == expected


@pytest.mark.parametrize(
    ("words", "text"),
    [
        ([], "Name a coin."),
        (["heatmap"], "Name a coin."),
        (["BTC", "heatmap", "please"], "'please' is not something /map takes."),
        (["ETH", "on", "bybit"], "/map covers every venue at once; leave out 'bybit'."),
        (["BTC", "ETH"], "Give one coin at a time (you named BTC and ETH)."),
    ],
)
def test_wrong_words_are_named_with_the_maps_example(words, text):
    """Each refusal names what was wrong and shows both forms of the command."""
    assert parse_map_args(words, TRACKED) == CoinError(
        f"{text} Example: /map BTC or /map BTC heatmap"
    )
