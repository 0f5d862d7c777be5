"""Position alert rules, pure: the distance ladder with hysteresis, the crossing, clusters in the way.

The ladder. A chat's ladder is a few distances from the liquidation price, in percent of mark, largest
first (default 10 %, 5 %, 2 %). A watch's `level` counts the steps it has crossed so far (0 … n), and
``n + 1`` means the mark crossed the liquidation price itself (distance ≤ 0). On each distance ``d``:

    deep(d) = n + 1 if d ≤ 0, else the number of steps t with d ≤ t
    hold(d) = the number of steps t with d ≤ t · (1 + HYSTERESIS)

    deep(d) > level ........ one alert, for step deep(d) (a jump over several steps says the deepest)
    level = n + 1 (crossed)  stays until d > ladder[0] · (1 + HYSTERESIS), then back to 0 (re-armed)
    otherwise .............. level = min(level, hold(d)): a step re-arms only once the distance has
                             recovered beyond it by the hysteresis band

HYSTERESIS is a band of 20 % of each step: the 10 % step re-arms above 12 %, the 5 % step above 6 %, the
2 % step above 2.4 %. A price wobbling on a threshold therefore sends one alert, not fifty. Each re-arm
bumps the watch's `arm` count, which goes into the alert's idempotency key
(`pos:{watch}:{level}:{arm}`): the same crossing re-evaluated after a restart yields the same key.

A new watch starts at the steps its confirmation already told: the confirmation of /watch says how far
the liquidation price is, so the watch is stored with that distance (`confirmed_pct`) and no state;
its first state is then `deep(confirmed_pct)` (`LadderState.begun`), and a watch confirmed inside the
10 % step next alerts at 5 %, not with a "within 10 %" right under its confirmation.

`step` is the rule for one watch, written for clarity; `evaluate_ladder` is the same rule for every
watch of a symbol at once (numpy), and is tested against `step` on random paths.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "CLUSTER_COOLDOWN_S",
    "HYSTERESIS",
    "ClusterMemory",
    "LadderState",
    "cluster_due",
    "evaluate_ladder",
    "ladder_matrix",
    "remember_cluster",
    "step",
]

HYSTERESIS = 0.2
"""A step re-arms once the distance is back above step × (1 + HYSTERESIS)."""
CLUSTER_COOLDOWN_S = 6 * 3600.0
"""The same cluster (price bin) is announced to a watch at most once in this long."""

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class LadderState:
    """Steps crossed so far (`level`; n + 1 = liquidation crossed) and how often it re-armed."""

    level: int = 0
    arm: int = 0

    def to_stored(self, steps: int) -> dict[str, Any]:
        """JSON for `watches.alert_state` (crossing kept apart so a ladder change keeps its meaning)."""
        return {"level": min(self.level, steps), "crossed": self.level > steps, "arm": self.arm}

    @classmethod
    def begun(cls, stored: dict[str, Any], ladder: Sequence[float]) -> LadderState:
        """The state of a watch: as stored, or for one never evaluated, the steps its confirmation told.

        >>> LadderState.begun({"confirmed_pct": 7.0}, (10, 5, 2))
        LadderState(level=1, arm=0)
        >>> LadderState.begun({"confirmed_pct": 7.0, "level": 0, "arm": 1}, (10, 5, 2))
        LadderState(level=0, arm=1)
        """
        confirmed = stored.get("confirmed_pct")
        if "level" in stored or not isinstance(confirmed, int | float):
            return cls.from_stored(stored, len(ladder))
        return cls(_deep(float(confirmed), ladder) if np.isfinite(confirmed) else 0, 0)

    @classmethod
    def from_stored(cls, stored: dict[str, Any], steps: int) -> LadderState:
        """The state kept in the database for a ladder of `steps` steps (forgiving of bad values)."""
        level, arm = stored.get("level", 0), stored.get("arm", 0)
        level = min(level, steps) if isinstance(level, int) and level >= 0 else 0
        level = steps + 1 if stored.get("crossed") is True else level
        return cls(level, arm if isinstance(arm, int) and arm >= 0 else 0)


def _deep(distance: float, ladder: Sequence[float]) -> int:
    if distance <= 0:
        return len(ladder) + 1
    return sum(1 for t in ladder if distance <= t)


def _hold(distance: float, ladder: Sequence[float]) -> int:
    return sum(1 for t in ladder if distance <= t * (1 + HYSTERESIS))


def step(
    state: LadderState, distance_pct: float, ladder: Sequence[float]
) -> tuple[LadderState, int | None]:
    """The new state and the level to alert for (None: no alert); see the module docstring.

    >>> step(LadderState(), 4.0, (10, 5, 2))
    (LadderState(level=2, arm=0), 2)
    >>> step(LadderState(2, 0), 5.5, (10, 5, 2))  # inside the 5 % step's band: still held
    (LadderState(level=2, arm=0), None)
    """
    if not np.isfinite(distance_pct):
        return state, None
    deep = _deep(distance_pct, ladder)
    if deep > state.level:
        return LadderState(deep, state.arm), deep
    hold = _hold(distance_pct, ladder)
    crossed = state.level == len(ladder) + 1
    level = state.level if crossed and hold > 0 else min(state.level, hold)
    return LadderState(level, state.arm + (level < state.level)), None


def ladder_matrix(ladders: Sequence[Sequence[float]]) -> FloatArray:
    """One row per watch, its ladder padded with -inf (a step never reached) to the longest length."""
    width = max((len(ladder) for ladder in ladders), default=0)
    out = np.full((len(ladders), width), -np.inf)
    for row, ladder in enumerate(ladders):
        out[row, : len(ladder)] = ladder
    return out


def evaluate_ladder(
    distances: FloatArray, levels: IntArray, ladders: FloatArray
) -> tuple[IntArray, IntArray, npt.NDArray[np.bool_]]:
    """`step` for many watches at once: (new levels, alert level or 0, re-armed mask).

    ``ladders`` is one ladder for all (shape ``(k,)``) or one row per watch padded with -inf (shape
    ``(w, k)``, see `ladder_matrix`). NaN distances leave the watch unchanged.
    """
    d = distances[:, None]
    steps = np.count_nonzero(np.isfinite(ladders), axis=-1)
    deep = np.where(distances <= 0, steps + 1, np.count_nonzero(d <= ladders, axis=-1))
    hold = np.count_nonzero(d <= ladders * (1 + HYSTERESIS), axis=-1)
    crossed = levels == steps + 1
    settled = np.where(crossed & (hold > 0), levels, np.minimum(levels, hold))
    fires = deep > levels
    known = np.isfinite(distances)
    new_levels = np.where(known, np.where(fires, deep, settled), levels).astype(np.int64)
    fired = np.where(known & fires, deep, 0).astype(np.int64)
    return new_levels, fired, new_levels < levels


# Clusters in the way ---------------------------------------------------------------------------

ClusterMemory = dict[str, list[float]]
"""Per cluster price bin (as a string, for JSON): [times announced, last time in epoch seconds]."""


def cluster_due(memory: ClusterMemory, price_bin: int, now_s: float) -> bool:
    """Whether the cluster at `price_bin` may be announced to this watch now (once per cooldown)."""
    seen = memory.get(str(price_bin))
    return seen is None or now_s - seen[1] >= CLUSTER_COOLDOWN_S


def remember_cluster(
    memory: ClusterMemory, price_bin: int, now_s: float
) -> tuple[ClusterMemory, int]:
    """The memory after announcing `price_bin`, and the announcement's number (for its key)."""
    count = int(memory.get(str(price_bin), [0, 0.0])[0])
    return {**memory, str(price_bin): [count + 1, now_s]}, count
