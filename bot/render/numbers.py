"""How numbers read in every message: thousands separators, compact dollars, signed percents."""

from __future__ import annotations

import math
from datetime import datetime

from bot.vocabulary.zones import zone

__all__ = [
    "age",
    "clock_time",
    "coins",
    "pct",
    "price",
    "signed_pct",
    "usd",
    "usd_compact",
]


def price(value: float) -> str:
    """A price with separators and the decimals its size needs: 91,250 · 3,150.5 · 0.1234."""
    if not math.isfinite(value):
        return "—"
    magnitude = abs(value)
    decimals = (
        0 if magnitude >= 10_000 else 1 if magnitude >= 1_000 else 2 if magnitude >= 10 else 4
    )
    if magnitude < 0.01:
        decimals = 6
    return f"{value:,.{decimals}f}"


def usd(value: float, decimals: int = 2) -> str:
    """Dollars with separators: $1,234.50, -$3.00."""
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.{decimals}f}"


def usd_compact(value: float) -> str:
    """Dollars in K/M/B: $310M, $1.2B, $42.1M, $950."""
    magnitude = abs(value)
    sign = "-" if value < 0 else ""
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if magnitude >= limit:
            scaled = magnitude / limit
            text = f"{scaled:,.0f}" if scaled >= 100 else f"{scaled:.1f}"
            return f"{sign}${text}{suffix}"
    return f"{sign}${magnitude:,.0f}"


def pct(fraction_pct: float, decimals: int = 1) -> str:
    """A percent given in percent units: 9.6%."""
    return f"{fraction_pct:,.{decimals}f}%"


def signed_pct(value_pct: float, decimals: int = 4) -> str:
    """A signed percent: +0.0100%, -0.0050%."""
    return f"{value_pct:+.{decimals}f}%"


def coins(quantity: float) -> str:
    """A coin quantity with up to 4 significant decimals: 0.1096, 1,250."""
    if quantity >= 1_000:
        return f"{quantity:,.0f}"
    if quantity >= 1:
        return f"{quantity:,.3f}".rstrip("0").rstrip(".")
    return f"{quantity:.4g}"


def clock_time(moment: datetime, timezone: str) -> str:
    """Wall-clock time in the chat's timezone: 16:00, or 16:00 UTC where the chat has none set."""
    local = moment.astimezone(zone(timezone))
    suffix = " UTC" if timezone == "UTC" else ""
    return f"{local:%H:%M}{suffix}"


def age(seconds: float) -> str:
    """A data age: 4s, 3m, 2h."""
    if seconds < 120:
        return f"{max(seconds, 0):.0f}s"
    if seconds < 7_200:
        return f"{seconds / 60:.0f}m"
    return f"{seconds / 3_600:.0f}h"
