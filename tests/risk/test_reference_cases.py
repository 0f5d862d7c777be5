"""Every case of ../shared/reference/liq_cases.json through the public API (skipped without ../shared)."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from risk.liquidation import (
    Leg,
    OtherPosition,
    Position,
    Side,
    cross_liquidation_price,
    liquidation_price,
)
from risk.tiers import Tier, TierTable
from risk.venues import MarginMode, Venue

CASES_PATH = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "liq_cases.json"
VENUES = {
    "binance-usdm": Venue.BINANCE,
    "bybit": Venue.BYBIT,
    "okx": Venue.OKX,
    "hyperliquid": Venue.HYPERLIQUID,
}


def _one_tier_table(venue: Venue, symbol: str, mmr: float, cum: float | None) -> TierTable:
    """A table with the case's own tier (the cases state the tier they were computed with)."""
    tier = Tier(0.0, math.inf, mmr, cum or 0.0, 125.0)
    return TierTable(venue, symbol, date(2024, 10, 24), "liq_cases.json", (tier,))


def liq_price_for_case(case: dict[str, Any]) -> float | None:
    """The liquidation price of one liq_cases.json case, computed with the public API."""
    venue = VENUES[case["exchange"]]
    other = case.get("other") or {}
    symbol = other.get("symbol", "BTC")
    table = _one_tier_table(venue, symbol, case["mmr"], case["maint_amount"])
    side = Side(case["side"])
    qty, entry, wallet = case["quantity"], case["entry_price"], case["wallet_balance"]
    if case["margin_mode"] == "cross" and ("other_positions" in other or "hedge_short" in other):
        legs = [Leg(side, qty, entry)]
        if "hedge_short" in other:
            h = other["hedge_short"]
            legs.append(Leg(Side.SHORT, h["quantity"], h["entry_price"]))
        others = [
            OtherPosition(
                Side(o["side"]),
                o["quantity"],
                o["entry_price"],
                o["mark_price"],
                _one_tier_table(venue, o["symbol"], o["mmr"], o["maint_amount"]),
            )
            for o in other.get("other_positions", [])
        ]
        return cross_liquidation_price(legs, wallet, table, others=others).price
    leverage = case["leverage"] or max(1.0, qty * entry / wallet)
    position = Position(
        venue,
        symbol,
        side,
        leverage,
        entry,
        qty,
        margin_mode=MarginMode(case["margin_mode"]),
        wallet_balance=wallet,
    )
    fee = other.get("taker_fee") if venue is Venue.OKX else None
    return liquidation_price(position, table, taker_fee_rate=fee).price


def _load_cases() -> list[dict[str, Any]]:
    if not CASES_PATH.exists():
        return []
    cases: list[dict[str, Any]] = json.loads(CASES_PATH.read_text(encoding="utf-8"))
    return [c for c in cases if c["exchange"] in VENUES]


CASES = _load_cases()


@pytest.mark.skipif(not CASES_PATH.exists(), reason=f"{CASES_PATH} is absent (no ../shared)")
@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_reference_case(case: dict[str, Any]) -> None:
    """The computed liquidation price matches the case within its relative tolerance."""
    expected = case["expected_liq_price"]
    got = liq_price_for_case(case)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected, rel=case["tolerance_rel"])


@pytest.mark.skipif(not CASES_PATH.exists(), reason=f"{CASES_PATH} is absent (no ../shared)")
def test_reference_cases_are_all_run() -> None:
    """Every case in the shared file is for a venue the risk core supports, so none is skipped."""
    raw = json.loads(CASES_PATH.read_text(encoding="utf-8"))
    assert len(CASES) == len(raw) > 0
