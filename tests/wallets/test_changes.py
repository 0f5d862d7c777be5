"""Change planning, pacing and the wallet texts: pure, on values written for these tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.render.wallet_text import render_change, render_change_line, render_wallet_view
from bot.vocabulary.backoff import Backoff
from bot.vocabulary.positions import wallet_watch
from bot.vocabulary.records import MarginModeName, PositionSide
from bot.vocabulary.wallets import (
    PositionChange,
    Wallet,
    WalletPosition,
    WalletPositionCard,
    WalletState,
    WalletView,
)
from bot.wallets.changes import diff_positions, plan_changes
from bot.wallets.pacing import WalletPacing
from risk.reference import view_at_reference
from risk.venues import Side

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
ADDRESS = "0x12ab" + "0" * 32 + "9f3c"


def _p(
    coin: str = "BTC",
    size: float = 0.5,
    *,
    side: PositionSide = "long",
    lev: float = 10,
    mode: MarginModeName = "cross",
    liq: float | None = 82_000.0,
) -> WalletPosition:
    return WalletPosition(
        coin, side, size, 90_000.0, lev, mode, liq, 4_500.0, size * 90_000.0, 12.5
    )


def _state(*positions: WalletPosition, value: float = 20_000.0) -> WalletState:
    return WalletState(value, 4_500.0, positions, NOW)


WALLET = Wallet(chat_id=1, address=ADDRESS, label="main", id=7, version=3)


def test_diff_names_opened_closed_changed_and_flips_as_close_then_open() -> None:
    """New coin → opened, gone → closed, size or leverage → changed, side flip → closed + opened."""
    before = _state(_p("BTC"), _p("ETH"), _p("SOL"))
    after = _state(_p("BTC", 0.8), _p("ETH", side="short"), _p("XRP"))
    kinds = [(c.coin, c.kind) for c in diff_positions(before, after)]
    assert kinds == [
        ("BTC", "changed"), ("ETH", "closed"), ("ETH", "opened"), ("SOL", "closed"), ("XRP", "opened"),
    ]  # fmt: skip
    assert diff_positions(before, before) == []


def test_plan_adds_removes_updates_and_bumps_the_version_once() -> None:
    """One read with changes bumps the version by one; watches follow the positions."""
    wallet = replace(WALLET, state=_state(_p("BTC"), _p("ETH")))
    btc = replace(wallet_watch(wallet, _p("BTC"), 20_000.0), id=11)
    eth = replace(wallet_watch(wallet, _p("ETH"), 20_000.0), id=12)
    plan = plan_changes(wallet, [btc, eth], _state(_p("BTC", 0.8, liq=84_000.0), _p("SOL")))
    changes = plan.changes
    assert (changes.version_read, changes.version) == (3, 4)
    assert changes.removed == (12,)
    assert [w.symbol for w in changes.added] == ["SOL"]
    [updated] = changes.updated
    assert (updated.id, updated.quantity, updated.reference_liquidation_price) == (
        11,
        0.8,
        84_000.0,
    )


def test_liquidation_drift_alone_updates_quietly_and_tiny_drift_not_at_all() -> None:
    """A venue price that moved is written without an announcement; a move under 0.01 % is not written."""
    wallet = replace(WALLET, state=_state(_p("BTC", liq=82_000.0)))
    watch = replace(wallet_watch(wallet, _p("BTC"), 20_000.0), id=11)
    moved = plan_changes(wallet, [watch], _state(_p("BTC", liq=82_500.0)))
    tiny = plan_changes(wallet, [watch], _state(_p("BTC", liq=82_001.0)))
    assert moved.announced == ()
    assert moved.changes.version == 3
    assert [w.reference_liquidation_price for w in moved.changes.updated] == [82_500.0]
    assert tiny.changes.updated == ()


def test_a_watch_removed_by_hand_is_not_brought_back_by_a_change() -> None:
    """The chat removed the synced watch; a later top-up is announced but recreates no watch."""
    wallet = replace(WALLET, state=_state(_p("BTC")))
    plan = plan_changes(wallet, [], _state(_p("BTC", 0.8)))
    assert [c.kind for c in plan.announced] == ["changed"]
    assert (plan.changes.added, plan.changes.updated) == ((), ())


def test_a_cross_watch_carries_the_account_value_and_the_venue_price() -> None:
    """Cross positions are priced against the account value; isolated against their own margin."""
    cross = wallet_watch(WALLET, _p(mode="cross"), 20_000.0)
    isolated = wallet_watch(WALLET, _p(mode="isolated"), 20_000.0)
    assert (cross.wallet_balance, cross.reference_liquidation_price, cross.wallet_id) == (
        20_000.0,
        82_000.0,
        7,
    )
    assert isolated.wallet_balance is None


@pytest.mark.parametrize(
    ("weight_per_min", "interval_s", "reads"),
    [(600, 30, 150), (1200, 30, 300), (600, 1, 5), (1, 1, 1)],
)
def test_a_round_reads_what_the_weight_budget_allows(
    weight_per_min: int, interval_s: float, reads: int
) -> None:
    """clearinghouseState weighs 2: a round reads weight_per_min · interval / 60 / 2 addresses."""
    assert (
        WalletPacing(interval_s=interval_s, weight_per_min=weight_per_min).reads_per_round == reads
    )


def test_backoff_doubles_on_each_429_in_a_row_and_resets_after_a_good_round() -> None:
    """5, 10, 20 s … up to the cap, never shorter than Retry-After; a clean round starts over."""
    pacing = WalletPacing(backoff=Backoff(initial_s=5, max_s=15, jitter=0))
    held = [pacing.hold(NOW) for _ in range(4)]
    assert held == [5, 10, 15, 15]
    assert pacing.hold(NOW, retry_after_s=60) == 60
    assert pacing.holding(NOW + timedelta(seconds=59))
    assert not pacing.holding(NOW + timedelta(seconds=61))
    pacing.settle()
    assert pacing.hold(NOW) == 5


def _card(
    position: WalletPosition, ours: float | None, mark: float = 90_000.0
) -> WalletPositionCard:
    view = view_at_reference(
        Side(position.side), mark, position.liquidation_price, None, [(86_000.0, 3e8, "long")]
    )
    return WalletPositionCard(position, mark, view, ours)


def _view(*cards: WalletPositionCard, error: str | None = None, read: bool = True) -> WalletView:
    state = _state(*(c.position for c in cards)) if read else None
    wallet = replace(
        WALLET, state=state, synced_at=NOW - timedelta(seconds=40) if read else None, error=error
    )
    return WalletView(wallet, cards, NOW)


def test_card_flags_a_disagreement_over_half_a_percent_and_names_the_margin_mode() -> None:
    """0.3 % apart is shown quietly; 2 % apart is flagged with what cross or isolated explains."""
    close = render_wallet_view(_view(_card(_p(mode="isolated"), 82_246.0)), group=False)
    far = render_wallet_view(_view(_card(_p(mode="cross"), 80_360.0)), group=False)
    assert "liqguard computes 82,246 (0.30% apart)" in close
    assert "⚠️" not in close
    assert (
        "⚠️ liqguard computes 80,360, 2.0% apart: cross margin: Hyperliquid counts the whole account"
        in far
    )


def test_card_shows_totals_distance_clusters_verdict_and_age() -> None:
    """Account value and margin on top; distance, the cluster in the way and the verdict per position."""
    text = render_wallet_view(_view(_card(_p(), 82_000.0)), group=True)
    assert "<b>main</b> <code>0x12ab…9f3c</code>" in text
    assert "Account value $20,000 · margin used $4,500 · 1 open position" in text
    assert "Liquidation (Hyperliquid) 82,000 · 8.9% below mark (90,000)" in text
    assert "Modeled long clusters in the way: $300M\n   $300M at 86,000" in text
    assert "SAFE" in text
    assert text.endswith("data 40s old")


def test_a_failed_read_shows_the_last_positions_and_a_never_read_wallet_is_not_empty() -> None:
    """An outage keeps the last known card with its age; a wallet never read does not say 'no positions'."""
    failed = render_wallet_view(
        _view(_card(_p(), 82_000.0), error="Hyperliquid did not answer"), group=False
    )
    never = render_wallet_view(_view(read=False, error="Hyperliquid did not answer"), group=False)
    assert "BTC long 10x" in failed
    assert "Last read 40s ago, since then: Hyperliquid did not answer" in failed
    assert "Not read yet (Hyperliquid did not answer)" in never
    assert "open position" not in never


def test_announcements_say_what_opened_closed_and_changed() -> None:
    """Opened with the venue's price and distance; closed with its last state; changed before → after."""
    opened = render_change(
        WALLET, PositionChange("opened", "BTC", None, _p()), 90_000.0, group=True, tracked=True
    )
    untracked = render_change(
        WALLET, PositionChange("opened", "PEPE", None, _p("PEPE")), None, group=True, tracked=False
    )
    relevered = render_change(
        WALLET, PositionChange("changed", "BTC", _p(), _p(lev=5)), None, group=True, tracked=True
    )
    closed = render_change(
        WALLET, PositionChange("closed", "BTC", _p(), None), None, group=True, tracked=True
    )
    changed = render_change(
        WALLET,
        PositionChange("changed", "BTC", _p(), _p("BTC", 0.8, lev=20, liq=None)),
        None,
        group=False,
        tracked=True,
    )
    assert opened.startswith("🆕 New position in <b>main</b> <code>0x12ab…9f3c</code>")
    assert "Liquidation (Hyperliquid) 82,000 · 8.9% below mark" in opened
    assert "Last seen: 0.5 BTC @ 90,000, 10x cross, liquidation 82,000, unrealized $12" in closed
    assert "size 0.5 → 0.8 BTC · leverage 10x → 20x" in changed
    assert "liquidation 82,000 → none" in changed
    assert ADDRESS in changed
    assert "PEPE is not tracked by this bot: no live mark, no alerts" in untracked
    assert "\nleverage 10x → 5x\n" in relevered  # an unchanged size or mode is not repeated


def test_a_held_announcement_is_one_digest_line() -> None:
    """The digest's line names the position, what happened and the wallet (short in groups)."""
    lines = [
        render_change_line(WALLET, change, group=True)
        for change in (
            PositionChange("opened", "BTC", None, _p()),
            PositionChange("changed", "BTC", _p(), _p(lev=5)),
            PositionChange("closed", "BTC", _p(), None),
        )
    ]
    assert lines == [
        "BTC long 10x opened in <b>main</b> <code>0x12ab…9f3c</code> (liquidation 82,000)",
        "BTC long 5x changed in <b>main</b> <code>0x12ab…9f3c</code>: leverage 10x → 5x",
        "BTC long 10x closed in <b>main</b> <code>0x12ab…9f3c</code>",
    ]
    solo = render_change_line(WALLET, PositionChange("closed", "BTC", _p(), None), group=False)
    assert ADDRESS in solo
