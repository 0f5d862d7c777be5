"""JobQueue jobs: each callback is a thin adapter around one service call.

Jobs run with `max_instances=1` and `coalesce=True`, so a slow run is never stacked on itself.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from telegram.ext import CallbackContext, JobQueue

from bot.alerts.engine import Alerts
from bot.maps.refit import MapRefit
from bot.maps.score import MapScorer
from bot.market.backfill import Backfill
from bot.market.ingest import Ingestor, PollKind
from bot.outbox.sender import Sender
from bot.services import Services
from bot.wallets.sync import AnnouncementGate

__all__ = [
    "register_alert_jobs",
    "register_heap_job",
    "register_ingest_jobs",
    "register_model_jobs",
    "register_outbox_prune_job",
    "register_refit_job",
    "register_summary_job",
    "register_wallet_job",
    "start_mirror",
    "warm_maps",
]

log = logging.getLogger(__name__)
JOB_KWARGS = {"max_instances": 1, "coalesce": True}
MODEL_UPDATE_S = 60.0
REFIT_S = 3600.0
TIER_RELOAD_S = 600.0
MIRROR_S = 5.0
MARKET_ALERTS_S = 10.0
CLUSTER_ALERTS_S = 30.0
DIGESTS_S = 60.0
SUMMARY_CHECK_S = 30.0
MIRROR_LAG = timedelta(seconds=10)
"""The worker writes liquidations in batches; the mirror reads only what is surely written."""

Job = Callable[[CallbackContext[Any, Any, Any, Any]], Coroutine[Any, Any, None]]


def _job(action: Callable[[], Awaitable[object]]) -> Job:
    async def callback(context: CallbackContext[Any, Any, Any, Any]) -> None:
        del context
        await action()

    return callback


FIRST_POLL_S = 0.1
"""Delay of the first poll. Not 0: APScheduler's interval trigger, handed a start a moment in the past,
schedules the first run one whole interval later."""


def register_ingest_jobs(job_queue: JobQueue[Any], ingestor: Ingestor) -> None:
    """Schedule the polls: snapshots, candles and tiers at once and then every period; pruning daily."""
    config = ingestor.config
    periods: dict[PollKind, float] = {
        "snapshots": config.snapshot_every_s,
        "candles": config.candles_every_s,
        "tiers": config.tiers_every_s,
    }
    for kind, every_s in periods.items():
        job_queue.run_repeating(
            _job(partial(ingestor.ingest_once, kind)), every_s, first=FIRST_POLL_S,
            name=f"ingest {kind}", job_kwargs=JOB_KWARGS,
        )  # fmt: skip
    job_queue.run_repeating(
        _job(ingestor.prune), config.prune_every_s, first=60, name="prune market data",
        job_kwargs=JOB_KWARGS,
    )  # fmt: skip


def register_outbox_prune_job(job_queue: JobQueue[Any], sender: Sender, every_s: float) -> None:
    """Finished outbox rows pruned on the market data's schedule (daily), the first a minute in."""
    job_queue.run_repeating(
        _job(sender.prune_finished), every_s, first=60, name="prune outbox",
        job_kwargs=JOB_KWARGS,
    )  # fmt: skip


def register_model_jobs(
    job_queue: JobQueue[Any], services: Services, time_scale: float = 1.0
) -> None:
    """The liquidation-map rebuild now and updates every minute; tier tables reloaded every 10 min.

    `time_scale` > 1 runs the map updates that many times as often (a simulated clock running fast).
    """
    job_queue.run_once(_job(services.maps.rebuild), 0, name="rebuild liquidation maps")
    update_s = MODEL_UPDATE_S / time_scale
    job_queue.run_repeating(
        _job(services.maps.update), update_s, first=update_s,
        name="update liquidation maps", job_kwargs=JOB_KWARGS,
    )  # fmt: skip
    job_queue.run_repeating(
        _job(services.tiers.reload), TIER_RELOAD_S, first=TIER_RELOAD_S,
        name="reload tier tables", job_kwargs=JOB_KWARGS,
    )  # fmt: skip


async def warm_maps(backfill: Backfill, services: Services, refit: MapRefit) -> None:
    """Backfill the venues' history, rebuild the maps on it (warm within a minute of start), then
    fit them to the stored liquidations.

    A failure is logged, never raised: the maps then warm up from live data, on the defaults.
    """
    try:
        await backfill.run()
    except Exception:
        log.exception("backfill failed; the maps warm up from live data")
    await services.maps.rebuild()
    try:
        await refit.refit()
    except Exception:
        log.exception("map refit failed; the stated defaults stay in force")


def register_refit_job(job_queue: JobQueue[Any], refit: MapRefit, scorer: MapScorer) -> None:
    """Worker: the maps refitted to the last 7 days of liquidations every hour; the live score's
    hours checked every minute (held and scored hourly, `bot.maps.score`)."""
    job_queue.run_repeating(
        _job(refit.refit), REFIT_S, first=REFIT_S, name="refit liquidation maps",
        job_kwargs=JOB_KWARGS,
    )  # fmt: skip
    job_queue.run_repeating(
        _job(scorer.tick), MODEL_UPDATE_S, first=MODEL_UPDATE_S, name="score liquidation maps",
        job_kwargs=JOB_KWARGS,
    )  # fmt: skip


def register_heap_job(
    job_queue: JobQueue[Any], refreeze: Callable[[], None], interval_s: float
) -> None:
    """The garbage collector's hourly full pass and re-freeze (`bot.runtime.processes`)."""

    async def run() -> None:
        refreeze()

    job_queue.run_repeating(
        _job(run), interval_s, first=interval_s, name="refreeze heap", job_kwargs=JOB_KWARGS
    )


def register_summary_job(job_queue: JobQueue[Any], services: Services) -> None:
    """Scheduled summaries: every 30 s, the due ones go to the outbox (bot/summaries/posts.py)."""
    job_queue.run_repeating(
        _job(services.summaries.post_due), SUMMARY_CHECK_S, first=SUMMARY_CHECK_S,
        name="post scheduled summaries", job_kwargs=JOB_KWARGS,
    )  # fmt: skip


def register_wallet_job(
    job_queue: JobQueue[Any], services: Services, gate: AnnouncementGate
) -> None:
    """Watched Hyperliquid wallets read every 30 s (bot/wallets/pacing.py), the first round at once;
    what changed is announced through `gate` (the worker's alert book, as every alert)."""
    job_queue.run_repeating(
        _job(partial(services.wallets.sync.sync_once, gate)), services.wallets.sync_interval_s,
        first=1.0, name="sync wallets", job_kwargs=JOB_KWARGS,
    )  # fmt: skip


def register_alert_jobs(job_queue: JobQueue[Any], alerts: Alerts, time_scale: float = 1.0) -> None:
    """Market alerts every 10 s, clusters in the way every 30 s, digests of held alerts every minute.

    `time_scale` > 1 runs them that many times as often (a simulated clock running fast).
    """
    for action, every_s, name in (
        (alerts.market.evaluate, MARKET_ALERTS_S, "market alerts"),
        (alerts.engine.check_clusters, CLUSTER_ALERTS_S, "cluster alerts"),
        (alerts.send_digests, DIGESTS_S, "alert digests"),
    ):
        interval_s = every_s / time_scale
        job_queue.run_repeating(
            _job(action), interval_s, first=interval_s, name=name, job_kwargs=JOB_KWARGS
        )


class _Mirror:
    """Keeps a web process's market state in step with what the worker writes to the database."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.seen_until: datetime | None = None

    async def once(self) -> None:
        store, market = self.services.store, self.services.market
        until = self.services.clock() - MIRROR_LAG
        market.update_snapshots(await store.snapshots.latest())
        start = self.seen_until or until - timedelta(days=7)
        market.add_liquidations(await store.liquidations.since(start, until=until))
        self.seen_until = until


async def start_mirror(job_queue: JobQueue[Any], services: Services) -> None:
    """Web processes: load the market from the database now, then every few seconds; model jobs too."""
    mirror = _Mirror(services)
    await mirror.once()
    job_queue.run_repeating(
        _job(mirror.once), MIRROR_S, first=MIRROR_S, name="mirror market", job_kwargs=JOB_KWARGS
    )
    register_model_jobs(job_queue, services)
    job_queue.run_repeating(  # the worker refits hourly; a web process rebuilds on the stored fits
        _job(services.maps.rebuild), REFIT_S, first=REFIT_S, name="reload map fits",
        job_kwargs=JOB_KWARGS,
    )  # fmt: skip
