"""How many wallets one sync round may read, and how long to hold off after Hyperliquid says 429.

Hyperliquid allows an IP an aggregated `/info` weight of 1200 per minute; `clearinghouseState`
weighs 2. The market poller needs part of it (`metaAndAssetCtxs`, `candleSnapshot`, `meta`: 20
each), so wallets get `weight_per_min` (600 by default: 300 reads a minute). A round every
`interval_s` then reads at most `weight_per_min · interval_s / 60 / 2` addresses, the longest
unread first, so with more wallets than that each is read every few rounds instead of the whole
set bursting over the limit.

After a 429 the sync holds off for the venue's `Retry-After` or the current backoff, whichever is
longer; the backoff doubles on every 429 in a row (from `base_backoff_s` up to `max_backoff_s`) and
resets after a round without one. Outages (5xx, timeouts) back off the same way once
`outage_after` reads in a row have failed (over rounds: one wallet failing three rounds running).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["WalletPacing"]

INFO_WEIGHT_PER_MIN = 1200
WALLET_READ_WEIGHT = 2


@dataclass
class WalletPacing:
    """The read budget of a round and the hold-off after rate limits and outages."""

    interval_s: float = 30.0
    weight_per_min: int = INFO_WEIGHT_PER_MIN // 2
    base_backoff_s: float = 5.0
    max_backoff_s: float = 300.0
    outage_after: int = 3
    resume_at: datetime | None = None
    backoff_s: float = 0.0

    @property
    def reads_per_round(self) -> int:
        """Addresses one round may read inside the weight budget (at least one)."""
        weight = self.weight_per_min * self.interval_s / 60.0
        return max(1, int(weight // WALLET_READ_WEIGHT))

    def holding(self, now: datetime) -> bool:
        """Whether the sync must wait before reading again."""
        return self.resume_at is not None and now < self.resume_at

    def hold(self, now: datetime, retry_after_s: float = 0.0) -> float:
        """Hold off after a 429 or an outage; returns the seconds held."""
        self.backoff_s = min(
            self.max_backoff_s,
            max(self.base_backoff_s, self.backoff_s * 2) if self.backoff_s else self.base_backoff_s,
        )
        held_s = max(self.backoff_s, retry_after_s)
        self.resume_at = now + timedelta(seconds=held_s)
        return held_s

    def settle(self) -> None:
        """A round went through: the next 429 starts from the base backoff again."""
        self.backoff_s = 0.0
        self.resume_at = None
