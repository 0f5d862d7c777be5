"""The risk card: a `RiskCard` in, Telegram HTML out. Pure; shared by /risk and the watch alerts."""

from __future__ import annotations

from html import escape

from bot.render import numbers as n
from bot.vocabulary.cards import DeskRefusal, RiskCard
from bot.vocabulary.venues import venue_name
from risk.report import (
    CAUTION_DISTANCE_PCT,
    CAUTION_TOUCH_7D,
    CAUTION_TOUCH_24H,
    RiskReport,
    Verdict,
)

__all__ = [
    "render_refusal",
    "render_risk_card",
    "safe_rule",
]

_VERDICT = {Verdict.SAFE: "🟢 SAFE", Verdict.CAUTION: "🟡 CAUTION", Verdict.DANGER: "🔴 DANGER"}


def render_risk_card(card: RiskCard, timezone: str = "UTC") -> str:
    """The whole card as HTML (well under Telegram's 4,096 characters)."""
    parts = [
        _header(card),
        _liquidation(card, timezone),
        _clusters(card),
        _odds(card),
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
    # Cross margin is backed by the wallet, not by a margin of its own; its leverage is the effective
    # one (notional ÷ wallet), the one that sets the liquidation price, shown whether or not odds are.
    backing = (
        f"{n.usd(p.wallet_balance, 0)} wallet · effective {card.report.effective_leverage:.3g}x"
        if str(p.margin_mode) == "cross" and p.wallet_balance is not None
        else f"{n.usd(card.margin_usd, 0)} margin"
    )
    notes = "".join(f"\nℹ️ {escape(note, quote=False)}" for note in card.notes)
    return (
        f"<b>{escape(p.symbol)} {side} {p.leverage:g}x</b> · {venue_name(card.venue)} · "
        f"{p.margin_mode}\n"
        f"Entry {n.price(p.entry_price)} · {n.coins(p.quantity)} {escape(p.symbol)} "
        f"({n.usd(notional, 0)} notional, {backing}){notes}"
    )


def _liquidation(card: RiskCard, timezone: str) -> str:
    r = card.report
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
    tier = f"{bankruptcy}tier {r.tier_number} (MMR {r.tier.mmr * 100:.2f}%) · {_tiers_source(card, timezone)}"
    return f"{line}\n{tier}"


def _tiers_source(card: RiskCard, timezone: str) -> str:
    """Where the tier table comes from: fetched live (and when), or bundled with the bot (and its date)."""
    fetched = card.tiers_fetched_at
    if fetched is not None:
        return f"tiers live, fetched {n.clock_time(fetched, timezone)}"
    estimated = ", estimated" if card.report.table_estimated else ""
    return f"tiers bundled ({card.report.table_as_of:%Y-%m-%d}{estimated})"


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


def _odds(card: RiskCard) -> str:
    r = card.report
    window = _window(card.volatility_closes, card.candle_interval_s)
    if r.daily_volatility is None and card.volatility_closes:
        return f"<b>Odds</b>: none, the price did not move ({window})"
    if r.daily_volatility is None:
        return "<b>Odds</b>: not enough price history yet for a volatility"
    lines = [f"<b>Odds</b> · realized volatility {n.pct(r.daily_volatility * 100)}/day ({window})"]
    if r.distance_sigmas is not None:
        lines[0] += f" · {r.distance_sigmas:.1f}σ away"
    if r.touch_probability_24h is not None and r.touch_probability_7d is not None:
        lines.append(
            f"  touch in 24h {n.pct(r.touch_probability_24h * 100)} · "
            f"in 7d {n.pct(r.touch_probability_7d * 100)}"
        )
    lines.append(f"  {safe_rule(r.max_touch_probability)}")
    lines.append(f"  {_safe_leverage(r)}")
    return "\n".join(lines)


def safe_rule(max_touch_24h: float = CAUTION_TOUCH_24H) -> str:
    """The rule behind both the verdict and the safe leverage, in words."""
    return (
        f"safe = liquidation {CAUTION_DISTANCE_PCT:g}% or more away, 24h touch under "
        f"{max_touch_24h * 100:g}%, 7d touch under {CAUTION_TOUCH_7D * 100:g}%"
    )


def _safe_leverage(r: RiskReport) -> str:
    cross = str(r.position.margin_mode) == "cross"
    what = "effective leverage (notional ÷ wallet)" if cross else "leverage"
    if r.max_safe_leverage is None:
        return f"no {what} is safe at this volatility"
    yours = r.effective_leverage if cross else r.position.leverage
    return f"highest safe {what}: {r.max_safe_leverage:g}x (yours {yours:.3g}x)"


def _window(closes: int, interval_s: int) -> str:
    """`200 hourly closes, 8.3 days`: what the volatility was measured over."""
    unit = {60: "1-minute", 300: "5-minute", 900: "15-minute", 3600: "hourly", 14_400: "4-hour"}
    name = unit.get(interval_s, "daily" if interval_s == 86_400 else f"{interval_s}s")
    days = closes * interval_s / 86_400
    return f"{closes} {name} closes, {days:.1f} days"


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
