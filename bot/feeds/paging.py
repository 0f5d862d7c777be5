"""Paging of the venues' history endpoints: time windows of at most one page each.

A window holds at most ``per_page`` points of ``step_ms``, so each request is answered in full
whichever end of the window the venue counts from (Binance's ``openInterestHist`` and the klines
of every venue differ there). Windows run newest first: a cut-off backfill keeps the recent part.
"""

from __future__ import annotations

__all__ = ["page_windows"]


def page_windows(start_ms: int, end_ms: int, step_ms: int, per_page: int) -> list[tuple[int, int]]:
    """``(first_ms, last_ms)`` windows, both ends included, covering ``[start_ms, end_ms]``.

    >>> page_windows(0, 1_000, 100, 4)
    [(700, 1000), (399, 699), (98, 398), (0, 97)]
    """
    if step_ms <= 0 or per_page <= 0:
        raise ValueError("step_ms and per_page must be positive")
    windows = []
    last = end_ms
    while last >= start_ms:
        first = max(start_ms, last - (per_page - 1) * step_ms)
        windows.append((first, last))
        last = first - 1
    return windows
