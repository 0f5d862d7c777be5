"""Hold one venue's WebSocket stream open: subscribe, keep alive, reconnect, record gaps.

`StreamRunner.run()` loops until cancelled: connect, send the subscriptions, read frames, and on a
disconnect, a silent connection (no frame, pong included, within `silence_s`) or a failed connect,
record a gap and reconnect after a jittered exponential backoff. A gap ends at the first frame after
it, not at the handshake: a venue that accepts each reconnect and closes it at once is still down,
one gap long, and the backoff keeps growing until a connection delivers.

Protocol pings from the server are answered by `websockets` itself; the venue's own ping text is sent
every `ping_interval_s`. The connection is renewed (without backoff or gap) before the venue's 24 h
cut. A frame the decoder cannot read is counted per kind, logged the first time that kind is seen, and
skipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Protocol

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from bot.feeds.errors import MalformedPayload
from bot.feeds.protocol import Decoded, Decoder, StreamSpec
from bot.vocabulary.backoff import Backoff
from bot.vocabulary.clock import Clock

__all__ = [
    "GapRecorder",
    "StreamRunner",
    "StreamStatus",
    "StreamTimeouts",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StreamTimeouts:
    """Connection timings; `renew_after_s`/`app_ping_interval_s` override the venue's when set."""

    open_timeout_s: float = 10.0
    silence_s: float = 60.0
    ping_interval_s: float = 20.0
    ping_timeout_s: float = 20.0
    close_timeout_s: float = 2.0
    renew_after_s: float | None = None
    app_ping_interval_s: float | None = None


class GapRecorder(Protocol):
    """Where gaps go (the store and the live coverage)."""

    async def gap_opened(self, venue: str, stream: str, started_at: datetime, reason: str) -> None:
        """A stream stopped delivering at `started_at`."""

    async def gap_closed(self, venue: str, stream: str, ended_at: datetime) -> None:
        """The stream delivers again from `ended_at`."""


@dataclass(slots=True)
class StreamStatus:
    """Counters and state of one stream, for logs, coverage and tests."""

    venue: str
    stream: str
    connected: bool = False
    connects: int = 0
    renewals: int = 0
    frames: int = 0
    gap_since: datetime | None = None
    last_frame_at: datetime | None = None
    malformed: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)


class StreamRunner:
    """Runs one `StreamSpec` until cancelled, handing each decoded frame to `on_items`."""

    def __init__(
        self,
        spec: StreamSpec,
        on_items: Callable[[Decoded], None],
        gaps: GapRecorder,
        clock: Clock,
        *,
        backoff: Backoff | None = None,
        timeouts: StreamTimeouts | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.timeouts = timeouts or StreamTimeouts()
        self.spec = replace(
            spec,
            renew_after_s=self.timeouts.renew_after_s or spec.renew_after_s,
            ping_interval_s=self.timeouts.app_ping_interval_s or spec.ping_interval_s,
        )
        self.status = StreamStatus(spec.venue, spec.name)
        self._on_items = on_items
        self._gaps = gaps
        self._clock = clock
        self._backoff = backoff or Backoff()
        self._sleep = sleep

    async def run(self) -> None:
        """Connect, read and reconnect forever (until the task is cancelled)."""
        attempt = 0
        while True:
            frames_before = self.status.frames
            reason = await self._connect_once()
            if self.status.frames > frames_before:  # it delivered: the venue was back
                attempt = 0
            if reason == "renew":
                self.status.renewals += 1
                continue
            await self._open_gap(reason)
            await self._sleep(self._backoff.delay_s(attempt))
            attempt += 1

    async def _connect_once(self) -> str:
        try:
            async with connect(
                self.spec.url,
                open_timeout=self.timeouts.open_timeout_s,
                ping_interval=self.timeouts.ping_interval_s,
                ping_timeout=self.timeouts.ping_timeout_s,
                close_timeout=self.timeouts.close_timeout_s,
                max_size=2**22,
            ) as ws:
                for message in self.spec.subscribe:
                    await ws.send(message)
                self.status.connects += 1
                self.status.connected = True
                return await self._pump(ws)
        except ConnectionClosed as exc:
            return f"disconnected: {exc}"[:200]
        except (OSError, TimeoutError, InvalidHandshake, InvalidURI) as exc:
            return f"connect failed: {type(exc).__name__} {exc}"[:200]
        except Exception as exc:  # a bug must not end the stream: log it and reconnect
            logger.exception("%s %s stream failed", self.spec.venue, self.spec.name)
            return f"error: {type(exc).__name__}"
        finally:
            self.status.connected = False

    async def _pump(self, ws: ClientConnection) -> str:
        loop = asyncio.get_running_loop()
        renew_at = loop.time() + self.spec.renew_after_s
        pinger = asyncio.create_task(self._ping(ws)) if self.spec.ping_text else None
        decoder = self.spec.make_decoder()
        try:
            while True:
                remaining = renew_at - loop.time()
                if remaining <= 0:
                    return "renew"
                try:
                    async with asyncio.timeout(min(self.timeouts.silence_s, remaining)):
                        frame = await ws.recv()
                except TimeoutError:
                    if loop.time() >= renew_at:
                        return "renew"
                    return f"missed heartbeat: nothing for {self.timeouts.silence_s:g} s"
                self.status.frames += 1
                self.status.last_frame_at = self._clock()
                if self.status.gap_since is not None:  # back once it speaks, not once it accepts
                    await self._close_gap()
                self._handle(decoder, frame)
        finally:
            if pinger is not None:
                pinger.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pinger

    async def _ping(self, ws: ClientConnection) -> None:
        assert self.spec.ping_text is not None
        with contextlib.suppress(ConnectionClosed):
            while True:
                await asyncio.sleep(self.spec.ping_interval_s)
                await ws.send(self.spec.ping_text)

    def _handle(self, decoder: Decoder, frame: str | bytes) -> None:
        try:
            decoded = decoder(frame)
        except MalformedPayload as exc:
            self._count_malformed(exc.kind, str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - an unforeseen frame must never stop the stream
            self._count_malformed(f"decoder {type(exc).__name__}", repr(exc))
            return
        for kind in decoded.skipped:
            self.status.skipped[kind] += 1
        self._on_items(decoded)

    def _count_malformed(self, kind: str, detail: str) -> None:
        self.status.malformed[kind] += 1
        if self.status.malformed[kind] == 1:
            logger.warning(
                "%s %s: skipping malformed frame (%s; logged once per kind): %s",
                self.spec.venue, self.spec.name, kind, detail[:300],
            )  # fmt: skip

    async def _open_gap(self, reason: str) -> None:
        if self.status.gap_since is not None:
            return
        started = self.status.last_frame_at or self._clock()
        self.status.gap_since = started
        logger.warning("%s %s gap from %s: %s", self.spec.venue, self.spec.name, started, reason)
        await self._gaps.gap_opened(self.spec.venue, self.spec.name, started, reason)

    async def _close_gap(self) -> None:
        if self.status.gap_since is None:
            return
        self.status.gap_since = None
        ended = self._clock()
        logger.info("%s %s stream back at %s", self.spec.venue, self.spec.name, ended)
        await self._gaps.gap_closed(self.spec.venue, self.spec.name, ended)
