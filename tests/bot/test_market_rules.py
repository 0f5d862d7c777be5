"""Liquidation waves (open, grow, close) and funding extremes and flips, step by step."""

from __future__ import annotations

from bot.alerts.market_rules import (
    CLOSE_AFTER_S,
    EDIT_EVERY_S,
    FundingEvent,
    WaveAction,
    WavePoint,
    WaveSample,
    backdate_wave,
    carried_by,
    step_funding,
    step_wave,
    wave_began,
    wave_threshold,
)
from bot.vocabulary.waves import FundingState, WaveState

M = 1_000_000.0
WAVE = {"min_usd": 50 * M, "rate_multiple": 3.0, "cooldown_s": 1800.0}


def sample(
    t: float, hour_usd: float, usual: float | None = 10 * M, price: float = 100.0
) -> WaveSample:
    """A wave sample at second `t` with 60 % longs."""
    return WaveSample(t, hour_usd, usual, 0.6, price)


def run(
    samples: list[WaveSample], state: WaveState | None = None
) -> tuple[list[WaveAction], WaveState]:
    """The actions a sequence of samples produces."""
    state, actions = state or WaveState(), []
    for s in samples:
        state, action = step_wave(state, s, **WAVE)
        if action:
            actions.append(action)
    return actions, state


def test_threshold_is_the_larger_of_floor_and_multiple() -> None:
    """The floor holds in calm markets; the multiple of the usual rate in busy ones."""
    assert wave_threshold(10 * M, 50 * M, 3) == 50 * M
    assert wave_threshold(40 * M, 50 * M, 3) == 120 * M


def test_a_wave_opens_grows_with_edits_and_closes_with_a_final_edit() -> None:
    """One open, edits only on 20 % growth and at most every minute, one close after the lull."""
    path = [
        sample(0, 40 * M),
        sample(10, 55 * M, price=100),
        sample(20, 80 * M, price=98),  # grown 45 %, but too soon after the open
        sample(10 + EDIT_EVERY_S, 90 * M, price=97),  # an edit
        sample(20 + EDIT_EVERY_S, 95 * M),  # not 20 % more than told
        sample(10 + 2 * EDIT_EVERY_S, 120 * M, price=95),  # an edit
        sample(1000, 20 * M),  # below half the threshold: the lull starts
        sample(1000 + CLOSE_AFTER_S - 1, 20 * M),
        sample(1000 + CLOSE_AFTER_S, 20 * M, price=96),
    ]
    actions, state = run(path)
    assert actions == ["open", "edit", "edit", "close"]
    assert not state.open
    assert state.peak_usd == 120 * M
    assert (state.start_price, state.price, state.edits) == (100, 96, 3)
    assert state.closed_s == 1000 + CLOSE_AFTER_S


def test_a_lull_that_ends_early_keeps_the_wave_open() -> None:
    """Dipping below the close level and back resets the lull clock."""
    actions, state = run([
        sample(0, 60 * M), sample(100, 20 * M), sample(300, 40 * M),
        sample(100 + CLOSE_AFTER_S, 20 * M),
    ])  # fmt: skip
    assert actions == ["open"]
    assert state.open


def test_a_new_wave_waits_for_the_cooldown() -> None:
    """After a close, the same scope opens again only once the chat's wave cooldown passed."""
    _, closed = run([sample(0, 60 * M), sample(10, 1 * M), sample(10 + CLOSE_AFTER_S, 1 * M)])
    end = 10 + CLOSE_AFTER_S
    assert run([sample(end + 60, 70 * M)], closed)[0] == []
    assert run([sample(end + 1800, 70 * M)], closed)[0] == ["open"]


def test_the_stored_wave_round_trips() -> None:
    """A wave's JSON reads back as the same state; junk reads as a fresh state."""
    _, state = run([sample(0, 60 * M)])
    assert WaveState.from_stored(state.to_stored()) == state
    assert WaveState.from_stored({"nope": 1}) == WaveState()


def funding_path(
    rates: list[tuple[float, float]], cooldown_s: float = 3600
) -> list[FundingEvent | None]:
    """The funding events of (time, 8h rate in percent) steps, level 0.05 %."""
    state, events = FundingState(), []
    for now, rate in rates:
        state, event = step_funding(state, rate, now, extreme_pct=0.05, cooldown_s=cooldown_s)
        events.append(event)
    return events


def test_funding_extreme_is_said_once_and_re_armed_below_80_percent() -> None:
    """An extreme alerts once while it lasts, again only after easing below 0.04 %."""
    events = funding_path([(0, 0.01), (10_000, 0.06), (20_000, 0.07), (30_000, 0.045),
                           (40_000, 0.03), (50_000, 0.06)])  # fmt: skip
    assert events == [None, "extreme", None, None, None, "extreme"]


def test_funding_flip_ignores_the_dead_band() -> None:
    """A sign change counts; hovering around zero inside the dead band does not."""
    events = funding_path([(0, 0.01), (10_000, 0.001), (20_000, -0.001), (30_000, -0.01)])
    assert events == [None, None, None, "flip"]


def test_funding_alerts_respect_the_cooldown() -> None:
    """Within the cooldown a flip is not said; an extreme still pending is said once it passes."""
    events = funding_path([(0, 0.01), (100, -0.01), (200, 0.01), (300, 0.08), (4000, 0.08)])
    assert events == [None, "flip", None, None, "extreme"]


def test_a_wave_began_at_the_last_calm_point_with_a_price() -> None:
    """The start is the last sample under half the threshold that had a price; else the oldest priced."""
    points = [
        WavePoint(0, 10 * M, 60_000),
        WavePoint(5, 20 * M, 59_900),
        WavePoint(10, 24 * M, None),
        WavePoint(15, 40 * M, 59_000),
    ]
    assert wave_began(points, 50 * M) == points[1]
    assert wave_began(points[3:], 50 * M) == points[3]
    assert wave_began([WavePoint(0, 1 * M, None)], 50 * M) is None


def test_backdating_moves_the_start_back_never_forward() -> None:
    """An opened wave takes the earlier start and its price; a later or missing point changes nothing."""
    opened, _action = step_wave(WaveState(), sample(100, 60 * M, price=59_220), **WAVE)
    back = backdate_wave(opened, WavePoint(40, 10 * M, 60_000))
    assert (back.started_s, back.start_price, back.price) == (40, 60_000, 59_220)
    assert backdate_wave(opened, WavePoint(120, 10 * M, 1.0)) == opened
    assert backdate_wave(opened, None) == opened


def test_one_coin_carries_the_market_only_when_the_rest_is_calm() -> None:
    """The biggest coin in a wave carries the market when the rest is under the market's threshold."""
    assert carried_by(112 * M, {"BTC": 112 * M}, 100 * M) == "BTC"
    assert carried_by(160 * M, {"BTC": 112 * M, "ETH": 5 * M}, 100 * M) == "BTC"
    assert carried_by(230 * M, {"BTC": 112 * M}, 100 * M) is None
    assert carried_by(112 * M, {}, 100 * M) is None


def test_without_a_usual_rate_the_floor_alone_opens_and_no_multiple_is_claimed() -> None:
    """A bot that has heard too little has no usual rate: the wave needs the floor, says no ×."""
    assert wave_threshold(None, 50 * M, 3) == 50 * M
    actions, state = run([sample(0, 40 * M, usual=None), sample(10, 60 * M, usual=None)])
    assert actions == ["open"]
    assert state.multiple is None


def test_the_closed_wave_tells_the_multiple_of_its_peak() -> None:
    """The final edit shows the peak hour; its multiple is the peak's, not the lull's."""
    path = [
        sample(0, 60 * M, usual=10 * M),
        sample(10 + EDIT_EVERY_S, 200 * M, usual=10 * M),  # the peak: 20x
        sample(1000, 20 * M, usual=40 * M),
        sample(1000 + CLOSE_AFTER_S, 20 * M, usual=40 * M),
    ]
    actions, state = run(path)
    assert actions == ["open", "edit", "close"]
    assert state.peak_usd == 200 * M
    assert state.peak_multiple == 20.0


def test_the_usual_rate_is_the_hours_heard_before_the_last_one() -> None:
    """The baseline leaves out the hour being judged and divides by the hours the bot has heard
    (from its oldest event), not by a whole week; under six hours heard there is none yet."""
    from datetime import UTC, datetime, timedelta

    from bot.alerts.market_watch import read_market
    from bot.market.state import MarketState
    from bot.vocabulary.records import LiquidationEvent

    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    market = MarketState(lambda: now, ("bybit",))

    def liq(hours_ago: float, usd: float) -> LiquidationEvent:
        return LiquidationEvent(
            "bybit", "BTC", "long", 90_000, usd / 90_000, usd, now - timedelta(hours=hours_ago)
        )

    market.add_liquidations([liq(3, 1 * M), liq(0.5, 100 * M)])
    early = read_market(market, ["BTC"], now).waves["BTC"]
    assert early.hour_usd == 100 * M
    assert early.usual_hourly_usd is None  # 3 hours heard: too little to call anything usual
    market.add_liquidations([liq(21, 9 * M)])
    later = read_market(market, ["BTC"], now).waves["BTC"]
    assert later.usual_hourly_usd == 10 * M / 20  # 10M over the 20 hours before the last one
