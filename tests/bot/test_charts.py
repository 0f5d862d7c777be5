"""The liquidation-map chart: a valid PNG of phone size that shows what the map holds."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import numpy as np
import pytest
from matplotlib import _pylab_helpers
from PIL import Image

from bot.render.map_chart import (
    LONG_COLOUR,
    POSITION_COLOUR,
    SHORT_COLOUR,
    render_liquidation_map,
)
from risk.liquidation_map import LiquidationMap, realized_map

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
MARK = 91_250.0
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def dense_map() -> LiquidationMap:
    """Thousands of levels on both sides of the mark."""
    rng = np.random.default_rng(7)
    prices = rng.uniform(80_000, 102_000, 4_000)
    sizes = rng.exponential(2e6, 4_000)
    return realized_map(
        (float(p), float(n), "long" if p < MARK else "short")
        for p, n in zip(prices, sizes, strict=True)
    )


MAPS = {
    "empty": LiquidationMap(),
    "longs only": realized_map([(86_400.0, 310e6, "long"), (88_000.0, 200e6, "long")]),
    "dense": dense_map(),
}


def pixels(png: bytes) -> np.ndarray:
    """The decoded RGB pixels of a PNG."""
    with Image.open(io.BytesIO(png)) as image:
        return np.asarray(image.convert("RGB")).astype(int)


def count_colour(image: np.ndarray, hex_colour: str, alpha: float = 1.0) -> int:
    """Pixels within a few levels of ``hex_colour`` drawn at ``alpha`` over white."""
    rgb = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])
    blended = alpha * rgb + (1 - alpha) * 255
    return int((np.abs(image - blended).max(axis=-1) <= 4).sum())


@pytest.mark.parametrize("name", list(MAPS))
def test_chart_is_a_phone_sized_png(name):
    """Every map renders to a decodable 1200×750 PNG of a sensible weight."""
    png = render_liquidation_map(
        MAPS[name], symbol="BTC", venue_label="all venues", mark_price=MARK, now=NOW
    )
    assert png.startswith(PNG_SIGNATURE)
    assert 10_000 < len(png) < 1_000_000
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        assert image.size == (1200, 750)


def test_chart_shows_the_sides_the_map_holds():
    """A longs-only map fills long bars and no short bars; an empty map fills neither."""

    def fills(liq_map: LiquidationMap) -> tuple[int, int]:
        image = pixels(
            render_liquidation_map(
                liq_map, symbol="BTC", venue_label="binance", mark_price=MARK, now=NOW
            )
        )
        return count_colour(image, LONG_COLOUR, 0.45), count_colour(image, SHORT_COLOUR, 0.45)

    longs, shorts = fills(MAPS["longs only"])
    assert longs > 500
    assert shorts == 0
    assert fills(MAPS["empty"]) == (0, 0)
    dense_longs, dense_shorts = fills(MAPS["dense"])
    assert dense_longs > 10_000
    assert dense_shorts > 10_000


def test_position_liquidation_line_is_drawn_only_when_given():
    """The position's liquidation price appears as its own line, even beyond the default span."""

    def orange(**kwargs: float) -> int:
        png = render_liquidation_map(
            MAPS["dense"], symbol="BTC", venue_label="binance", mark_price=MARK, now=NOW, **kwargs
        )
        return count_colour(pixels(png), POSITION_COLOUR)

    assert orange() == 0
    assert orange(liquidation_price=81_740.0) > 300
    assert orange(liquidation_price=70_000.0) > 300  # 23 % away: the view widens to show it


def test_rendering_leaves_no_global_figures():
    """Charts are drawn without pyplot: no figure is left registered after rendering."""
    render_liquidation_map(MAPS["dense"], symbol="BTC", venue_label="x", mark_price=MARK, now=NOW)
    assert _pylab_helpers.Gcf.get_num_fig_managers() == 0
