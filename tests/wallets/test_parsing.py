"""`clearinghouseState` bytes to vocabulary, and the words of /wallet (values written for these tests)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from bot.commands.positions import ArgsError
from bot.commands.wallets import WalletArgs, parse_wallet_args
from bot.feeds.errors import MalformedPayload, RateLimited
from bot.feeds.hyperliquid import HyperliquidClient, parse_clearinghouse_state
from bot.vocabulary.wallets import WalletState, is_address, short_address
from tests.fakes.exchange_wallets import FakePosition, FakeWallets

ADDRESS = "0x12ab" + "0" * 32 + "9f3c"
T_MS = 1_790_000_000_000


def _body(*positions: FakePosition, value: float = 20_000.0) -> dict[str, Any]:
    wallets = FakeWallets()
    wallets.set_account_value(ADDRESS, value)
    for p in positions:
        wallets.open_position(ADDRESS, p)
    status, _, body = wallets.answer(ADDRESS, T_MS)
    assert status == 200
    decoded: dict[str, Any] = json.loads(json.dumps(body))
    return decoded


def test_positions_sides_modes_and_null_liquidation() -> None:
    """A negative szi is a short; the margin mode and a null liquidationPx are read as such."""
    body = _body(
        FakePosition("BTC", 0.5, 90_000.0, 10, "isolated", 81_500.0),
        FakePosition("ETH", -4.0, 3_000.0, 5, "cross", None),
    )
    state = parse_clearinghouse_state(body)
    assert state.account_value_usd == 20_000.0
    assert state.margin_used_usd == pytest.approx(4_500.0 + 2_400.0)
    assert state.time == datetime.fromtimestamp(T_MS / 1000, tz=UTC)
    btc, eth = state.by_coin()["BTC"], state.by_coin()["ETH"]
    assert (btc.side, btc.size, btc.margin_mode, btc.liquidation_price) == (
        "long",
        0.5,
        "isolated",
        81_500.0,
    )
    assert (eth.side, eth.size, eth.margin_mode, eth.liquidation_price) == (
        "short",
        4.0,
        "cross",
        None,
    )


def test_a_closed_position_listed_at_size_zero_is_left_out() -> None:
    """Hyperliquid may list a closed position with szi 0; it is not an open position."""
    body = _body(FakePosition("BTC", 0.5, 90_000.0, 10), FakePosition("SOL", 0.0, 150.0, 3))
    assert [p.coin for p in parse_clearinghouse_state(body).positions] == ["BTC"]


@pytest.mark.parametrize(
    "mangle",
    [
        lambda b: b.pop("marginSummary"),
        lambda b: b["assetPositions"][0]["position"].pop("szi"),
        lambda b: b["assetPositions"][0]["position"]["leverage"].update(type="portfolio"),
        lambda b: b["assetPositions"][0]["position"].update(entryPx="n/a"),
    ],
)
def test_malformed_answers_raise_malformed_payload(mangle) -> None:
    """A missing field, a number that is not one or an unknown margin mode is a MalformedPayload."""
    body = _body(FakePosition("BTC", 0.5, 90_000.0, 10))
    mangle(body)
    with pytest.raises(MalformedPayload):
        parse_clearinghouse_state(body)


def test_state_round_trips_through_its_stored_form() -> None:
    """What the database keeps reads back as the same state."""
    state = parse_clearinghouse_state(
        _body(FakePosition("BTC", -0.5, 90_000.0, 10, "isolated", 99_000.0))
    )
    assert WalletState.from_stored(json.loads(json.dumps(state.to_stored()))) == state


async def test_client_posts_the_documented_body_and_maps_429() -> None:
    """The client posts {"type": "clearinghouseState", "user": …}; a 429 is RateLimited with Retry-After."""
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        if len(seen) == 1:
            return httpx.Response(200, json=_body())
        return httpx.Response(429, headers={"Retry-After": "7"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        client = HyperliquidClient(http, "http://127.0.0.1:9", lambda: datetime.now(UTC))
        state = await client.fetch_wallet(ADDRESS)
        with pytest.raises(RateLimited) as limited:
            await client.fetch_wallet(ADDRESS)
    assert seen[0] == {"type": "clearinghouseState", "user": ADDRESS}
    assert state.positions == ()
    assert limited.value.retry_after_s == 7


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ([ADDRESS], WalletArgs(ADDRESS)),
        ([ADDRESS.upper().replace("0X", "0x"), "main", "desk"], WalletArgs(ADDRESS, "main desk")),
    ],
)
def test_wallet_words_read_an_address_and_a_label(words: list[str], expected: WalletArgs) -> None:
    """An address in any case is kept lower case; the words after it are the label."""
    assert parse_wallet_args(words) == expected


@pytest.mark.parametrize(
    ("words", "says"),
    [
        ([], "Give the Hyperliquid address"),
        (["0x12ab"], "this one has 6"),
        (["0x" + "g" * 40], "is not an address"),
        ([ADDRESS, "x" * 40], "label is too long"),
    ],
)
def test_wrong_wallet_words_say_why_with_an_example(words: list[str], says: str) -> None:
    """A short, non-hex or over-long input gets one line and an example that works."""
    error = parse_wallet_args(words)
    assert isinstance(error, ArgsError)
    assert says in error.text("wallet")
    assert is_address(error.example.split()[0])


def test_short_address_keeps_both_ends() -> None:
    """Groups see `0x12ab…9f3c`."""
    assert short_address(ADDRESS) == "0x12ab…9f3c"
