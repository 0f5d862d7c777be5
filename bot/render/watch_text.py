"""Watched positions as text: the confirmation of /watch and the /positions list."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.render import numbers as n
from bot.vocabulary.cards import DeskRefusal, RiskCard
from bot.vocabulary.records import Watch
from bot.vocabulary.venues import venue_name

__all__ = [
    "render_positions",
    "render_watch_added",
]


def _describe(watch: Watch) -> str:
    return (
        f"#{watch.id} <b>{escape(watch.symbol)} {watch.side} {watch.leverage:g}x</b> @ "
        f"{n.price(watch.entry_price)} · {n.coins(watch.quantity)} {escape(watch.symbol)} · "
        f"{venue_name(watch.venue)}"
    )


def _level(card: RiskCard | DeskRefusal) -> str:
    if isinstance(card, DeskRefusal):
        return f"   {escape(card.message)}"
    r = card.report
    if r.liquidation_price is None:
        return "   cannot be liquidated"
    assert r.distance_pct is not None
    where = "below" if str(r.position.side) == "long" else "above"
    state = (
        "⚠️ past it"
        if r.liquidated_now
        else f"{n.pct(r.distance_pct)} {where} mark {n.price(r.mark_price)}"
    )
    stale = " · data stale" if card.warnings else ""
    return f"   liquidation {n.price(r.liquidation_price)} · {state}{stale}"


def render_watch_added(watch: Watch, card: RiskCard, ladder_pct: Sequence[float]) -> str:
    """The confirmation: what is watched, where it liquidates, and what will be said when."""
    steps = ", ".join(f"{step:g}%" for step in ladder_pct)
    return (
        f"👀 Watching {_describe(watch)}\n{_level(card)}\n\n"
        f"Alerts when the mark comes within {steps} of the liquidation price, when a large "
        "modeled cluster sits in between, and if it is crossed. /alerts to change, /positions to list."
    )


def render_positions(watches: Sequence[Watch], cards: Sequence[RiskCard | DeskRefusal]) -> str:
    """The chat's watches with their current liquidation distance."""
    if not watches:
        return "You watch no positions. Add one: /watch BTC 10x long @ 91000 size 0.5"
    lines = [f"<b>Watched positions</b> ({len(watches)})"]
    for watch, card in zip(watches, cards, strict=True):
        paused = " (paused)" if watch.paused else ""
        lines.append(f"{_describe(watch)}{paused}\n{_level(card)}")
    return "\n".join(lines)
