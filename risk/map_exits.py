"""Exits that depend on the path since entry: stop losses and profit targets of a level's positions.

Traders set stops between entry and the liquidation price and take profits at targets, both measured
in their margin: the distance from entry to the liquidation price. The cohort map holds this as two
shares, fitted like the rest of the map (`risk.calibration`): ``σ`` of a level's positions have a
stop, spread evenly between entry and the liquidation price, and ``τ`` a target, spread evenly within
one margin distance on the profitable side. A position whose stop or target the price has reached
since its entry is gone, though the map still shows its liquidation price until then.

For a level of side ``s`` (+1 long, −1 short), entry log price ``e`` and log level ``b``, with
margin distance ``d = s·(e − b) > 0``, the running extremes of log price since entry give

    u = clip(s·(e − adverse)/d, 0, 1),   v = clip(s·(favourable − e)/d, 0, 1)

(``adverse`` the lowest low for a long, the highest high for a short; ``favourable`` the other), and
the share still open is

    (1 − σ·u)·(1 − τ·v).

Units: log prices; shares in [0, 1). Once the price reaches the level itself ``u = 1``: of what is
liquidated there, ``1 − σ`` had no stop.

Limits: stops and targets are spread evenly, whatever the leverage; a position that both stops
and targets counts twice (the product treats them as independent); the extremes of the 5-minute
range stand for the path inside it.

>>> import numpy as np
>>> exit_survival(np.array([0.0]), np.array([-0.1]), np.array([-0.05]), np.array([0.0]),
...               np.array([1]), stop_share=0.4, target_share=0.5).round(3).tolist()
[0.8]
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["exit_survival"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def exit_survival(
    entry_log: FloatArray,
    level_log: FloatArray,
    low_log: FloatArray,
    high_log: FloatArray,
    sign: IntArray,
    *,
    stop_share: float,
    target_share: float,
) -> FloatArray:
    """The share of each level's positions not stopped out or taken profit (module docstring).

    Args:
        entry_log: log entry price per level.
        level_log: log liquidation price per level.
        low_log: lowest log low since entry (``+inf``: none yet).
        high_log: highest log high since entry (``−inf``: none yet).
        sign: +1 for a long level, −1 for a short one.
    """
    s = sign.astype(np.float64)
    margin = s * (entry_log - level_log)
    adverse = np.where(sign > 0, low_log, high_log)
    favourable = np.where(sign > 0, high_log, low_log)
    with np.errstate(invalid="ignore"):
        u = np.nan_to_num(np.clip(s * (entry_log - adverse) / margin, 0.0, 1.0))
        v = np.nan_to_num(np.clip(s * (favourable - entry_log) / margin, 0.0, 1.0))
    share: FloatArray = (1.0 - stop_share * u) * (1.0 - target_share * v)
    return share
