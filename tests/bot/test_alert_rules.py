"""The distance ladder with hysteresis, the crossing, and clusters in the way: scalar and vectorised."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.alerts.ladder import (
    CLUSTER_COOLDOWN_S,
    LadderState,
    cluster_due,
    evaluate_ladder,
    ladder_matrix,
    remember_cluster,
    step,
)

LADDER = (10.0, 5.0, 2.0)
CROSSED = len(LADDER) + 1


def walk(path: list[float], ladder: tuple[float, ...] = LADDER) -> tuple[list[int], LadderState]:
    """The alert levels a scripted path of distances produces, and the final state."""
    state, fired = LadderState(), []
    for distance in path:
        state, level = step(state, distance, ladder)
        if level is not None:
            fired.append(level)
    return fired, state


def test_a_path_down_the_ladder_alerts_once_per_step_then_crossed() -> None:
    """Going down through 10 %, 5 %, 2 % and past zero gives four alerts in order."""
    fired, state = walk([15, 12, 9.5, 8, 4.9, 3, 1.9, 1.0, -0.2, -1.0])
    assert fired == [1, 2, 3, CROSSED]
    assert state == LadderState(CROSSED, 0)


def test_a_wobble_on_a_threshold_sends_one_alert() -> None:
    """A distance wobbling around 5 % (inside the 20 % band) alerts once, not on every dip."""
    fired, _ = walk([6.5, 4.99, 5.01, 4.98, 5.2, 4.9, 5.9, 4.95])
    assert fired == [1, 2]  # 6.5 % is within the 10 % step; then 5 % once


def test_a_step_re_arms_only_beyond_its_band() -> None:
    """After recovering past 6 % the 5 % step alerts again, with a new arm count."""
    fired, state = walk([4.5, 5.9, 4.5, 6.1, 4.5])
    assert fired == [2, 2]
    assert state.arm == 1


def test_a_jump_over_steps_says_the_deepest() -> None:
    """Falling from 12 % straight to 1.5 % gives one alert, for the 2 % step."""
    fired, _ = walk([12, 1.5])
    assert fired == [3]


def test_crossed_is_said_once_and_re_arms_beyond_the_first_step() -> None:
    """The crossing is the last word until the distance is back beyond 12 % (10 % × 1.2)."""
    fired, state = walk([1, -1, 3, -1, 11.9, -1])
    assert fired == [3, CROSSED]
    fired, state = walk([1, -1, 12.5, 9, -1])
    assert fired == [3, CROSSED, 1, CROSSED]
    assert state.arm == 1


def test_nan_distance_changes_nothing() -> None:
    """A watch without a liquidation price never alerts."""
    assert step(LadderState(2, 3), float("nan"), LADDER) == (LadderState(2, 3), None)


def test_stored_state_round_trips_and_survives_a_ladder_change() -> None:
    """The JSON state keeps the crossing apart, so a shorter ladder still reads it as crossed."""
    crossed = LadderState(CROSSED, 2).to_stored(len(LADDER))
    assert LadderState.from_stored(crossed, len(LADDER)) == LadderState(CROSSED, 2)
    assert LadderState.from_stored(crossed, 2) == LadderState(3, 2)
    assert LadderState.from_stored({"level": 3, "arm": 1}, 2) == LadderState(2, 1)
    assert LadderState.from_stored({"level": "x"}, 3) == LadderState()


ladders = st.lists(st.floats(0.5, 30, allow_nan=False), min_size=1, max_size=4, unique=True).map(
    lambda xs: tuple(sorted(xs, reverse=True))
)
distances = st.one_of(st.floats(-5, 40, allow_nan=False), st.just(float("nan")))


@settings(max_examples=150, deadline=None)
@given(
    paths=st.lists(st.lists(distances, min_size=1, max_size=12), min_size=1, max_size=8),
    chosen=st.lists(ladders, min_size=1, max_size=8),
)
def test_vectorised_ladder_matches_the_scalar_rule(
    paths: list[list[float]], chosen: list[tuple[float, ...]]
) -> None:
    """On random paths and per-watch ladders, `evaluate_ladder` agrees with `step` at every tick."""
    count = len(paths)
    own = [chosen[i % len(chosen)] for i in range(count)]
    matrix = ladder_matrix(own)
    levels = np.zeros(count, dtype=np.int64)
    states = [LadderState()] * count
    for tick in range(max(len(p) for p in paths)):
        d = np.array([p[tick] if tick < len(p) else np.nan for p in paths])
        levels, fired, rearmed = evaluate_ladder(d, levels, matrix)
        for i in range(count):
            before = states[i]
            states[i], level = step(before, float(d[i]), own[i])
            assert levels[i] == states[i].level
            assert fired[i] == (level or 0)
            assert bool(rearmed[i]) == (states[i].arm > before.arm)


def test_vectorised_ladder_takes_one_shared_ladder() -> None:
    """A 1-D ladder applies to every watch."""
    levels, fired, _ = evaluate_ladder(
        np.array([11.0, 9.0, 4.0, -1.0]), np.zeros(4, dtype=np.int64), np.array(LADDER)
    )
    assert levels.tolist() == [0, 1, 2, CROSSED]
    assert fired.tolist() == [0, 1, 2, CROSSED]


def test_a_cluster_is_announced_once_per_cooldown_with_a_new_number() -> None:
    """The same price bin is due again only after the cooldown, and its count goes up."""
    memory, first = remember_cluster({}, 42, 1000.0)
    assert first == 0
    assert not cluster_due(memory, 42, 1000.0 + CLUSTER_COOLDOWN_S - 1)
    assert cluster_due(memory, 43, 1001.0)
    assert cluster_due(memory, 42, 1000.0 + CLUSTER_COOLDOWN_S)
    _, second = remember_cluster(memory, 42, 1000.0 + CLUSTER_COOLDOWN_S)
    assert second == 1
