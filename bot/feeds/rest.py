"""JSON over HTTP for every venue: one call, errors mapped onto the `ExchangeError` tree."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import orjson

from bot.feeds.errors import ExchangeRejected, ExchangeUnavailable, MalformedPayload, RateLimited

__all__ = ["DEFAULT_RATE_LIMIT_STATUSES", "request_json", "retry_after_s"]

DEFAULT_RATE_LIMIT_STATUSES: Mapping[int, float] = {429: 1.0, 418: 120.0}
"""HTTP status → seconds to wait when the venue gives no `Retry-After` (418 = Binance IP ban)."""


def retry_after_s(headers: httpx.Headers, default_s: float) -> float:
    """Seconds from a `Retry-After` header (a number of seconds), else `default_s`."""
    value = headers.get("Retry-After")
    if value is None:
        return default_s
    try:
        return max(0.0, float(value))
    except ValueError:
        return default_s


async def request_json(
    client: httpx.AsyncClient,
    venue: str,
    url: str,
    *,
    params: Mapping[str, str | int] | None = None,
    body: Any = None,
    rate_limit_statuses: Mapping[int, float] = DEFAULT_RATE_LIMIT_STATUSES,
) -> Any:
    """GET `url` (or POST `body` as JSON when given) and return the decoded JSON body.

    Raises:
        RateLimited: a status in `rate_limit_statuses`, with the venue's `Retry-After` when sent.
        ExchangeUnavailable: 5xx, timeout or connection error.
        ExchangeRejected: any other non-2xx status.
        MalformedPayload: the body is not JSON.
    """
    try:
        if body is None:
            response = await client.get(url, params=params)
        else:
            response = await client.post(url, params=params, json=body)
    except httpx.TimeoutException as exc:
        raise ExchangeUnavailable(venue, f"timeout on {url}") from exc
    except httpx.TransportError as exc:
        raise ExchangeUnavailable(venue, f"{type(exc).__name__} on {url}") from exc
    status = response.status_code
    if status in rate_limit_statuses:
        wait_s = retry_after_s(response.headers, rate_limit_statuses[status])
        raise RateLimited(venue, wait_s, f"HTTP {status} on {url}")
    if status >= 500:
        raise ExchangeUnavailable(venue, f"HTTP {status} on {url}")
    if status >= 400:
        raise ExchangeRejected(venue, f"HTTP {status} on {url}: {response.text[:200]}")
    try:
        return orjson.loads(response.content)
    except ValueError as exc:
        raise MalformedPayload(venue, "body", f"not JSON from {url}") from exc
