"""Ingest timings for tests: short timeouts and near-zero backoff, so failure tests finish in well
under a second each. (Production uses `IngestConfig()`; benchmarks too.)"""

from __future__ import annotations

from dataclasses import replace

from bot.feeds.stream import StreamTimeouts
from bot.market.ingest import IngestConfig
from bot.vocabulary.backoff import Backoff

__all__ = ["E2E_INGEST", "FAST_INGEST"]

FAST_INGEST = IngestConfig(
    backoff=Backoff(initial_s=0.01, max_s=0.05),
    flush_every_s=0.02,
    timeouts=StreamTimeouts(
        open_timeout_s=2, silence_s=1.0, ping_interval_s=0.1, ping_timeout_s=0.3,
        close_timeout_s=0.1, app_ping_interval_s=0.05,
    ),
)  # fmt: skip

E2E_INGEST = replace(
    FAST_INGEST,
    timeouts=replace(FAST_INGEST.timeouts, silence_s=3.0, ping_timeout_s=1.0),
)
"""For the running bot in end-to-end tests: a quiet second on a busy 2-core machine is not a gap (a
test that reads "fed" must not see one), while a frozen venue still shows as one within seconds."""
