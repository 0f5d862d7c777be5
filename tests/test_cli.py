"""`python -m bot`: help, missing token, bad settings, migrate and check, as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    clean["PYTHONPATH"] = str(ROOT)
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
