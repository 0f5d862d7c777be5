"""How many wallets one sync round may read, and how long to hold off after Hyperliquid says 429.

Hyperliquid allows an IP an aggregated `/info` weight of 1200 per minute; `clearinghouseState`
weighs 2. The market poller needs part of it (`metaAndAssetCtxs`, `candleSnapshot`, `meta`: 20
each), so wallets get `weight_per_min` (600 by default: 300 reads a minute). A round every
`interval_s` then reads at most `weight_per_min · interval_s / 60 / 2` addresses, the longest
unread first, so with more wallets than that each is read every few rounds instead of the whole
set bursting over the limit.

After a 429 the sync holds off for the venue's `Retry-After` or the backoff (the one rule,
`bot.vocabulary.backoff.Backoff`: 5 s doubling to 5 min, with jitter), whichever is longer; each
hold in a row is the next attempt, and a round without one starts over. Outages (5xx, timeouts) back off the same way once
`outage_after` reads in a row have failed (over rounds: one wallet failing three rounds running).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.feeds.hyperliquid import WALLET_WEIGHT
from bot.vocabulary.backoff import Backoff

__all__ = ["WalletPacing"]

INFO_WEIGHT_PER_MIN = 1200
"""Hyperliquid's aggregated `/info` weight per minute and IP."""


@dataclass
class WalletPacing:
    """The read budget of a round and the hold-off after rate limits and outages."""

    interval_s: float = 30.0
    weight_per_min: int = INFO_WEIGHT_PER_MIN // 2
    backoff: Backoff = field(
        default_factory=lambda: Backoff(initial_s=5.0, max_s=300.0, jitter=0.2)
    )
    outage_after: int = 3
    resume_at: datetime | None = None
    holds: int = 0
    """Holds in a row since the last round that went through."""

    @property
    def reads_per_round(self) -> int:
        """Addresses one round may read inside the weight budget (at least one)."""
        weight = self.weight_per_min * self.interval_s / 60.0
        return max(1, int(weight // WALLET_WEIGHT))

    def holding(self, now: datetime) -> bool:
        """Whether the sync must wait before reading again."""
        return self.resume_at is not None and now < self.resume_at

    def hold(self, now: datetime, retry_after_s: float = 0.0) -> float:
        """Hold off after a 429 or an outage; returns the seconds held."""
        held_s = max(self.backoff.delay_s(self.holds), retry_after_s)
        self.holds += 1
        self.resume_at = now + timedelta(seconds=held_s)
        return held_s

    def settle(self) -> None:
        """A round went through: the next 429 starts from the base backoff again."""
        self.holds = 0
        self.resume_at = None
