"""The bot under trouble: webhook secrets, a failing database, a stale venue."""

from __future__ import annotations

import logging
import re
import socket
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.runtime.processes import start_updates
from bot.vocabulary.clock import utc_now
from config.settings import load_settings
from handlers.errors import APOLOGY
from tests.e2e.harness import eventually, running_bot


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_webhook_rejects_a_wrong_secret_and_serves_the_right_one(tmp_path: Path) -> None:
    """With WEBHOOK_URL set, updates need the secret token; a wrong one is refused with 403."""
    async with running_bot(tmp_path) as bot:
        assert bot.app.updater is not None
        await bot.app.updater.stop()
        port = _free_port()
        settings = load_settings(
            _env_file=None,
            telegram_bot_token=bot.telegram.token,
            telegram_api_base_url=bot.telegram.base_url,
            webhook_url=f"http://127.0.0.1:{port}",
            webhook_secret="s3cret-webhook-token",
            port=port,
        )
        await start_updates(bot.app, settings, listen="127.0.0.1")
        url = f"http://127.0.0.1:{port}/telegram"
        assert bot.telegram.webhook_url == url
        update = bot.telegram.message_update(30, "/help")
        assert await bot.telegram.post_to_webhook(url, update, secret_token="wrong") == 403
        assert await bot.telegram.post_to_webhook(url, update) == 403
        assert (
            await bot.telegram.post_to_webhook(url, update, secret_token="s3cret-webhook-token")
            == 200
        )
        [reply] = await bot.telegram.wait_for("sendMessage")
    assert reply.chat_id == 30
    assert reply.text is not None
    assert "liqguard" in reply.text


async def test_a_failing_handler_apologises_and_tells_the_admin(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A broken database gives the user a short apology and the admin a note; no token in logs."""
    caplog.set_level(logging.ERROR)
    async with running_bot(tmp_path, admin_chat_ids="777") as bot:
        async with bot.services.store.engine.begin() as conn:
            await conn.execute(text("DROP TABLE watches"))
        bot.telegram.push_message(31, "/positions")
        replies = await bot.telegram.wait_for("sendMessage", count=2)
        token = bot.telegram.token
    by_chat = {r.chat_id: r.text or "" for r in replies}
    assert by_chat[31] == APOLOGY
    assert by_chat[777].startswith("⚠️ liqguard error: ")
    assert "watches" in by_chat[777]
    assert token not in caplog.text
    assert "error while handling an update" in caplog.text


async def test_stale_venue_is_said_and_the_card_still_answers(tmp_path: Path) -> None:
    """When a venue's data is older than its bound, the card warns and still gives the numbers."""
    offset = timedelta(0)

    def clock() -> datetime:
        return utc_now() + offset

    async with running_bot(tmp_path, clock=clock) as bot:
        bot.exchange.freeze("binance")
        offset = timedelta(minutes=5)
        quote = bot.services.market.quote("binance", "BTC")
        assert quote is not None

        def stale() -> bool:
            latest = bot.services.market.quote("binance", "BTC")
            return latest is not None and latest.stale

        await eventually(stale)
        bot.telegram.push_message(32, "/risk BTC 10x long")
        [reply] = await bot.telegram.wait_for("sendMessage")
    assert reply.text is not None
    assert "Liquidation " in reply.text
    assert re.search(r"⚠️ data is stale \(mark 3\d\ds old", reply.text)
    assert "binance may be down" in reply.text
