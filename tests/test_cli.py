"""`python -m bot`: help, missing token, bad settings, migrate and check, as a user runs them."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _clean_env() -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    clean["PYTHONPATH"] = str(ROOT)
    return clean


def _run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = _clean_env()
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=tmp_path,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_help_lists_subcommands(tmp_path: Path) -> None:
    """--help names every subcommand."""
    result = _run(["--help"], tmp_path)
    assert result.returncode == 0
    for command in ("run", "web", "worker", "migrate", "check"):
        assert command in result.stdout


def test_without_token_explains_and_exits_2(tmp_path: Path) -> None:
    """No token: one line on how to get one, status 2, no traceback."""
    result = _run([], tmp_path)
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in result.stderr
    assert "BotFather" in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_setting_exits_2_naming_it(tmp_path: Path) -> None:
    """A bad setting stops start-up with one line naming it."""
    result = _run(["run"], tmp_path, TELEGRAM_BOT_TOKEN="1:x", VENUES="binance,kraken")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "liqguard: invalid setting VENUES: unknown venue 'kraken'; "
        "choose from binance, bybit, okx, hyperliquid"
    )


def test_migrate_creates_the_sqlite_file(tmp_path: Path) -> None:
    """`migrate` creates the default SQLite database with no manual step."""
    result = _run(["migrate"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "liqguard.db").exists()


def test_check_hides_the_token(tmp_path: Path) -> None:
    """`check` prints the settings with the token hidden."""
    result = _run(["check"], tmp_path, TELEGRAM_BOT_TOKEN="424242:VERY-SECRET")
    assert result.returncode == 0
    assert "VERY-SECRET" not in result.stdout
    assert "TELEGRAM_BOT_TOKEN = (set, hidden)" in result.stdout


async def test_refused_token_is_one_line_and_status_2(tmp_path: Path) -> None:
    """A token the Bot API refuses stops start-up with one line and status 2, no traceback."""
    from tests.fakes.telegram import FakeTelegram

    async with FakeTelegram() as tg:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=tmp_path,
            env={**_clean_env(), "TELEGRAM_BOT_TOKEN": "999:not-the-token",
                 "TELEGRAM_API_BASE_URL": tg.base_url, "VENUES": "binance",
                 "BINANCE_REST_URL": "http://127.0.0.1:9", "BINANCE_WS_URL": "ws://127.0.0.1:9"},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2
    text = err.decode()
    assert "liqguard: TELEGRAM_BOT_TOKEN was refused by Telegram (Unauthorized)" in text
    assert "Traceback" not in text
    assert "not-the-token" not in text


async def test_unreachable_bot_api_waits_and_stops_cleanly(tmp_path: Path) -> None:
    """With the Bot API down the bot says so and keeps trying; SIGINT then stops it with status 0."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead_port = sock.getsockname()[1]
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path,
        env={**_clean_env(), "TELEGRAM_BOT_TOKEN": "123:secret-token-value",
             "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{dead_port}/bot", "VENUES": "binance",
             "BINANCE_REST_URL": "http://127.0.0.1:9", "BINANCE_WS_URL": "ws://127.0.0.1:9"},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stderr is not None
    line = await asyncio.wait_for(process.stderr.readline(), timeout=60)
    while b"cannot reach the Telegram Bot API" not in line:
        line = await asyncio.wait_for(process.stderr.readline(), timeout=60)
    process.send_signal(signal.SIGINT)
    _, rest = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0
    assert b"Traceback" not in line + rest
    assert b"secret-token-value" not in line + rest


def test_check_finds_every_problem_one_line_each(tmp_path: Path) -> None:
    """`check` without a token and with a bad URL exits 2 with one line per problem."""
    result = _run(["check"], tmp_path, BINANCE_REST_URL="notaurl", OKX_WS_URL="https://x")
    assert result.returncode == 2
    binance = (
        "liqguard: invalid setting BINANCE_REST_URL: 'notaurl' is not a URL; it must start with "
        "https:// or http:// and name a host"
    )
    okx = (
        "liqguard: invalid setting OKX_WS_URL: 'https://x' is not a URL; it must start with wss:// "
        "or ws:// and name a host"
    )
    assert result.stderr.splitlines() == [binance, okx]


def test_check_without_token_exits_2(tmp_path: Path) -> None:
    """`check` is where a missing token is found before a deploy: status 2, one line."""
    result = _run(["check"], tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("liqguard: TELEGRAM_BOT_TOKEN is not set")
    assert len(result.stderr.splitlines()) == 1


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_postgres_is_one_line_for_check_migrate_and_run(tmp_path: Path) -> None:
    """An unreachable PostgreSQL is one line naming the host and what to check, status 2."""
    url = f"postgresql://liqguard@127.0.0.1:{_closed_port()}/liqguard"
    for command in ("check", "migrate", "run"):
        result = _run([command], tmp_path, TELEGRAM_BOT_TOKEN="1:x", DATABASE_URL=url)
        assert result.returncode == 2, (command, result.stderr)
        assert "Traceback" not in result.stderr
        [line] = result.stderr.splitlines()
        assert line.startswith("liqguard: cannot connect to the database at 127.0.0.1:")
        assert line.endswith("check DATABASE_URL, that PostgreSQL runs there and accepts this user")


def test_web_without_webhook_url_refuses_to_start(tmp_path: Path) -> None:
    """`web` without WEBHOOK_URL refuses with one line instead of long-polling quietly."""
    result = _run(["web"], tmp_path, TELEGRAM_BOT_TOKEN="1:x")
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("liqguard: WEBHOOK_URL is not set")
