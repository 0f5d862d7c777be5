"""Ingest timings for tests: short timeouts and near-zero backoff, so failure tests finish in well
under a second each. (Production uses `IngestConfig()`; benchmarks too.)"""

from __future__ import annotations

from bot.feeds.stream import StreamTimeouts
from bot.market.ingest import IngestConfig
from bot.vocabulary.backoff import Backoff

__all__ = ["FAST_INGEST"]

FAST_INGEST = IngestConfig(
    backoff=Backoff(initial_s=0.01, max_s=0.05),
    flush_every_s=0.02,
    timeouts=StreamTimeouts(
        open_timeout_s=2, silence_s=1.0, ping_interval_s=0.1, ping_timeout_s=0.3,
        close_timeout_s=0.1, app_ping_interval_s=0.05,
    ),
)  # fmt: skip
