"""Which tracked coins each venue lists, asked once at start, so an unknown coin is dropped early.

`SYMBOLS=BTC,FOOBAR` names a coin no venue lists: left in, it would fail every poll of the venues
that ask per coin and widen the tables it appears in. `find_listings` asks every venue for its
instruments; a coin none of the venues that answered lists is dropped, with one warning line. A venue
that does not answer lists nothing against anyone (its coins are not judged by it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.feeds.errors import ExchangeError

__all__ = ["CoinLister", "Listings", "find_listings"]


class CoinLister(Protocol):
    """A venue client that can list its coins."""

    async def list_coins(self) -> set[str]:
        """Every coin the venue lists."""
        ...


@dataclass(frozen=True, slots=True)
class Listings:
    """What the venues list of the tracked coins."""

    kept: tuple[str, ...]
    dropped: tuple[str, ...]
    by_venue: dict[str, set[str]] = field(default_factory=dict)
    """The tracked coins each venue that answered lists."""
    unanswered: dict[str, str] = field(default_factory=dict)
    """Venue → why it could not be asked."""

    def warning(self) -> str | None:
        """One line naming the dropped coins, or None."""
        if not self.dropped:
            return None
        asked = ", ".join(sorted(self.by_venue))
        return (
            f"SYMBOLS: {', '.join(self.dropped)} listed by none of {asked}; dropped "
            f"(tracking {', '.join(self.kept)})"
        )


async def _ask(client: CoinLister) -> set[str] | str:
    try:
        return await client.list_coins()
    except ExchangeError as error:
        return str(error)
    except (KeyError, TypeError, ValueError) as error:  # a body without the documented shape
        return f"unreadable instrument list ({error!r})"


async def find_listings(clients: Mapping[str, CoinLister], symbols: Sequence[str]) -> Listings:
    """Ask every venue at once which of `symbols` it lists."""
    venues = list(clients)
    answers = await asyncio.gather(*(_ask(clients[venue]) for venue in venues))
    listed = {
        v: set(symbols) & a for v, a in zip(venues, answers, strict=True) if isinstance(a, set)
    }
    failed = {v: a for v, a in zip(venues, answers, strict=True) if isinstance(a, str)}
    if not listed:  # nobody answered: judge nothing
        return Listings(tuple(symbols), (), {}, failed)
    anywhere = set().union(*listed.values())
    kept = tuple(s for s in symbols if s in anywhere)
    dropped = tuple(s for s in symbols if s not in anywhere)
    return Listings(kept, dropped, listed, failed)
