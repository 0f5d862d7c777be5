"""Wallets as text: the /wallet card, the /wallets list and the announcements of the sync. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.render import numbers as n
from bot.vocabulary.wallets import (
    PositionChange,
    Wallet,
    WalletPosition,
    WalletPositionCard,
    WalletView,
    short_address,
)
from risk.liquidation import distance_pct
from risk.reference import DISAGREEMENT_PCT, ReferenceView, disagreement_pct
from risk.report import Verdict
from risk.venues import Side

__all__ = [
    "render_change",
    "render_change_line",
    "render_wallet_list",
    "render_wallet_view",
    "wallet_name",
]

_VERDICT = {Verdict.SAFE: "🟢 SAFE", Verdict.CAUTION: "🟡 CAUTION", Verdict.DANGER: "🔴 DANGER"}
_EXPLAINS = {
    "cross": (
        "cross margin: Hyperliquid counts the whole account (other positions' margin and "
        "profit), liqguard this position alone against the account value"
    ),
    "isolated": (
        "isolated margin: Hyperliquid uses the position's actual margin (added margin, funding "
        "paid), liqguard size × entry ÷ leverage"
    ),
}
_CLUSTER_LINES = 3


def wallet_name(wallet: Wallet, *, group: bool) -> str:
    """The label and the address (shortened in groups), escaped."""
    address = short_address(wallet.address) if group else wallet.address
    label = f"<b>{escape(wallet.label)}</b> " if wallet.label else ""
    return f"{label}<code>{address}</code>"


def _where(side: str) -> str:
    return "below" if side == "long" else "above"


def _position_line(p: WalletPosition) -> str:
    return (
        f"<b>{escape(p.coin)} {p.side} {p.leverage:g}x</b> · {p.margin_mode} · "
        f"{n.coins(p.size)} {escape(p.coin)} @ {n.price(p.entry_price)} "
        f"({n.usd(p.position_value_usd, 0)})"
    )


def _venue_liquidation(p: WalletPosition, view: ReferenceView | None, mark: float | None) -> str:
    if p.liquidation_price is None:
        return "Liquidation (Hyperliquid): none, the account covers any price"
    line = f"Liquidation (Hyperliquid) {n.price(p.liquidation_price)}"
    if view is None or view.distance_pct is None or mark is None:
        return f"{line} · no live mark for {escape(p.coin)}"
    if view.distance_pct <= 0:
        return f"🚨 {line} · the mark ({n.price(mark)}) is already past it"
    return f"{line} · {n.pct(view.distance_pct)} {_where(p.side)} mark ({n.price(mark)})"


def _ours(card: WalletPositionCard) -> str:
    p = card.position
    if card.note is not None:
        return f"liqguard: {escape(card.note)}"
    if card.ours is None:
        return "liqguard computes no liquidation price for it"
    apart = disagreement_pct(card.ours, p.liquidation_price)
    if apart is None:
        return f"liqguard computes {n.price(card.ours)}"
    if abs(apart) <= DISAGREEMENT_PCT:
        return f"liqguard computes {n.price(card.ours)} ({abs(apart):.2f}% apart)"
    return (
        f"⚠️ liqguard computes {n.price(card.ours)}, {abs(apart):.1f}% apart: "
        f"{_EXPLAINS[p.margin_mode]}"
    )


def _clusters(view: ReferenceView, side: str) -> str:
    if not view.clusters:
        return "No large modeled cluster between the mark and the liquidation price"
    lines = [f"Modeled {side} clusters in the way: {n.usd_compact(view.clusters_notional_usd)}"]
    lines += [
        f"   {n.usd_compact(c.notional_usd)} at {n.price(c.price)}"
        for c in view.clusters[:_CLUSTER_LINES]
    ]
    return "\n".join(lines)


def _card(card: WalletPositionCard) -> str:
    p, view = card.position, card.view
    lines = [_position_line(p), _venue_liquidation(p, view, card.mark_price), _ours(card)]
    if view is not None:
        lines.append(_clusters(view, p.side))
        lines.append(f"{_VERDICT[view.verdict]} · {escape(view.verdict_reason)}")
    if card.stale:
        lines.append(f"⚠️ {escape(card.stale)}")
    return "\n".join(lines)


def _freshness(view: WalletView) -> str:
    wallet, age_s = view.wallet, view.age_s
    if age_s is None:
        reason = escape(wallet.error or "not read yet")
        return (
            f"⚠️ Not read yet ({reason}). The wallet is kept and read again shortly; "
            "its positions will be announced then."
        )
    if wallet.error:
        return (
            f"⚠️ Last read {n.age(age_s)} ago, since then: {escape(wallet.error)}. "
            "Showing the last known positions."
        )
    return f"data {n.age(age_s)} old"


def render_wallet_view(view: WalletView, *, group: bool) -> str:
    """The /wallet answer: totals at the top, a card per open position, the age of the read."""
    head = f"👛 Wallet {wallet_name(view.wallet, group=group)} · Hyperliquid"
    state = view.wallet.state
    if state is None:
        return f"{head}\n\n{_freshness(view)}"
    count = len(state.positions)
    totals = (
        f"Account value {n.usd(state.account_value_usd, 0)} · margin used "
        f"{n.usd(state.margin_used_usd, 0)} · {count} open position{'s' if count != 1 else ''}"
    )
    parts = [f"{head}\n{totals}"]
    if count == 0:
        parts.append(
            "No open position. The wallet is kept: new positions are announced and watched."
        )
    parts += [_card(c) for c in view.cards]
    parts.append(_freshness(view))
    return "\n\n".join(parts)


def render_wallet_list(wallets: Sequence[Wallet], *, group: bool) -> str:
    """The chat's wallets with their open positions, each removable with the buttons below."""
    if not wallets:
        return "You watch no wallet. Add one: /wallet 0x… (a Hyperliquid address), with a label if you like."
    lines = [f"<b>Watched wallets</b> ({len(wallets)})"]
    for wallet in wallets:
        state = wallet.state
        held = "not read yet" if state is None else f"{len(state.positions)} open position(s)"
        error = " · ⚠️ last read failed" if wallet.error else ""
        lines.append(f"#{wallet.id} {wallet_name(wallet, group=group)} · {held}{error}")
    return "\n".join(lines)


def _distance(p: WalletPosition, mark: float | None) -> str:
    if p.liquidation_price is None or mark is None or mark <= 0:
        return ""
    distance = distance_pct(mark, p.liquidation_price, Side(p.side))
    assert distance is not None
    return f" · {n.pct(distance)} {_where(p.side)} mark"


def _liq(p: WalletPosition) -> str:
    return "none" if p.liquidation_price is None else n.price(p.liquidation_price)


def _what_changed(was: WalletPosition, now: WalletPosition) -> str:
    parts = [f"size {n.coins(was.size)} → {n.coins(now.size)} {escape(now.coin)}"]
    if was.leverage != now.leverage:
        parts.append(f"leverage {was.leverage:g}x → {now.leverage:g}x")
    if was.margin_mode != now.margin_mode:
        parts.append(f"{was.margin_mode} → {now.margin_mode}")
    if was.size == now.size:
        parts.pop(0)
    return " · ".join(parts)


def render_change(
    wallet: Wallet, change: PositionChange, mark: float | None, *, group: bool, tracked: bool
) -> str:
    """An announcement: a position opened (now watched), closed (dropped) or changed.

    `tracked`: whether the bot follows the coin's mark (an untracked coin is kept, never alerted).
    """
    name = wallet_name(wallet, group=group)
    if change.kind == "opened":
        assert change.after is not None
        p = change.after
        watched = (
            "Now watched; /positions lists it."
            if tracked
            else f"Kept, but {escape(p.coin)} is not tracked by this bot: no live mark, no alerts."
        )
        return (
            f"🆕 New position in {name}\n{_position_line(p)}\n"
            f"Liquidation (Hyperliquid) {_liq(p)}{_distance(p, mark)}\n{watched}"
        )
    if change.kind == "closed":
        assert change.before is not None
        p = change.before
        return (
            f"✅ Closed in {name}: <b>{escape(p.coin)} {p.side}</b>\n"
            f"Last seen: {n.coins(p.size)} {escape(p.coin)} @ {n.price(p.entry_price)}, "
            f"{p.leverage:g}x {p.margin_mode}, liquidation {_liq(p)}, "
            f"unrealized {n.usd(p.unrealized_pnl_usd, 0)}\nNo longer watched."
        )
    assert change.before is not None
    assert change.after is not None
    was, now = change.before, change.after
    return (
        f"🔄 Changed in {name}: <b>{escape(now.coin)} {now.side}</b>\n"
        f"{_what_changed(was, now)}\n"
        f"entry {n.price(was.entry_price)} → {n.price(now.entry_price)} · liquidation "
        f"{_liq(was)} → {_liq(now)}{_distance(now, mark)}"
    )


def render_change_line(wallet: Wallet, change: PositionChange, *, group: bool) -> str:
    """The announcement as one line of a digest (held in quiet hours or over the hourly cap)."""
    name = wallet_name(wallet, group=group)
    p = change.after or change.before
    assert p is not None
    what = f"{escape(p.coin)} {p.side} {p.leverage:g}x {change.kind} in {name}"
    if change.kind == "opened":
        return f"{what} (liquidation {_liq(p)})"
    if change.kind == "closed":
        return what
    assert change.before is not None
    assert change.after is not None
    return f"{what}: {_what_changed(change.before, change.after)}"
