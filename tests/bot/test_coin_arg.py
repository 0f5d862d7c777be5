"""The coin argument of /liqs, /funding and /map."""

from __future__ import annotations

import pytest

from bot.commands.coins import CoinError, read_coin, require_coin

TRACKED = ["BTC", "ETH", "SOL", "XRP", "DOGE", "BNB"]


@pytest.mark.parametrize("word", ["BTC", "btc", "BTCUSDT", "BTC-USDT-SWAP", "btc/usdt", "BTC-PERP"])
def test_coin_spellings_read_as_the_coin(word):
    """Every usual spelling of a pair reads as its coin."""
    assert read_coin([word], TRACKED, command="liqs") == "BTC"


def test_no_argument_is_none_unless_required():
    """/liqs and /funding take no coin; /map needs one."""
    assert read_coin([], TRACKED, command="liqs") is None
    assert require_coin([], TRACKED, command="map") == CoinError("Name a coin. Example: /map BTC")


def test_unknown_coin_names_it_with_the_closest_and_an_example():
    """One line: the word, the closest tracked coins, a working example."""
    assert read_coin(["BTX"], TRACKED, command="funding") == CoinError(
        "'BTX' is not a coin I track (closest: BTC). Example: /funding BTC"
    )


def test_unknown_coin_far_from_all_lists_the_tracked_and_is_escaped():
    """Nothing close: the tracked coins are listed; the word is HTML-escaped."""
    error = read_coin(["<zzzz>"], TRACKED, command="map")
    assert isinstance(error, CoinError)
    assert error.text == (
        "'&lt;zzzz&gt;' is not a coin I track (tracked: BTC, ETH, SOL, XRP, DOGE, BNB). "
        "Example: /map BTC"
    )


def test_two_coins_are_refused_by_name():
    """One coin per command; the answer names the coins it was given."""
    assert read_coin(["BTC", "eth"], TRACKED, command="liqs") == CoinError(
        "Give one coin at a time (you named BTC and ETH). Example: /liqs BTC"
    )


def test_the_same_coin_twice_is_that_coin():
    """`/liqs BTC btcusdt` names one coin."""
    assert read_coin(["BTC", "btcusdt"], TRACKED, command="liqs") == "BTC"


def test_a_word_after_the_coin_is_named():
    """An extra word is quoted back, not mistaken for a second coin."""
    assert read_coin(["BTC", "please"], TRACKED, command="funding") == CoinError(
        "'please' is not something /funding takes. Example: /funding BTC"
    )


@pytest.mark.parametrize("words", [["ETH", "on", "bybit"], ["ETH", "OKX"]])
def test_a_venue_is_answered_as_every_venue_being_covered(words):
    """`/liqs ETH on bybit`: the command already covers every venue, so the venue is left out."""
    assert read_coin(words, TRACKED, command="liqs") == CoinError(
        f"/liqs covers every venue at once; leave out '{words[-1]}'. Example: /liqs BTC"
    )


def test_a_time_window_to_liqs_is_answered_as_all_windows_shown():
    """`/liqs 7d`: the answer already holds 1h to 7d."""
    assert read_coin(["7d"], TRACKED, command="liqs") == CoinError(
        "/liqs shows every window from 1h to 7d at once; leave out '7d'. Example: /liqs BTC"
    )
    assert read_coin(["BTC", "24h"], TRACKED, command="liqs") == CoinError(
        "/liqs shows every window from 1h to 7d at once; leave out '24h'. Example: /liqs BTC"
    )
