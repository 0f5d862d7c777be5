"""What the bot says to a command it does not know or to plain text: pure, and tested on its own.

An unknown command is answered with the closest known one (by spelling, or by what the word usually
means: `/price` → `/risk`, `/liq` → `/liqs`) and `/help`. Plain text that reads like a position
(`BTC 10x long`, "what's my liq price for eth 20x short?") yields the words `/risk` would read; any
other text gets a one-line hint.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from bot.commands.positions import SIDE_WORDS, VENUE_ALIASES, split_words
from bot.render.limits import quote_input
from bot.vocabulary.symbols import read_symbol

__all__ = [
    "PLAIN_TEXT_HINT",
    "closest_command",
    "position_words",
    "unknown_command_reply",
]

PLAIN_TEXT_HINT = "Send a position like <code>BTC 10x long</code> for its liquidation risk, or /help for every command."
_MEANINGS = {
    "price": "risk", "liq": "liqs", "liquidation": "risk", "liquidations": "liqs", "card": "risk",
    "calc": "risk", "check": "risk", "pos": "positions", "list": "positions", "heatmap": "map",
    "chart": "map", "settings": "alerts", "config": "alerts", "rates": "funding", "rate": "funding",
    "fund": "funding", "commands": "help", "menu": "help", "add": "watch", "remove": "unwatch",
}  # fmt: skip
_LEVERAGE_WORD = re.compile(r"(?:x\d+(?:[.,]\d+)?|\d+(?:[.,]\d+)?x)")
_VALUE_KEYWORDS = frozenset({"@", "at", "entry", "size", "margin", "wallet"})
_NUMBERISH = re.compile(r"[@$]?\d[\d.,]*[km]?\$?")


def closest_command(name: str, known: Sequence[str]) -> str | None:
    """The known command `name` was most likely meant to be, or None.

    >>> closest_command("risk_", ["risk", "watch"]), closest_command("price", ["risk", "map"])
    ('risk', 'risk')
    """
    word = name.lower().strip("_")
    if word in known:
        return word
    if _MEANINGS.get(word) in known:
        return _MEANINGS[word]
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    if close:
        return close[0]
    prefixed = [command for command in known if word and command.startswith(word[:3])]
    return prefixed[0] if len(prefixed) == 1 else None


def unknown_command_reply(name: str, args: Sequence[str], known: Sequence[str]) -> str:
    """The HTML reply to `/name args…`: the closest known command (with the same words) and /help."""
    shown = quote_input(name)
    best = closest_command(name, known)
    if best is None:
        return f"I don't know /{shown}. Send /help for every command."
    words = quote_input(" ".join(args)) if args else ""
    suggestion = f"/{best} {words}".rstrip()
    return (
        f"I don't know /{shown}. Did you mean <code>{suggestion}</code>? /help lists every command."
    )


def position_words(text: str, tracked: Sequence[str]) -> list[str] | None:
    """The words of `text` that `/risk` would read, when the text reads like a position; else None.

    A text reads like a position when it names a tracked coin and a leverage (`10x`) or a side; the
    words around them that no position uses ("what's my liq price for") are left out.
    """
    words = [word.strip("?!.,;:()\"'") for word in split_words(text)]
    words = [word for word in words if word]
    kept = [
        word
        for word, after in zip(words, [*words[1:], ""], strict=False)
        if _is_position_word(word, after, tracked)
    ]
    lowered = [word.lower() for word in kept]
    has_coin = any(read_symbol(word, tracked) for word in kept)
    has_leverage = any(_LEVERAGE_WORD.fullmatch(word) for word in lowered)
    has_side = any(word in ("long", "short") for word in lowered)
    return kept if has_coin and (has_leverage or has_side) else None


def _is_position_word(word: str, after: str, tracked: Sequence[str]) -> bool:
    """Whether `/risk` reads `word` (a keyword only where the word after it is what it takes)."""
    lower = word.lower()
    if lower in _VALUE_KEYWORDS:
        return _NUMBERISH.fullmatch(after.lower()) is not None
    if lower == "on":
        return after.lower() in VENUE_ALIASES
    return (
        read_symbol(word, tracked) is not None
        or lower in SIDE_WORDS
        or lower in VENUE_ALIASES
        or lower in ("cross", "isolated", "iso")
        or _LEVERAGE_WORD.fullmatch(lower) is not None
        or _NUMBERISH.fullmatch(lower) is not None
    )
