"""The words of `/wallet 0x… [label]` (and `/watch 0x…`): an address, then an optional label. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.commands.positions import ArgsError
from bot.vocabulary.wallets import ADDRESS_EXAMPLE, is_address

__all__ = ["MAX_LABEL_CHARS", "WalletArgs", "looks_like_address", "parse_wallet_args"]

MAX_LABEL_CHARS = 32
EXAMPLE = f"{ADDRESS_EXAMPLE} main"


@dataclass(frozen=True, slots=True)
class WalletArgs:
    """A valid address (lower case) and the label the user gave it, if any."""

    address: str
    label: str | None = None


def looks_like_address(word: str) -> bool:
    """Whether the user meant an address (it starts with 0x), valid or not."""
    return word.lower().startswith("0x")


def parse_wallet_args(words: Sequence[str]) -> WalletArgs | ArgsError:
    """The address and label, or why not (with an example that works)."""
    if not words:
        return ArgsError(
            "Give the Hyperliquid address to watch (and a label if you like).", EXAMPLE
        )
    address, rest = words[0], words[1:]
    if not is_address(address):
        shown = address if len(address) <= 50 else f"{address[:47]}…"
        return ArgsError(
            f"{shown!r} is not an address: it takes 0x and 40 hex digits (42 characters, "
            f"this one has {len(address)}).",
            EXAMPLE,
        )
    label = " ".join(rest).strip() or None
    if label is not None and len(label) > MAX_LABEL_CHARS:
        return ArgsError(f"The label is too long: {MAX_LABEL_CHARS} characters at most.", EXAMPLE)
    return WalletArgs(address.lower(), label)
