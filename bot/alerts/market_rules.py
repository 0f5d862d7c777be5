"""Market alert rules, pure: liquidation waves and funding extremes and flips, one step at a time.

A wave is one event per scope (a symbol, or `ALL` for the whole market) and chat:

    threshold   = max(wave_min_usd, wave_rate_multiple × usual hourly rate)
    opens ..... when the rolling 1h notional reaches the threshold (and the chat's wave cooldown has
                passed since the last wave of that scope closed): one message
    grows ..... an edit when the 1h notional is 20 % above what the message last said and at least
                EDIT_EVERY_S have passed since the last edit
    closes .... when the 1h notional has stayed below CLOSE_RATIO × threshold for CLOSE_AFTER_S: a
                final edit

A wave began at the last moment its scope was calm (1h notional under CLOSE_RATIO × threshold) within
the hour of samples kept (`wave_began`): its start time and start price are back-dated there, so the
opening message's price line shows the move since the wave began, not +0.0 %. One coin carries the
market's wave when its own wave is open and the rest of the market is below the market's threshold
(`carried_by`): the chat then gets the coin's wave alone, not the same dollars twice.

The usual hourly rate is what was liquidated in the 7 days before the last hour, over the hours of
that span the bot has heard (from its oldest event): the hour being judged is not its own baseline,
and a bot started yesterday does not divide a day's liquidations by a week. With under
`MIN_BASELINE_H` heard (`bot.alerts.market_watch`) there is no usual rate: the floor alone opens a
wave and no multiple is claimed. A closed wave tells the multiple of its peak hour.

Funding, per venue and symbol, normalised to 8 hours in percent: an extreme when |rate| ≥ the chat's
level (re-armed below 80 % of it), a flip when the sign differs from the last sign seen outside a dead
band of ±DEAD_BAND_8H_PCT; either is held back within the chat's funding cooldown of the last funding
alert for that venue and symbol.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from bot.vocabulary.waves import FundingState, WaveState

__all__ = [
    "CLOSE_AFTER_S",
    "CLOSE_RATIO",
    "DEAD_BAND_8H_PCT",
    "EDIT_EVERY_S",
    "EDIT_GROWTH",
    "FundingEvent",
    "WaveAction",
    "WavePoint",
    "WaveSample",
    "backdate_wave",
    "carried_by",
    "step_funding",
    "step_wave",
    "wave_began",
    "wave_threshold",
]

EDIT_EVERY_S = 60.0
EDIT_GROWTH = 0.2
CLOSE_RATIO = 0.5
CLOSE_AFTER_S = 600.0
DEAD_BAND_8H_PCT = 0.002
EXTREME_REARM = 0.8

WaveAction = Literal["open", "edit", "close"]
FundingEvent = Literal["extreme", "flip"]


@dataclass(frozen=True, slots=True)
class WaveSample:
    """What the market says about one scope at one moment (times in epoch seconds)."""

    now_s: float
    hour_usd: float
    usual_hourly_usd: float | None
    long_share: float | None
    price: float | None


@dataclass(frozen=True, slots=True)
class WavePoint:
    """One earlier sample of a scope, kept to find where a wave began."""

    now_s: float
    hour_usd: float
    price: float | None


def wave_threshold(usual_hourly_usd: float | None, min_usd: float, rate_multiple: float) -> float:
    """The 1h notional that makes a wave: max(min_usd, rate_multiple × usual hourly rate), the
    floor alone while there is no usual rate."""
    if usual_hourly_usd is None:
        return min_usd
    return max(min_usd, rate_multiple * usual_hourly_usd)


def wave_began(points: Sequence[WavePoint], threshold: float) -> WavePoint | None:
    """The last calm point (1h notional under CLOSE_RATIO × threshold) with a price; else the oldest.

    >>> pts = [WavePoint(0, 1.0, 60_000), WavePoint(5, 9.0, 59_500), WavePoint(10, 12.0, 59_220)]
    >>> wave_began(pts, threshold=10.0)
    WavePoint(now_s=0, hour_usd=1.0, price=60000)
    """
    priced = [p for p in points if p.price is not None]
    calm = [p for p in priced if p.hour_usd < CLOSE_RATIO * threshold]
    if calm:
        return calm[-1]
    return priced[0] if priced else None


def backdate_wave(state: WaveState, began: WavePoint | None) -> WaveState:
    """A wave just opened, its start moved back to where it began (its price path from there)."""
    if began is None or began.now_s >= state.started_s:
        return state
    return replace(state, started_s=began.now_s, start_price=began.price)


def carried_by(market_hour_usd: float, coins: Mapping[str, float], threshold: float) -> str | None:
    """The coin in a wave without which the market's 1h notional is under its threshold, or None.

    `coins` are the 1h notionals of the coins whose own wave is open in the chat.
    """
    if not coins:
        return None
    coin, hour_usd = max(coins.items(), key=lambda c: c[1])
    return coin if market_hour_usd - hour_usd < threshold else None


def step_wave(
    state: WaveState, sample: WaveSample, *, min_usd: float, rate_multiple: float, cooldown_s: float
) -> tuple[WaveState, WaveAction | None]:
    """The new state and what to do about it: open (send), edit, close (final edit) or nothing."""
    threshold = wave_threshold(sample.usual_hourly_usd, min_usd, rate_multiple)
    hot = sample.hour_usd >= threshold
    if not state.open:
        cooled = state.closed_s is None or sample.now_s - state.closed_s >= cooldown_s
        if not (hot and cooled):
            return state, None
        opened = WaveState(
            open=True, started_s=sample.now_s, start_price=sample.price, closed_s=state.closed_s
        )
        return _told(opened, sample), "open"
    grown = replace(
        state,
        price=sample.price if sample.price is not None else state.price,
        peak_usd=max(state.peak_usd, sample.hour_usd),
        hour_usd=sample.hour_usd,
        long_share=sample.long_share if sample.long_share is not None else state.long_share,
        multiple=_multiple(sample) or state.multiple,
    )
    if sample.hour_usd >= state.peak_usd:
        grown = replace(grown, peak_multiple=_multiple(sample))
    if sample.hour_usd >= CLOSE_RATIO * threshold:
        grown = replace(grown, below_since_s=None)
    elif grown.below_since_s is None:
        grown = replace(grown, below_since_s=sample.now_s)
    if grown.below_since_s is not None and sample.now_s - grown.below_since_s >= CLOSE_AFTER_S:
        return replace(grown, open=False, closed_s=sample.now_s, edits=state.edits + 1), "close"
    growing = sample.hour_usd >= state.told_usd * (1 + EDIT_GROWTH)
    if growing and sample.now_s - state.told_s >= EDIT_EVERY_S:
        return replace(_told(grown, sample), edits=state.edits + 1), "edit"
    return grown, None


def _multiple(sample: WaveSample) -> float | None:
    usual = sample.usual_hourly_usd
    return sample.hour_usd / usual if usual is not None and usual > 0 else None


def _told(state: WaveState, sample: WaveSample) -> WaveState:
    return replace(
        state,
        price=sample.price,
        peak_usd=max(state.peak_usd, sample.hour_usd),
        hour_usd=sample.hour_usd,
        long_share=sample.long_share,
        multiple=_multiple(sample),
        peak_multiple=_multiple(sample)
        if sample.hour_usd >= state.peak_usd
        else state.peak_multiple,
        told_usd=sample.hour_usd,
        told_s=sample.now_s,
    )


def step_funding(
    state: FundingState, rate_8h_pct: float, now_s: float, *, extreme_pct: float, cooldown_s: float
) -> tuple[FundingState, FundingEvent | None]:
    """The new state and the event to announce (an extreme outranks a flip on the same step)."""
    sign = state.sign
    if abs(rate_8h_pct) > DEAD_BAND_8H_PCT:
        sign = 1 if rate_8h_pct > 0 else -1
    flipped = state.sign not in (0, sign)
    extreme = state.extreme and abs(rate_8h_pct) >= EXTREME_REARM * extreme_pct
    event: FundingEvent | None = None
    if abs(rate_8h_pct) >= extreme_pct and not state.extreme:
        event = "extreme"
    elif flipped:
        event = "flip"
    cooled = state.last_alert_s is None or now_s - state.last_alert_s >= cooldown_s
    if event is None or not cooled:
        return replace(state, sign=sign, extreme=extreme), None
    told = FundingState(sign, extreme or event == "extreme", now_s, state.count + 1)
    return told, event
