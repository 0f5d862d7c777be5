"""The risk card: a `RiskCard` in, Telegram HTML out. Pure; shared by /risk and the watch alerts."""

from __future__ import annotations

from html import escape

from bot.render import numbers as n
from bot.vocabulary.cards import DeskRefusal, RiskCard
from bot.vocabulary.venues import venue_name
from risk.report import RiskReport, Verdict

__all__ = [
    "render_refusal",
    "render_risk_card",
]

_VERDICT = {Verdict.SAFE: "🟢 SAFE", Verdict.CAUTION: "🟡 CAUTION", Verdict.DANGER: "🔴 DANGER"}


def render_risk_card(card: RiskCard, timezone: str = "UTC") -> str:
    """The whole card as HTML (well under Telegram's 4,096 characters)."""
    parts = [
        _header(card),
        _liquidation(card.report),
        _clusters(card),
        _odds(card.report),
        _funding(card, timezone),
        _last_hour(card),
        _footer(card),
    ]
    return "\n\n".join(part for part in parts if part)


def render_refusal(refusal: DeskRefusal) -> str:
    """Why there is no card, escaped for HTML."""
    return escape(refusal.message)


def _header(card: RiskCard) -> str:
    p = card.position
    side = str(p.side)
    notional = p.quantity * p.entry_price
    # Cross margin is backed by the wallet, not by a margin of its own.
    backing = (
        f"{n.usd(p.wallet_balance, 0)} wallet"
        if str(p.margin_mode) == "cross" and p.wallet_balance is not None
        else f"{n.usd(card.margin_usd, 0)} margin"
    )
    return (
        f"<b>{escape(p.symbol)} {side} {p.leverage:g}x</b> · {venue_name(card.venue)} · "
        f"{p.margin_mode}\n"
        f"Entry {n.price(p.entry_price)} · {n.coins(p.quantity)} {escape(p.symbol)} "
        f"({n.usd(notional, 0)} notional, {backing})"
    )


def _liquidation(r: RiskReport) -> str:
    if r.liquidation_price is None:
        return (
            f"<b>No liquidation price</b>: this position cannot be liquidated "
            f"(mark {n.price(r.mark_price)})."
        )
    assert r.distance_pct is not None
    where = "below" if str(r.position.side) == "long" else "above"
    if r.liquidated_now:
        line = (
            f"🚨 <b>Liquidation {n.price(r.liquidation_price)}</b> · the mark "
            f"({n.price(r.mark_price)}) is already past it"
        )
    else:
        line = (
            f"<b>Liquidation {n.price(r.liquidation_price)}</b> · "
            f"{n.pct(r.distance_pct)} {where} mark ({n.price(r.mark_price)})"
        )
    bankruptcy = f"Bankruptcy {n.price(r.bankruptcy_price)} · " if r.bankruptcy_price else ""
    estimated = ", estimated" if r.table_estimated else ""
    tier = (
        f"{bankruptcy}tier {r.tier_number} (MMR {r.tier.mmr * 100:.2f}%) · "
        f"tiers of {r.table_as_of:%Y-%m-%d}{estimated}"
    )
    return f"{line}\n{tier}"


def _clusters(card: RiskCard) -> str:
    r = card.report
    if r.liquidation_price is None or r.liquidated_now:
        return ""
    side = str(r.position.side)
    title = "<b>Between you and liquidation</b> (modeled, not observed)"
    if not r.clusters:
        return f"{title}\n  no modeled cluster in the way"
    lines = [title]
    for cluster in r.clusters[:3]:
        distance = abs(cluster.price - r.mark_price) / r.mark_price * 100
        where = "below" if cluster.price < r.mark_price else "above"
        lines.append(
            f"  {n.usd_compact(cluster.notional_usd)} of {side}s at {n.price(cluster.price)} · "
            f"{n.pct(distance)} {where}"
        )
    if card.cumulative_same_side_usd > 0:
        lines.append(
            f"  {n.usd_compact(card.cumulative_same_side_usd)} of {side}s in all down to your level"
            if side == "long"
            else f"  {n.usd_compact(card.cumulative_same_side_usd)} of shorts in all up to your level"
        )
    return "\n".join(lines)


def _odds(r: RiskReport) -> str:
    if r.daily_volatility is None:
        return "<b>Odds</b>: not enough price history yet for a volatility"
    lines = [f"<b>Odds</b> · realized volatility {n.pct(r.daily_volatility * 100)}/day"]
    if r.distance_sigmas is not None:
        lines[0] += f" · {r.distance_sigmas:.1f}σ away"
    if r.touch_probability_24h is not None and r.touch_probability_7d is not None:
        lines.append(
            f"  touch in 24h {n.pct(r.touch_probability_24h * 100)} · "
            f"in 7d {n.pct(r.touch_probability_7d * 100)}"
        )
    bound = n.pct(r.max_touch_probability * 100, 0)
    if r.max_safe_leverage is not None:
        lines.append(
            f"  highest leverage with a 24h touch chance under {bound}: {r.max_safe_leverage:g}x"
        )
    else:
        lines.append(f"  no leverage keeps the 24h touch chance under {bound}")
    return "\n".join(lines)


def _funding(card: RiskCard, timezone: str) -> str:
    f = card.report.funding
    quote = card.quote
    if quote is None or quote.funding_rate is None:
        return "<b>Funding</b>: no rate from the venue yet"
    pays = f.next_usd < 0
    verb = "you pay" if pays else "you earn"
    when = quote.next_funding_time
    at = f" at {n.clock_time(when, timezone)}" if when else ""
    return (
        f"<b>Funding</b> {n.signed_pct(f.rate_8h * 100)}/8h ({n.signed_pct(f.rate_annual * 100, 2)}/yr)\n"
        f"  {verb} {n.usd(abs(f.next_usd))}{at} · {n.usd(abs(f.per_day_usd))}/day"
    )


def _last_hour(card: RiskCard) -> str:
    totals = card.last_hour
    symbol = escape(card.position.symbol)
    if totals.total_usd <= 0:
        return f"Last hour {symbol}: no liquidations seen"
    share = totals.long_share or 0.0
    return (
        f"Last hour {symbol}: {n.usd_compact(totals.total_usd)} liquidated "
        f"({share * 100:.0f}% longs)"
    )


def _footer(card: RiskCard) -> str:
    r = card.report
    line = f"<b>{_VERDICT[r.verdict]}</b> · {escape(r.verdict_reason)} · data {n.age(r.data_age_s)} old"
    warnings = [f"⚠️ {escape(w)}" for w in card.warnings]
    if r.stale and not card.warnings:
        warnings.append(f"⚠️ data is stale ({n.age(r.data_age_s)} old)")
    return "\n".join([line, *warnings])
