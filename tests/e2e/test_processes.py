"""The Procfile's processes as users run them: a `worker` ingesting and a `web` process answering by
webhook from the market the worker writes to the shared database."""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import socket
import sys
import weakref
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.fakes.exchange import FakeExchange
from tests.fakes.telegram import BotApiCall, FakeTelegram

ROOT = Path(__file__).resolve().parents[2]


def _sent_to(chat_id: int) -> Callable[[BotApiCall], bool]:
    """A predicate for the calls addressed to `chat_id`."""
    return lambda call: call.chat_id == chat_id


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _start(kind: str, env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", kind, cwd=cwd, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def test_web_answers_from_the_workers_market(tmp_path: Path) -> None:
    """/risk posted to the web process's webhook is answered with prices the worker ingested."""
    port = _free_port()
    async with FakeTelegram() as tg, FakeExchange(("BTC", "ETH")) as ex:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))},
            "PYTHONPATH": str(ROOT),
            "TELEGRAM_BOT_TOKEN": tg.token,
            "TELEGRAM_API_BASE_URL": tg.base_url,
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}",
            "SYMBOLS": "BTC,ETH",
            "WEBHOOK_URL": f"http://127.0.0.1:{port}",
            "WEBHOOK_SECRET": "web-secret-123",
            "PORT": str(port),
            **{name.upper(): value for name, value in ex.settings_overrides().items()},
        }
        worker = await _start("worker", {**env, "WEBHOOK_URL": ""}, tmp_path)
        web = await _start("web", env, tmp_path)
        try:
            reply_text = ""
            for attempt in range(60):  # until the worker has polled and the web process mirrored it
                update = tg.message_update(40 + attempt, "/risk BTC 10x long")
                status = 0
                while status != 200:
                    await asyncio.sleep(0.5)
                    try:
                        url = f"http://127.0.0.1:{port}/telegram"
                        status = await tg.post_to_webhook(
                            url, update, secret_token="web-secret-123"
                        )
                    except httpx.TransportError:  # the web process is still starting
                        status = 0
                [reply] = await tg.wait_for("sendMessage", predicate=_sent_to(40 + attempt))
                reply_text = reply.text or ""
                if "Liquidation" in reply_text:
                    break
        finally:
            for process in (web, worker):
                process.send_signal(signal.SIGINT)
            outputs = [await asyncio.wait_for(p.communicate(), timeout=30) for p in (web, worker)]
    assert "Liquidation" in reply_text
    assert "Binance" in reply_text
    assert (web.returncode, worker.returncode) == (0, 0)
    for _, err in outputs:
        assert b"Traceback" not in err
        assert tg.token.encode() not in err
        assert f"ready as @{tg.bot_user['username']}".encode() in err


def test_startup_heap_is_frozen_out_of_the_collectors_sight() -> None:
    """After start-up every live object is frozen, so a full collection does not walk them."""
    from bot.runtime.processes import freeze_startup_heap

    try:
        freeze_startup_heap()
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()


def test_refreezing_frees_cycles_that_died_while_frozen() -> None:
    """A reference cycle frozen while alive and dropped later survives collections until the
    hourly refreeze, which frees it and leaves the live heap frozen again."""
    from bot.runtime.processes import refreeze_heap

    class Node:
        partner: object = None

    node, other = Node(), Node()
    node.partner, other.partner = other, node
    alive = weakref.ref(node)
    try:
        gc.freeze()
        del node, other
        gc.collect()
        assert alive() is not None  # frozen: the collector does not see the dead cycle
        refreeze_heap()
        assert alive() is None
        assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
