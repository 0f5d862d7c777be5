"""Watched positions as text: the confirmation of /watch and the /positions list."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.render import numbers as n
from bot.vocabulary.cards import DeskRefusal, RiskCard
from bot.vocabulary.records import Removal, Watch
from bot.vocabulary.venues import venue_name
from risk.liquidation import distance_pct
from risk.venues import Side

__all__ = ["render_positions", "render_removal", "render_watch_added"]


def _describe(watch: Watch) -> str:
    synced = " · 🔄 synced from wallet" if watch.synced else ""
    return (
        f"#{watch.id} <b>{escape(watch.symbol)} {watch.side} {watch.leverage:g}x</b> @ "
        f"{n.price(watch.entry_price)} · {n.coins(watch.quantity)} {escape(watch.symbol)} · "
        f"{venue_name(watch.venue)}{synced}"
    )


def _level(card: RiskCard | DeskRefusal, watch: Watch | None = None) -> str:
    if isinstance(card, DeskRefusal):
        return f"   {escape(card.message)}"
    r = card.report
    source, level = "", r.liquidation_price
    if watch is not None and watch.synced:  # the venue's own price is the reference
        source, level = " (venue's)", watch.reference_liquidation_price
    if level is None:
        return "   cannot be liquidated"
    distance = distance_pct(r.mark_price, level, Side(watch.side if watch else r.position.side))
    assert distance is not None
    where = "below" if str(r.position.side) == "long" else "above"
    state = (
        "⚠️ past it" if distance <= 0 else f"{n.pct(distance)} {where} mark {n.price(r.mark_price)}"
    )
    stale = " · data stale" if card.warnings else ""
    return f"   liquidation{source} {n.price(level)} · {state}{stale}"


def render_watch_added(watch: Watch, card: RiskCard, ladder_pct: Sequence[float]) -> str:
    """The confirmation: what is watched, where it liquidates, and what will be said when.

    It counts as the ladder's steps it already tells (bot/alerts/ladder.py): a position inside the
    10 % step is told so here, and its first alert is the next step.
    """
    steps = ", ".join(f"{step:g}%" for step in ladder_pct)
    told = _told_steps(card, ladder_pct)
    already = ""
    if told:
        ahead = [f"{step:g}%" for step in ladder_pct[len(told) :]]
        after = f"next alert at {ahead[0]}" if ahead else "the next alert is if it is crossed"
        already = f" It is already within {told[-1]:g}%: {after}."
    if card.report.liquidated_now:
        already = " The mark is already past it: no alert will follow until it recovers."
    return (
        f"👀 Watching {_describe(watch)}\n{_level(card)}\n\n"
        f"Alerts when the mark comes within {steps} of the liquidation price, when a large "
        f"modeled cluster sits in between, and if it is crossed.{already} "
        "/alerts to change, /positions to list."
    )


def _told_steps(card: RiskCard, ladder_pct: Sequence[float]) -> list[float]:
    distance = card.report.distance_pct
    if card.report.liquidation_price is None or distance is None:
        return []
    return [step for step in ladder_pct if distance <= step]


def render_positions(
    watches: Sequence[Watch], cards: Sequence[RiskCard | DeskRefusal], *, show_owner: bool = False
) -> str:
    """The chat's watches with their current liquidation distance (in a group: whose each is)."""
    if not watches:
        return "You watch no positions. Add one: /watch BTC 10x long @ 91000 size 0.5"
    lines = [f"<b>Watched positions</b> ({len(watches)})"]
    for watch, card in zip(watches, cards, strict=True):
        paused = " (paused)" if watch.paused else ""
        owner = f" · {_owner(watch)}" if show_owner else ""
        lines.append(f"{_describe(watch)}{owner}{paused}\n{_level(card, watch)}")
    return "\n".join(lines)


def _owner(watch: Watch) -> str:
    return (
        f"set by {escape(watch.owner_name)}" if watch.owner_name else "set before owners were kept"
    )


def render_removal(removal: Removal, *, button: bool) -> str:
    """The answer to ❌ Remove (a short callback note) or to /unwatch N (plain text, no HTML)."""
    number = f"#{removal.watch_id}"
    if removal.outcome == "removed":
        return f"Removed {number}." if button else f"Stopped watching {number}."
    if removal.outcome == "not yours":
        whose = f"{removal.owner_name}'s" if removal.owner_name else "another member's"
        return f"{number} is {whose}: only they or a group admin can remove it."
    if button:
        return f"{number} was already removed; nothing changed."
    return f"You have no watch {number} here; see /positions."
