"""What users type, generated: commands known and unknown, with words right and wrong, and plain text.

One vocabulary serves the hypothesis property tests (`messages()`) and `bench/bench_fuzz.py`
(`random_message`), so the bench fuzzes what the tests check. `verdict_of` judges the bot's answers to
one message as Telegram and a user would see them.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from typing import Literal

from hypothesis import strategies as st

from tests.fakes.telegram_wire import BotApiCall

__all__ = ["REPLY_METHODS", "Verdict", "messages", "random_message", "verdict_of"]

COMMANDS = [
    "risk", "watch", "positions", "unwatch", "liqs", "map", "funding", "alerts", "summary",
    "schedule", "help", "start", "stop",
]  # fmt: skip
UNKNOWN_COMMANDS = [
    "price", "liq", "x", "nosuchcommand", "risk_", "rsik", "watchh", "fundings", "maps", "pos",
    "START", "Risk", "liqs_", "heatmap", "settings", "a" * 300,
]  # fmt: skip
WORDS = [
    "BTC", "eth", "SOL", "btcusdt", "BTC-USDT", "BTC-USDT-SWAP", "ETH/USDT", "DOGE", "FOOBAR", "lol",
    "10x", "x25", "25", "0.5", "125x", "0x", "-5x", "1e9", "500x", "91000", "91k", "3,200",
    "long", "short", "l", "s", "buy", "sell", "@", "@91000", "@abc", "entry", "at", "size", "$5000",
    "5k$", "$", "margin", "500", "wallet", "20000", "cross", "isolated", "on", "bybit", "binance",
    "okx", "hl", "kraken", "chart", "hourly", "4h", "daily", "08:00", "25:00", "off", "ladder", "15",
    "8", "3", "tz", "Europe/Berlin", "Mars/Olympus", "quiet", "23:00", "07:00", "wave", "funding",
    "silent", "@channel", "-1001234567", "1", "2", "99", "<b>", "</i>", "&", "&amp;", "<script>",
    "💥", "🚀🚀", "\u200b", "ﷺ", "A" * 60, "Z" * 5000, "?", "...", "'", '"', "%s", "{}", "\\n",
]  # fmt: skip
PLAIN = [
    "BTC 10x long", "eth 20x short 3200", "what's my liq price for btc 10x long?", "hello",
    "sol 5x short on bybit", "how does this work", "10x", "btc", "/", "//", "long", "🙂",
]  # fmt: skip
REPLY_METHODS = ("sendMessage", "sendPhoto")
_LEAK = re.compile(r"Traceback|Exception\b|\b[A-Z][a-zA-Z]+Error\b|File \"|line \d+, in ")

Verdict = Literal["answered", "silent", "refused", "erroring"]


def _join(head: str, words: Sequence[str]) -> str:
    return " ".join([head, *words]).strip() or "?"


def random_message(rng: random.Random) -> str:
    """One message as a user might send it (the bench's generator)."""
    kind = rng.random()
    words = rng.choices(WORDS, k=rng.randint(0, 7))
    if kind < 0.6:
        return _join("/" + rng.choice(COMMANDS), words)
    if kind < 0.8:
        return _join("/" + rng.choice(UNKNOWN_COMMANDS), words)
    if kind < 0.9:
        return rng.choice(PLAIN)
    return _join(rng.choice(WORDS), words)


def messages() -> st.SearchStrategy[str]:
    """Messages as a user might send them (the property tests' strategy), never blank."""
    words = st.lists(st.sampled_from(WORDS) | st.text(min_size=1, max_size=12), max_size=7)
    heads = st.sampled_from(COMMANDS + UNKNOWN_COMMANDS).map(lambda c: "/" + c)
    commands = st.builds(_join, heads, words)
    plain = st.sampled_from(PLAIN) | st.text(min_size=1, max_size=80)
    return (commands | plain).filter(lambda text: text.strip() != "")


def verdict_of(calls: Sequence[BotApiCall], apology: str) -> Verdict:
    """How the bot answered one private message, from the calls it made to that chat."""
    replies = [c for c in calls if c.method in REPLY_METHODS]
    if any(not c.ok for c in calls):
        return "refused"
    texts = [c.text or "" for c in calls]
    if any(apology in text or _LEAK.search(text) for text in texts):
        return "erroring"
    return "answered" if replies else "silent"
