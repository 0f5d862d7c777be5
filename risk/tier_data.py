"""The numbers behind the bundled tier tables, with their dates and sources.

Rows are ``(floor, cap, mmr, max_leverage)``; sizes are USD notional except on OKX, where they count
contracts of ``contract_value`` base units. ``cums`` is given where the exchange published it; otherwise
the maintenance amount follows the continuity recursion (`risk.tiers.build_tiers`), except on OKX whose
tiers are steps without a deduction. Hyperliquid tables are ``marginTiers`` ``(lowerBound, maxLeverage)``
pairs. Tables marked ``estimated`` are placeholders shaped like the venue's real tables: they are not
exchange data and must be replaced by the live refresh.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TABLES", "TableSpec"]

ESTIMATED = "estimated, replace by live refresh"

Row = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class TableSpec:
    """The raw data of one bundled table."""

    venue: str
    symbol: str
    as_of: str
    source: str
    rows: tuple[Row, ...] = ()
    cums: tuple[float, ...] | None = None
    margin_tiers: tuple[tuple[float, float], ...] = ()
    contract_value: float = 1.0
    estimated: bool = False


_FREQTRADE_BINANCE = (
    "Binance USDⓈ-M leverage brackets, snapshot 2024-10-24: freqtrade "
    "freqtrade/exchange/binance_leverage_tiers.json @3d9514d2 (liquidation-math.md §12.1)"
)

_BINANCE_BTC_ROWS: tuple[Row, ...] = (
    (0, 50_000, 0.004, 125),
    (50_000, 600_000, 0.005, 100),
    (600_000, 3_000_000, 0.0065, 75),
    (3_000_000, 12_000_000, 0.01, 50),
    (12_000_000, 70_000_000, 0.02, 25),
    (70_000_000, 100_000_000, 0.025, 20),
    (100_000_000, 230_000_000, 0.05, 10),
    (230_000_000, 480_000_000, 0.1, 5),
    (480_000_000, 600_000_000, 0.125, 4),
    (600_000_000, 800_000_000, 0.15, 3),
    (800_000_000, 1_200_000_000, 0.25, 2),
    (1_200_000_000, 1_800_000_000, 0.5, 1),
)
_BINANCE_BTC_CUMS = (
    0,
    50,
    950,
    11_450,
    131_450,
    481_450,
    2_981_450,
    14_481_450,
    26_481_450,
    41_481_450,
    121_481_450,
    421_481_450,
)

_BINANCE_ETH_ROWS: tuple[Row, ...] = (
    (0, 50_000, 0.004, 125),
    (50_000, 600_000, 0.005, 100),
    (600_000, 3_000_000, 0.0065, 75),
    (3_000_000, 12_000_000, 0.01, 50),
    (12_000_000, 50_000_000, 0.02, 25),
    (50_000_000, 65_000_000, 0.025, 20),
    (65_000_000, 150_000_000, 0.05, 10),
    (150_000_000, 320_000_000, 0.1, 5),
    (320_000_000, 400_000_000, 0.125, 4),
    (400_000_000, 530_000_000, 0.15, 3),
    (530_000_000, 800_000_000, 0.25, 2),
    (800_000_000, 1_200_000_000, 0.5, 1),
)
_BINANCE_ETH_CUMS = (
    0,
    50,
    950,
    11_450,
    131_450,
    381_450,
    2_006_450,
    9_506_450,
    17_506_450,
    27_506_450,
    80_506_450,
    280_506_450,
)

_BINANCE_ALT_ROWS: tuple[Row, ...] = (
    (0, 5_000, 0.005, 75),
    (5_000, 50_000, 0.0065, 50),
    (50_000, 600_000, 0.01, 25),
    (600_000, 3_000_000, 0.02, 20),
    (3_000_000, 12_000_000, 0.05, 10),
    (12_000_000, 20_000_000, 0.1, 5),
    (20_000_000, 25_000_000, 0.125, 4),
    (25_000_000, 50_000_000, 0.25, 2),
    (50_000_000, 80_000_000, 0.5, 1),
)

_BYBIT_BTC_ROWS: tuple[Row, ...] = (
    (0, 2_000_000, 0.005, 100),
    (2_000_000, 2_600_000, 0.0056, 90),
    (2_600_000, 10_000_000, 0.01, 50),
    (10_000_000, 30_000_000, 0.02, 25),
    (30_000_000, 60_000_000, 0.05, 10),
    (60_000_000, 100_000_000, 0.1, 5),
    (100_000_000, 200_000_000, 0.25, 2),
    (200_000_000, 300_000_000, 0.5, 1),
)
_BYBIT_ETH_ROWS: tuple[Row, ...] = (
    (0, 1_000_000, 0.005, 100),
    (1_000_000, 3_000_000, 0.01, 50),
    (3_000_000, 10_000_000, 0.02, 25),
    (10_000_000, 30_000_000, 0.05, 10),
    (30_000_000, 60_000_000, 0.1, 5),
    (60_000_000, 100_000_000, 0.25, 2),
    (100_000_000, 150_000_000, 0.5, 1),
)
_BYBIT_ALT_ROWS: tuple[Row, ...] = (
    (0, 200_000, 0.01, 50),
    (200_000, 1_000_000, 0.02, 25),
    (1_000_000, 5_000_000, 0.05, 10),
    (5_000_000, 10_000_000, 0.1, 5),
    (10_000_000, 20_000_000, 0.25, 2),
    (20_000_000, 30_000_000, 0.5, 1),
)

_OKX_BTC_ROWS: tuple[Row, ...] = (  # contracts of 0.01 BTC
    (0, 1_000, 0.004, 100),
    (1_000, 5_000, 0.005, 66.66),
    (5_000, 20_000, 0.0075, 50),
    (20_000, 50_000, 0.01, 40),
    (50_000, 100_000, 0.015, 25),
    (100_000, 200_000, 0.025, 20),
    (200_000, 400_000, 0.05, 10),
    (400_000, 700_000, 0.1, 5),
    (700_000, 1_000_000, 0.3, 2),
)
_OKX_ALT_LADDER: tuple[Row, ...] = (  # per 2,000 contracts of the first tier
    (0, 1, 0.01, 50),
    (1, 5, 0.015, 25),
    (5, 20, 0.025, 20),
    (20, 50, 0.05, 10),
    (50, 100, 0.1, 5),
    (100, 200, 0.3, 2),
)


def _okx_ladder(first_cap: float) -> tuple[Row, ...]:
    return tuple((lo * first_cap, hi * first_cap, mmr, lev) for lo, hi, mmr, lev in _OKX_ALT_LADDER)


def _estimate(venue: str, symbol: str, as_of: str, note: str, rows: tuple[Row, ...]) -> TableSpec:
    return TableSpec(venue, symbol, as_of, f"{ESTIMATED}: {note}", rows, estimated=True)


_BINANCE_ALT_NOTE = "shaped like Binance's 2024-10-24 brackets of large altcoins; not exchange data"
_BYBIT_ALT_NOTE = "shaped like Bybit's auto risk-limit tiers (2024); not exchange data"
_HL_DOCS = (
    "Hyperliquid mainnet meta.marginTables (recorded late 2025) and docs trading/margin-tiers "
    "(gitbook text of Jan 2026)"
)

TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "binance", "BTC", "2024-10-24", _FREQTRADE_BINANCE, _BINANCE_BTC_ROWS, _BINANCE_BTC_CUMS
    ),
    TableSpec(
        "binance", "ETH", "2024-10-24", _FREQTRADE_BINANCE, _BINANCE_ETH_ROWS, _BINANCE_ETH_CUMS
    ),
    *(
        _estimate("binance", sym, "2024-10-24", _BINANCE_ALT_NOTE, _BINANCE_ALT_ROWS)
        for sym in ("SOL", "XRP", "DOGE", "BNB")
    ),
    _estimate(
        "bybit",
        "BTC",
        "2024-05-10",
        "tiers 1–2 (cap 2,000,000 at 0.50 %/100x; cap 2,600,000 at 0.56 %/90x) from ccxt PR #22459 "
        "fetchLeverageTiers demo of 2024-05-10, mmDeduction computed for continuity; higher tiers "
        "estimated",
        _BYBIT_BTC_ROWS,
    ),
    _estimate("bybit", "ETH", "2024-05-10", _BYBIT_ALT_NOTE, _BYBIT_ETH_ROWS),
    *(
        _estimate("bybit", sym, "2024-05-10", _BYBIT_ALT_NOTE, _BYBIT_ALT_ROWS)
        for sym in ("SOL", "XRP", "DOGE", "BNB")
    ),
    TableSpec(
        "okx",
        "BTC",
        "2026-09-18",
        f"{ESTIMATED}: tiers 1–3 (0–1,000 contracts 0.4 %/100x; –5,000 0.5 %/66.66x; –20,000 "
        "0.75 %/50x) observed from GET /api/v5/public/position-tiers, BTC-USDT isolated, 2026-09-18 "
        "(exchange-apis.md §4.5); higher tiers estimated. ctVal 0.01 BTC",
        _OKX_BTC_ROWS,
        contract_value=0.01,
        estimated=True,
    ),
    TableSpec(
        "okx",
        "ETH",
        "2026-09-18",
        f"{ESTIMATED}: OKX BTC-USDT-SWAP tiers with 5x the contract counts; ctVal 0.1 ETH "
        "(OKX instruments)",
        tuple((lo * 5, hi * 5, mmr, lev) for lo, hi, mmr, lev in _OKX_BTC_ROWS),
        contract_value=0.1,
        estimated=True,
    ),
    *(
        TableSpec(
            "okx",
            sym,
            "2026-09-18",
            f"{ESTIMATED}: shaped like OKX altcoin position tiers; ctVal {ct:g} {sym} (to confirm "
            "from GET /api/v5/public/instruments)",
            _okx_ladder(first_cap),
            contract_value=ct,
            estimated=True,
        )
        for sym, ct, first_cap in (
            ("SOL", 1.0, 2_000),
            ("XRP", 100.0, 2_000),
            ("DOGE", 1000.0, 2_000),
            ("BNB", 0.01, 20_000),
        )
    ),
    TableSpec(
        "hyperliquid",
        "BTC",
        "2026-01-01",
        f"{_HL_DOCS}; table 56",
        margin_tiers=((0, 40), (150_000_000, 20)),
    ),
    TableSpec(
        "hyperliquid",
        "ETH",
        "2026-01-01",
        f"{_HL_DOCS}; table 55",
        margin_tiers=((0, 25), (100_000_000, 15)),
    ),
    TableSpec(
        "hyperliquid",
        "SOL",
        "2026-01-01",
        f"{_HL_DOCS}; table 54",
        margin_tiers=((0, 20), (70_000_000, 10)),
    ),
    TableSpec(
        "hyperliquid",
        "XRP",
        "2026-01-01",
        f"{_HL_DOCS}; table 53",
        margin_tiers=((0, 20), (40_000_000, 10)),
    ),
    *(
        TableSpec(
            "hyperliquid",
            sym,
            "2026-01-01",
            f"{ESTIMATED}: assumed table 52 ('tiered 10x': 10x, 5x above 20,000,000 USDC)",
            margin_tiers=((0, 10), (20_000_000, 5)),
            estimated=True,
        )
        for sym in ("DOGE", "BNB")
    ),
)
"""Every bundled table: 4 venues × BTC, ETH, SOL, XRP, DOGE, BNB."""
