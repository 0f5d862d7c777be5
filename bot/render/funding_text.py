"""/funding: funding per venue, normalised to 8 hours and annualised, as Telegram HTML.

Pure: `LiveQuote` values in, text out. A venue that sends nothing is named ("no data from okx: feed
down?") and a stale one is marked, and the rest is still answered. Rates are the venues' current rate
for the next settlement, which Binance, Bybit and Hyperliquid keep updating as a running prediction
until it settles; none of the feeds gives a rate beyond that one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from bot.render import numbers as n
from bot.render.limits import MAX_TEXT_CHARS
from bot.vocabulary.quotes import LiveQuote
from bot.vocabulary.venues import venue_name
from risk.errors import RiskError
from risk.funding import annualised_funding_rate, funding_rate_8h

__all__ = ["FundingRow", "funding_row", "render_funding_coin", "render_funding_table"]

MESSAGE_LIMIT = MAX_TEXT_CHARS
DEFAULT_INTERVAL_H: Mapping[str, float] = {"binance": 8.0, "bybit": 8.0, "hyperliquid": 1.0}
"""Where a quote carries no interval (streamed marks only): the venue's usual one. OKX varies."""
_FOOTNOTE = (
    "Current rate for the next settlement (a running estimate until then). "
    "Positive: longs pay shorts."
)
_SHORT_NAMES = {"hyperliquid": "HL"}


@dataclass(frozen=True, slots=True)
class FundingRow:
    """One venue's funding, normalised; `rate_8h` is None when the rate or interval is unknown."""

    venue: str
    rate: float | None
    interval_h: float | None
    rate_8h: float | None
    rate_annual: float | None
    next_funding_time: datetime | None
    age_s: float
    stale_reason: str | None


def funding_row(quote: LiveQuote) -> FundingRow:
    """Normalise one quote's funding with `risk.funding`."""
    interval = quote.snapshot.funding_interval_h if quote.snapshot else None
    interval = interval or DEFAULT_INTERVAL_H.get(quote.venue)
    rate_8h = annual = None
    if quote.funding_rate is not None and interval is not None:
        try:
            rate_8h = funding_rate_8h(quote.funding_rate, interval)
            annual = annualised_funding_rate(quote.funding_rate, interval)
        except RiskError:  # an interval the maths refuses: show the raw rate only
            rate_8h = annual = None
    age = quote.snapshot_age_s if quote.snapshot_age_s is not None else quote.mark_age_s
    return FundingRow(
        quote.venue, quote.funding_rate, interval, rate_8h, annual, quote.next_funding_time,
        age, quote.stale_reason,
    )  # fmt: skip


def render_funding_coin(
    symbol: str,
    quotes: Sequence[LiveQuote],
    venues: Sequence[str],
    *,
    now: datetime,
    timezone: str = "UTC",
) -> str:
    """Funding of one coin on every configured venue, with interval, next time and staleness."""
    rows = {q.venue: funding_row(q) for q in quotes if q.symbol == symbol}
    lines = [f"<b>{escape(symbol)} funding</b> · per venue, normalised to 8h"]
    for venue in venues:
        row = rows.get(venue)
        if row is None:
            lines.append(
                f"<b>{escape(venue_name(venue))}</b> ⚠️ no data from {escape(venue)}: feed down?"
            )
            continue
        lines += _venue_block(row, now, timezone)
    lines.append(_FOOTNOTE)
    ages = [row.age_s for row in rows.values()]
    lines.append(f"data {n.age(max(ages))} old" if ages else "⚠️ no funding data from any venue yet")
    return "\n".join(lines)


def _venue_block(row: FundingRow, now: datetime, timezone: str) -> list[str]:
    name = f"<b>{escape(venue_name(row.venue))}</b>"
    if row.rate is None:
        head = f"{name} no funding rate yet"
    elif row.rate_8h is None or row.rate_annual is None:
        head = f"{name} {n.signed_pct(row.rate * 100)} per settlement (interval unknown)"
    else:
        raw = (
            f" ({n.signed_pct(row.rate * 100, 5)}/{row.interval_h:g}h)"
            if row.interval_h != 8
            else ""
        )
        head = (
            f"{name} {n.signed_pct(row.rate_8h * 100)}/8h{raw} · "
            f"{n.signed_pct(row.rate_annual * 100, 2)}/yr"
        )
    details = [f"every {row.interval_h:g}h" if row.interval_h else "interval unknown"]
    if row.next_funding_time is not None:
        left_s = (row.next_funding_time - now).total_seconds()
        when = f"in {_duration(left_s)}" if left_s > 0 else "due now"
        details.append(f"next {n.clock_time(row.next_funding_time, timezone)} ({when})")
    details.append(f"data {n.age(row.age_s)} old")
    lines = [head, f"   {' · '.join(details)}"]
    if row.stale_reason:
        lines.append(f"   ⚠️ stale: {escape(row.stale_reason)}")
    return lines


def _duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    if minutes < 1:
        return f"{int(seconds)}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m"


def render_funding_table(
    symbols: Sequence[str],
    quotes: Sequence[LiveQuote],
    venues: Sequence[str],
    *,
    now: datetime,
    timezone: str = "UTC",
) -> str:
    """The 8h rate of every tracked coin on every venue, as a fixed-width table under 4,096 chars."""
    rows = {(q.venue, q.symbol): funding_row(q) for q in quotes}
    width = max([5, *(len(symbol) for symbol in symbols)]) + 1
    header = f"{'coin':<{width}}" + "".join(
        f"{_SHORT_NAMES.get(v, venue_name(v)):>10}" for v in venues
    )
    stale = sorted({r.venue for r in rows.values() if r.stale_reason})
    missing = [v for v in venues if not any(venue == v for venue, _ in rows)]
    footer = _table_footer(rows, stale, missing, now, timezone)
    if any((v, coin) not in rows for v in venues if v not in missing for coin in symbols):
        footer = f"— no data for that coin from that venue\n{footer}"
    head = "<b>Funding, % per 8h</b> · /funding BTC for one coin in full\n<pre>"
    budget = MESSAGE_LIMIT - len(head) - len(footer) - 80
    body = [escape(header)]
    for i, symbol in enumerate(symbols):
        cells = "".join(f"{_cell(rows.get((v, symbol))):>10}" for v in venues)
        line = escape(f"{symbol:<{width}}{cells}")
        if sum(len(b) + 1 for b in body) + len(line) > budget:
            body.append(f"… {len(symbols) - i} more coins")
            break
        body.append(line)
    return f"{head}{chr(10).join(body)}</pre>\n{footer}"


def _cell(row: FundingRow | None) -> str:
    if row is None:
        return "—"
    if row.rate_8h is None:
        return "?"
    return f"{row.rate_8h * 100:+.4f}{'*' if row.stale_reason else ''}"


def _table_footer(
    rows: Mapping[tuple[str, str], FundingRow],
    stale: Sequence[str],
    missing: Sequence[str],
    now: datetime,
    timezone: str,
) -> str:
    lines = [_FOOTNOTE]
    if stale:
        lines.append(f"* stale: {escape(', '.join(stale))}")
    if any(r.rate_8h is None for r in rows.values()):
        lines.append("? rate or funding interval not known yet")
    lines += [f"⚠️ no data from {escape(v)}: feed down?" for v in missing]
    ages = [r.age_s for r in rows.values()]
    if ages:
        lines.append(f"data up to {n.age(max(ages))} old · {n.clock_time(now, timezone)}")
    return "\n".join(lines)
