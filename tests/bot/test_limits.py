"""Telegram's limits, known in one place: echoes cut short, long listings split, callback data fitted."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.render.limits import (
    MAX_CALLBACK_BYTES,
    fit_callback_data,
    quote_input,
    split_text,
    visible_length,
)
from handlers.risk import decode_refresh, encode_refresh
from risk.liquidation import Position
from risk.venues import MarginMode, Side, Venue
from tests.bot.test_render_risk_card import _card


def test_echo_is_cut_to_forty_characters_and_escaped() -> None:
    """A 5,000-character argument is echoed as 39 characters and an ellipsis; tags are escaped."""
    assert quote_input("A" * 5000) == "A" * 39 + "…"
    assert quote_input("<b>&") == "&lt;b&gt;&amp;"
    assert quote_input("<b>", html=False) == "<b>"


@given(st.lists(st.text(alphabet="ab<>&é 🙂", max_size=300), min_size=1, max_size=60))
def test_split_parts_each_fit_and_keep_every_line(lines: list[str]) -> None:
    """Every part fits 500 characters, and the parts joined are the lines (a too-long line cut)."""
    html = "\n".join(quote_input(line, 10_000) for line in lines)
    parts = split_text(html, limit=500)
    assert all(visible_length(part) <= 500 for part in parts)
    if visible_length(html) <= 500:
        assert parts == [html]
    else:
        assert len("\n".join(parts).split("\n")) == len(lines)


def test_visible_length_counts_what_telegram_shows() -> None:
    """Tags do not count and an entity is one character."""
    assert visible_length("<b>a&amp;b</b>") == 3


def test_callback_data_over_64_bytes_is_refused_where_it_is_built() -> None:
    """Callback data over 64 bytes raises instead of being cut into another payload."""
    assert fit_callback_data("rf|x") == "rf|x"
    with pytest.raises(ValueError, match="66 bytes, over Telegram's 64"):
        fit_callback_data("é" * 33)


def test_refresh_of_a_long_position_fits_and_decodes_to_it() -> None:
    """A cross Hyperliquid position with a big wallet still fits 64 bytes and decodes to itself."""
    position = Position(
        Venue.HYPERLIQUID, "DOGE", Side.SHORT, 3.3333, 0.123456789012, 123456.789012345,
        margin_mode=MarginMode.CROSS, wallet_balance=1_234_567.891,
    )  # fmt: skip
    card = _card(position)
    data = encode_refresh(card)
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    decoded = decode_refresh(data)
    assert decoded is not None
    assert decoded.symbol == "DOGE"
    assert decoded.venue == card.venue
