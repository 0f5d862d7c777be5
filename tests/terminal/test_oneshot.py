"""`liqguard risk|funding|map|liqs` against the loopback fake exchange, and their error paths."""

from __future__ import annotations

import asyncio
import io
import json
import os
import sys
from pathlib import Path

import pytest

from bot.runtime.oneshot import OneShot, run_oneshot
from config.settings import Settings, load_settings
from tests.fakes.exchange import FakeExchange

ROOT = Path(__file__).resolve().parents[2]
CLOSED = "http://127.0.0.1:9"
"""The discard port: nothing listens there, so a connection is refused at once."""


def _settings(exchange: FakeExchange, **overrides: str) -> Settings:
    return load_settings(
        _env_file=None, symbols="BTC,ETH", **(exchange.settings_overrides() | overrides)
    )


async def _ask(
    settings: Settings, command: str, *words: str, **options: object
) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = await run_oneshot(settings, OneShot(command, words, **options), out, err)  # type: ignore[arg-type]
    return status, out.getvalue(), err.getvalue()


async def test_risk_prints_the_bots_card_from_the_venue() -> None:
    """The card the bot sends, as plain text, from the fake venue's mark and tiers; exit 0."""
    async with FakeExchange(("BTC", "ETH")) as exchange:
        status, out, err = await _ask(_settings(exchange), "risk", "BTC", "10x", "long")
    assert status == 0, err
    assert out.startswith("BTC long 10x · Binance · isolated")
    assert "Liquidation 81,325 · 9.6% below mark (90,000)" in out
    assert "<b>" not in out
    assert "\x1b[" not in out
    assert "data 0s old" in out
    assert any(path == "/fapi/v1/premiumIndex" for _, path, _, _ in exchange.requests)


async def test_risk_json_is_the_report_as_data() -> None:
    """--json prints the engine's report as JSON: liquidation price, venue, verdict."""
    async with FakeExchange(("BTC", "ETH")) as exchange:
        status, out, _ = await _ask(
            _settings(exchange), "risk", "BTC", "10x", "long", "on", "bybit", as_json=True
        )
    data = json.loads(out)
    assert status == 0
    assert data["venue"] == "bybit"
    assert data["report"]["mark_price"] == 90_000
    assert 80_000 < data["report"]["liquidation_price"] < 82_000
    assert data["report"]["verdict"] in ("safe", "caution", "danger")


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (("BTC", "10x"), "missing side"),
        (("DOGEE", "10x", "long"), "'DOGEE'"),
        (("BTC", "300x", "long"), "the maximum is 100x"),
    ],
)
async def test_risk_bad_input_is_one_line_and_status_2(
    words: tuple[str, ...], expected: str
) -> None:
    """A wrong word or a refused leverage: one line on stderr naming it, nothing on stdout, exit 2."""
    async with FakeExchange(("BTC", "ETH")) as exchange:
        status, out, err = await _ask(_settings(exchange), "risk", *words)
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1
    assert expected in err


async def test_risk_names_the_unreachable_venue() -> None:
    """A venue that refuses the connection: one line naming it and the failed call, exit 2."""
    async with FakeExchange(("BTC", "ETH")) as exchange:
        settings = _settings(exchange, bybit_rest_url=CLOSED)
        status, out, err = await _ask(settings, "risk", "BTC", "10x", "long", "on", "bybit")
    assert status == 2
    assert out == ""
    assert err.startswith("liqguard: cannot reach bybit (ConnectError on http://127.0.0.1:9/")
    assert err.count("\n") == 1


async def test_funding_goes_on_without_a_venue_that_is_down() -> None:
    """One venue down: a line names it, the others' funding is printed, exit 0."""
    async with FakeExchange(("BTC", "ETH")) as exchange:
        exchange.set_funding("binance", "BTC", 0.0003)
        status, out, err = await _ask(_settings(exchange, okx_rest_url=CLOSED), "funding", "BTC")
    assert status == 0
    assert "okx did not answer" in err
    assert "Binance +0.0300%/8h" in out
    assert "Bybit" in out


async def test_map_is_built_on_the_published_history_and_saves_the_chart(tmp_path: Path) -> None:
    """`liqguard map BTC --png` fetches the venues' open-interest history, models the map on it, says
    where it came from and saves the chart."""
    async with FakeExchange(("BTC", "ETH")) as exchange:
        exchange.history_days = 7
        png = tmp_path / "map.png"
        status, out, err = await _ask(_settings(exchange), "map", "BTC", png_path=png)
        paths = [path for _, path, _, _ in exchange.requests]
    assert status == 0, err
    assert "fetching 7 days of open-interest history" in err
    assert "/futures/data/openInterestHist" in paths
    assert "Nearest longs" in out
    assert "modeled from 7 days of open-interest history fetched now (binance, bybit, okx)" in out
    assert f"chart saved to {png}" in out
    assert png.read_bytes().startswith(b"\x89PNG")


async def test_map_without_history_says_so_and_saves_no_chart(tmp_path: Path) -> None:
    """Only Hyperliquid in scope (it publishes no open-interest history): the map says it is empty and
    why, and writes no PNG."""
    async with FakeExchange(("BTC", "ETH")) as exchange:
        png = tmp_path / "map.png"
        settings = _settings(exchange, venues="hyperliquid", default_venue="hyperliquid")
        status, out, _ = await _ask(settings, "map", "BTC", png_path=png)
    assert status == 0
    assert "no venue in scope published open-interest history" in out
    assert "no chart: the map has no modeled levels yet" in out
    assert not png.exists()


async def test_liqs_counts_what_it_heard_while_listening() -> None:
    """Liquidations streamed while listening are totalled, and the answer says it only listened."""
    async with FakeExchange(("BTC", "ETH")) as exchange:
        settings = _settings(exchange, venues="bybit")
        task = asyncio.create_task(_ask(settings, "liqs", listen_s=1.5))
        await exchange.wait_subscribed("bybit", timeout_s=10)
        await exchange.liquidate("bybit", "BTC", "long", price=89_000.0, qty=2.0)
        status, out, _ = await task
    assert status == 0
    assert out.startswith("Listened to the liquidation streams for 1.5 s")
    assert "$178K" in out


def test_console_script_answers_without_a_token(tmp_path: Path) -> None:
    """`python -m bot risk` with no token and a bad word: exit 2, one line, no traceback."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    env["PYTHONPATH"] = str(ROOT)
    import subprocess

    result = subprocess.run(
        [sys.executable, "-m", "bot", "risk", "BTC", "10x", "sideways"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith("liqguard: I did not understand 'sideways'")
    assert "Traceback" not in result.stderr
    assert not list(tmp_path.iterdir())
