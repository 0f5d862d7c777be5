"""The alert engine on wallet positions: the venue's liquidation price is the reference, and follows."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.store import Store
from bot.store.wallets import WalletChanges
from bot.vocabulary.records import Chat, MarkTick, Watch
from bot.vocabulary.wallets import Wallet, WalletState
from tests.bot.test_alerts import CHAT, NOW, make_rig


async def _wallet_watch(store: Store, reference: float | None) -> tuple[Wallet, Watch]:
    await store.chats.upsert(Chat(CHAT, "private"), NOW)
    wallet, _ = await store.wallets.add(Wallet(chat_id=CHAT, address="0x" + "1" * 40), NOW)
    assert wallet.id is not None
    watch = Watch(CHAT, "hyperliquid", "BTC", "long", 10, 90_000, 0.5, margin_mode="cross",
                  wallet_balance=1_000_000, wallet_id=wallet.id, reference_liquidation_price=reference)  # fmt: skip
    return wallet, await store.watches.add(watch, NOW)


async def test_the_ladder_measures_from_the_venues_price_not_ours(store: Store) -> None:
    """Cross with $1M behind it we compute no liquidation; the venue's 88,000 is 4.3 % away: one alert."""
    _, watch = await _wallet_watch(store, 88_000.0)
    rig = await make_rig(store)
    made = await rig.engine.evaluate([MarkTick("hyperliquid", "BTC", 92_000.0, NOW)])
    [row] = [await store.outbox.get(f"pos:{watch.id}:2:0")]
    assert made == 1
    assert row is not None
    assert "88,000" in row.payload["text"]


async def test_a_reference_changed_by_another_process_is_picked_up_on_refresh(store: Store) -> None:
    """A sync in a web process moves the venue's price: the worker's periodic refresh notices it."""
    wallet, watch = await _wallet_watch(store, 70_000.0)
    rig = await make_rig(store)
    await rig.engine.step()
    assert await rig.engine.evaluate([MarkTick("hyperliquid", "BTC", 92_000.0, NOW)]) == 0
    state = WalletState(1_000_000.0, 4_500.0, (), NOW)
    moved = replace(watch, reference_liquidation_price=90_500.0)
    assert await store.wallets.apply(
        wallet.id or 0, WalletChanges(state, 0, 0, updated=(moved,)), NOW
    )
    rig.clock.now = NOW + timedelta(seconds=11)  # past the engine's reload_s, no signal
    await rig.engine.step()
    assert await rig.engine.evaluate([MarkTick("hyperliquid", "BTC", 92_000.0, rig.clock.now)]) == 1


async def test_no_venue_price_means_no_position_alert(store: Store) -> None:
    """A venue that sees no liquidation price for the account: the position never alerts."""
    await _wallet_watch(store, None)
    rig = await make_rig(store)
    assert await rig.engine.evaluate([MarkTick("hyperliquid", "BTC", 50_000.0, NOW)]) == 0
