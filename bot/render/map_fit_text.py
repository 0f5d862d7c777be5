"""The lines of /map that say what the map rests on: the fit per venue and the live self-score.

Pure: fits and a score in, Telegram HTML lines out. A fitted venue names its evidence ("fitted from
7.0 days of liquidations heard (5,120, sampled: unthinned)"); a venue on the defaults says why.
"""

from __future__ import annotations

from html import escape

from bot.render import numbers as n
from bot.vocabulary.maps import MapScore
from bot.vocabulary.venues import NO_LIQUIDATIONS, SAMPLED_LIQUIDATIONS, venue_name
from risk.calibration import CalibrationGrid
from risk.map_fit import MapFit

__all__ = ["MIX_SHOWN", "render_defaults_line", "render_fit_line", "render_score_line"]

MIX_SHOWN = 4
"""Leverage buckets named per venue (the largest shares); the rest are '…'."""


def _mix(fit: MapFit) -> str:
    ranked = sorted((w, lev) for lev, w in fit.leverage_weights if w > 0)[::-1]
    shown = ", ".join(f"{lev:g}x {100 * w:.0f} %" for w, lev in ranked[:MIX_SHOWN])
    return shown + (", …" if len(ranked) > MIX_SHOWN else "")


def render_fit_line(
    venue: str, fit: MapFit, grid: CalibrationGrid | None = None, *, live: bool = True
) -> str:
    """One venue's assumptions: fitted (with its evidence), or on the defaults and why.

    `live` False is a one-shot answer (`liqguard map`): no fit will follow it.
    """
    name = escape(venue_name(venue))
    ev = fit.evidence
    if fit.fitted:
        how = ", sampled: unthinned" if venue in SAMPLED_LIQUIDATIONS else ""
        return (
            f"{name}: leverage mix fitted from {ev.days_heard:.1f} days of liquidations heard "
            f"({ev.events:,}{how}): {_mix(fit)}; {_tail(fit)}"
        )
    if venue in NO_LIQUIDATIONS:
        return f"{name}: defaults assumed (it publishes no liquidations to fit to)"
    if not live:
        return f"{name}: defaults assumed (a one-shot run hears no liquidations to fit to)"
    if ev.intervals == 0:
        return f"{name}: defaults assumed (not fitted yet: the first fit follows the backfill)"
    need = grid or CalibrationGrid()
    if ev.days_heard < need.min_days:
        why = (
            f"liquidations heard for {ev.days_heard:.1f} d so far; a fit needs {need.min_days:g} d"
        )
    else:
        why = f"{ev.events:,} liquidations heard; a fit needs {need.min_events:,}"
    return f"{name}: defaults assumed ({why})"


def render_defaults_line(fit: MapFit) -> str:
    """The stated defaults, said once for every venue that uses them."""
    return f"Defaults: {_mix(fit)}; {_tail(fit)}"


def _tail(fit: MapFit) -> str:
    return f"half-life {fit.half_life_s / 86_400:.1f} d, longs {100 * fit.long_share:.0f} %"


def render_score_line(score: MapScore | None) -> str:
    """The live self-score, beside what a uniform spread would have scored."""
    if score is None or score.realized_usd <= 0:
        return "Live score: no liquidations scored yet (the first hour is still open)"
    return (
        f"Live score, {score.hours} h: {100 * score.hit_share:.0f} % of "
        f"{n.usd_compact(score.realized_usd)} liquidated fell within ±0.5 % of a level held just "
        f"before (a uniform spread: {100 * score.uniform_share:.0f} %)"
    )
