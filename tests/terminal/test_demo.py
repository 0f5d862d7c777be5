"""`liqguard demo`: the console chat as a user holds it, and the demo run headless."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import re
import sys
from pathlib import Path

import pytest

from bot.runtime.demo import DemoOptions, run_demo
from bot.store import Store
from bot.terminal.botapi import CHAT_ID

ROOT = Path(__file__).resolve().parents[2]
WAVE = "🌊 Liquidation wave in BTC"
LADDER = re.compile(r"BTC long 20x #1 on Bybit: liquidation [\d,]+ is [\d.]+% below the mark")


class ChatProcess:
    """`python -m bot demo` as a subprocess: lines in on stdin, stdout read as it comes."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process.stdout is not None
        async for raw in self.process.stdout:
            self.lines.append(raw.decode())

    async def expect(
        self, pattern: str | re.Pattern[str], since: int = 0, timeout_s: float = 60
    ) -> re.Match[str]:
        """The first line from `since` on that matches `pattern`, waiting for it if need be."""
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        async with asyncio.timeout(timeout_s):
            while True:
                for line in self.lines[since:]:
                    if found := regex.search(line):
                        return found
                await asyncio.sleep(0.02)

    async def type(self, text: str) -> int:
        """Type one line; returns where the output stood, to expect what follows."""
        assert self.process.stdin is not None
        mark = len(self.lines)
        self.process.stdin.write(f"{text}\n".encode())
        await self.process.stdin.drain()
        return mark

    async def finish(self) -> int:
        """Wait for the process to end by itself; its exit status."""
        async with asyncio.timeout(60):
            status = await self.process.wait()
            await self._reader
        return status


async def test_console_chat_holds_a_conversation(tmp_path: Path) -> None:
    """Commands, a button press (twice), a wrong button, a bad command, alerts, and quit."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "demo", "--speed", "10", "--seconds", "600",
        cwd=tmp_path, env=env | {"PYTHONPATH": str(ROOT)},
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    chat = ChatProcess(process)
    try:
        await chat.expect("Liquidation-wave alerts are switched on", timeout_s=60)
        at = await chat.type("/risk BTC 10x long")
        await chat.expect(r"^BTC long 10x · Bybit · isolated", at)
        refresh = await chat.expect(r"\[(\d+)\] 🔄 Refresh", at)
        at = await chat.type(refresh.group(1))
        await chat.expect(r"liqguard ✎ message \d+ now reads:|liqguard · ", at)
        at = await chat.type(refresh.group(1))
        await chat.expect(r"liqguard · Updated|now reads:", at)
        at = await chat.type("77")
        await chat.expect("there is no button 77", at)
        at = await chat.type("/risk BTC 10x sideways")
        await chat.expect(r"Example: /risk BTC 10x long", at)
        await chat.expect(LADDER)
        await chat.expect(WAVE)
        at = await chat.type("/map BTC")
        await chat.expect(r"liqguard ▸ photo saved to .*photo-1\.png", at)
        await chat.type("quit")
        assert await chat.finish() == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    output = "".join(chat.lines)
    assert "Demo over after" in output
    assert "Traceback" not in output


async def test_headless_demo_alerts_within_sixty_simulated_seconds() -> None:
    """Headless, 60 simulated seconds bring at least one wave alert and one position alert."""
    out = io.StringIO()
    options = DemoOptions(speed=20.0, seconds=60.0, headless=True)
    async with asyncio.timeout(120):
        assert await run_demo(options, out=out) == 0
    text = out.getvalue()
    assert WAVE in text
    assert LADDER.search(text)
    assert "(within 2%)" in text
    assert "Demo over after" in text


async def test_demo_keeps_its_pace_without_scheduler_warnings(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """At 50 simulated seconds per second the market keeps up with the wall clock (catching up after a
    slow step) and nothing warns that a step was skipped."""
    out = io.StringIO()
    options = DemoOptions(speed=50.0, seconds=100.0, headless=True)
    loop = asyncio.get_running_loop()
    begun = loop.time()
    with caplog.at_level(logging.WARNING):
        async with asyncio.timeout(120):
            assert await run_demo(options, out=out) == 0
    assert [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()] == []
    assert "Demo over after 100 simulated seconds" in out.getvalue()
    # 100 simulated seconds at 50x are 2 s of stepping; start-up and delivery add a few seconds
    assert loop.time() - begun < 30


async def test_a_piped_script_is_read_as_the_bot_answers(tmp_path: Path) -> None:
    """All lines piped at once: the button number is pressed once the listing with its button is
    there, and every answer is shown before the demo says it is over."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    script = "/positions\n1\n/unwatch 1\n/funding BTC\n"
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "demo", "--speed", "10",
        cwd=tmp_path, env=env | {"PYTHONPATH": str(ROOT)},
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    async with asyncio.timeout(120):
        output, _ = await process.communicate(script.encode())
    text = output.decode()
    assert process.returncode == 0
    assert "there is no button" not in text
    assert "Removed #1." in text
    assert text.index("Removed #1.") < text.index("You have no watch #1 here")
    assert text.index("BTC funding · per venue") < text.index("Demo over after")


async def test_a_demo_run_again_on_its_database_keeps_the_watch_it_made(tmp_path: Path) -> None:
    """`--db` reused: the second run finds the watch the first one made and adds no other."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"
    outputs = []
    for _ in range(2):
        out = io.StringIO()
        options = DemoOptions(speed=20.0, seconds=5.0, headless=True, database_url=url)
        async with asyncio.timeout(120):
            assert await run_demo(options, out=out) == 0
        outputs.append(out.getvalue())
    store = await Store.open(url)
    try:
        watches = await store.watches.list_for_chat(CHAT_ID)
    finally:
        await store.close()
    assert [(w.venue, w.symbol, w.side, w.leverage) for w in watches] == [
        ("bybit", "BTC", "long", 20)
    ]
    assert "as if you had typed" in outputs[0]
    assert "as if you had typed" not in outputs[1]
    assert f"still watches the position it made in an earlier run (#{watches[0].id})" in outputs[1]
