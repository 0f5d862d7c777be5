"""`MapFit`: the fitted (or default) assumptions of the cohort liquidation map, as a JSON-able value.

A fit says what the map cannot see: the leverage mix of new positions (share of notional per
leverage), how fast positions go away (``half_life_s``: the exit hazard ``h = ln 2 / half_life_s``)
the long share of new open interest, and the shares of positions with a stop loss and a profit
target (``stop_share``, ``target_share``: `risk.map_exits`). High leverage is held for less time:
bucket ``L`` exits at ``h_L = h·(L/10)^γ`` (``hazard_exponent`` γ, 0: one rate for all; ``h`` is
then the rate at 10x), and the book as a whole at ``h_book = 1/Σ_L (w_L/h_L)``, the rate at which a
stationary book of that mix is closed (its stock per bucket is ``w_L/h_L`` per unit of new
notional; with γ = 0 it is ``h``). ``evidence`` says what the fit rests on, so the bot can say
"leverage mix fitted from 7 days of liquidations: 5x 20 %, 10x 35 %, …"; ``fitted`` is ``False`` when
the stated defaults were kept for lack of evidence.

The JSON shape (`MapFit.to_json`, `MapFit.from_json`)::

    {"leverage_weights": [[2.0, 0.15], [3.0, 0.15], ...],
     "half_life_s": 259200.0, "long_share": 0.5, "stop_share": 0.25, "target_share": 0.25,
     "fitted": true,
     "evidence": {"days": 7.0, "intervals": 2016, "events": 5120, "notional_usd": 4.1e8,
                  "censored_intervals": 12, "loss_ratio": 0.41}}

JSON written before the exit shares existed reads with both at 0 (no path-dependent exits), and
before ``hazard_exponent`` existed with it at 0 (one exit rate).

>>> fit = default_map_fit()
>>> MapFit.from_json(fit.to_json()) == fit
True
>>> fit.describe()
'leverage mix (default, no fit): 2x 15 %, 3x 15 %, 5x 20 %, 10x 20 %, 20x 10 %, 25x 5 %, 50x 8 %, 75x 2 %, 100x 4 %, 125x 1 %; half-life 3.0 days; long share 50 %'
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field

from risk.errors import InvalidInputError

__all__ = [
    "DEFAULT_FIT_LEVERAGE_WEIGHTS",
    "DEFAULT_HALF_LIFE_S",
    "HAZARD_REFERENCE_LEVERAGE",
    "FitEvidence",
    "MapFit",
    "default_map_fit",
]

DEFAULT_FIT_LEVERAGE_WEIGHTS: tuple[tuple[float, float], ...] = (
    (2.0, 0.15),
    (3.0, 0.15),
    (5.0, 0.20),
    (10.0, 0.20),
    (20.0, 0.10),
    (25.0, 0.05),
    (50.0, 0.08),
    (75.0, 0.02),
    (100.0, 0.04),
    (125.0, 0.01),
)
"""The stated prior: share of new notional per leverage. Most notional is opened at low leverage
(large accounts use little), most *positions* at high leverage; the fit moves away from it."""

DEFAULT_HALF_LIFE_S = 3 * 86_400.0
"""The stated prior half-life of an open position: three days."""

HAZARD_REFERENCE_LEVERAGE = 10.0
"""The leverage whose exit rate is ``ln 2 / half_life_s`` when the rate depends on leverage."""


@dataclass(frozen=True, slots=True)
class FitEvidence:
    """What a fit used: ``days`` of history, intervals, realized events and their notional (USD).

    ``censored_intervals`` counts interval-sides whose sampled stream was saturated (a lower bound
    only); ``loss_ratio`` is the fit's loss over the loss of the prior (below 1: the fit explains
    the realized liquidations better than the prior); ``heard_days`` is how much of the history the
    streams were listened to (``None`` in fits stored before it was counted: all of it).
    """

    days: float = 0.0
    intervals: int = 0
    events: int = 0
    notional_usd: float = 0.0
    censored_intervals: int = 0
    loss_ratio: float = 1.0
    heard_days: float | None = None

    @property
    def days_heard(self) -> float:
        """Days of history the streams were heard (all of them for fits stored before)."""
        return self.days if self.heard_days is None else self.heard_days


@dataclass(frozen=True, slots=True)
class MapFit:
    """Assumptions of the cohort map; see the module docstring. Immutable, JSON round-trips."""

    leverage_weights: tuple[tuple[float, float], ...] = DEFAULT_FIT_LEVERAGE_WEIGHTS
    half_life_s: float = DEFAULT_HALF_LIFE_S
    long_share: float = 0.5
    fitted: bool = False
    evidence: FitEvidence = field(default_factory=FitEvidence)
    stop_share: float = 0.0
    target_share: float = 0.0
    hazard_exponent: float = 0.0

    def __post_init__(self) -> None:
        if not self.leverage_weights:
            raise InvalidInputError("The leverage mix needs at least one bucket.")
        if any(lev < 1 or w < 0 for lev, w in self.leverage_weights):
            raise InvalidInputError("Leverage buckets need leverage ≥ 1 and a weight ≥ 0.")
        if not math.isclose(sum(w for _, w in self.leverage_weights), 1.0, abs_tol=1e-6):
            raise InvalidInputError("The leverage weights must sum to 1.")
        if not (math.isfinite(self.half_life_s) and self.half_life_s > 0):
            raise InvalidInputError(f"The half-life must be positive; got {self.half_life_s:g}.")
        if not 0 < self.long_share < 1:
            raise InvalidInputError(f"The long share must be in (0, 1); got {self.long_share:g}.")
        for name, share in (("stop", self.stop_share), ("target", self.target_share)):
            if not 0 <= share < 1:
                raise InvalidInputError(f"The {name} share must be in [0, 1); got {share:g}.")
        if not (math.isfinite(self.hazard_exponent) and 0 <= self.hazard_exponent <= 3):
            raise InvalidInputError(
                f"The hazard exponent must be in [0, 3]; got {self.hazard_exponent:g}."
            )

    @property
    def leverages(self) -> tuple[float, ...]:
        """The leverage of each bucket."""
        return tuple(lev for lev, _ in self.leverage_weights)

    @property
    def weights(self) -> tuple[float, ...]:
        """The share of new notional of each bucket."""
        return tuple(w for _, w in self.leverage_weights)

    @property
    def hazard_per_s(self) -> float:
        """``h = ln 2 / half_life_s``: the rate at which open positions are closed, per second."""
        return math.log(2) / self.half_life_s

    @property
    def bucket_hazards_per_s(self) -> tuple[float, ...]:
        """``h_L = h·(L/10)^γ`` per bucket: the exit rate of each leverage, per second."""
        h, gamma = self.hazard_per_s, self.hazard_exponent
        return tuple(h * (lev / HAZARD_REFERENCE_LEVERAGE) ** gamma for lev in self.leverages)

    @property
    def book_hazard_per_s(self) -> float:
        """``h_book = 1/Σ_L (w_L/h_L)``: the exit rate of a stationary book of the mix (``h`` when
        γ = 0); it sets the gross openings that keep the open interest up."""
        if self.hazard_exponent == 0:
            return self.hazard_per_s
        stock = sum(w / h for w, h in zip(self.weights, self.bucket_hazards_per_s, strict=True))
        return 1.0 / stock

    @property
    def book_half_life_s(self) -> float:
        """``ln 2 / h_book``: the half-life of the book as a whole."""
        if self.hazard_exponent == 0:
            return self.half_life_s
        return math.log(2) / self.book_hazard_per_s

    def to_json(self) -> str:
        """The fit as a JSON object (the shape in the module docstring)."""
        data = asdict(self)
        data["leverage_weights"] = [list(pair) for pair in self.leverage_weights]
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> MapFit:
        """The fit `to_json` wrote.

        Raises:
            InvalidInputError: the text is not a fit's JSON.
        """
        try:
            data = json.loads(text)
            weights = tuple((float(lev), float(w)) for lev, w in data["leverage_weights"])
            return cls(
                weights,
                float(data["half_life_s"]),
                float(data["long_share"]),
                bool(data["fitted"]),
                FitEvidence(**data["evidence"]),
                float(data.get("stop_share", 0.0)),
                float(data.get("target_share", 0.0)),
                float(data.get("hazard_exponent", 0.0)),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise InvalidInputError(f"Not a map fit: {error}") from error

    def describe(self) -> str:
        """One line for people: the mix, the half-life and the side split, and what they rest on."""
        mix = ", ".join(f"{lev:g}x {100 * w:.0f} %" for lev, w in self.leverage_weights if w > 0)
        days = self.half_life_s / 86_400
        tail = f"half-life {days:.1f} days; long share {100 * self.long_share:.0f} %"
        if self.stop_share or self.target_share:
            tail += (
                f"; stops {100 * self.stop_share:.0f} %, targets {100 * self.target_share:.0f} %"
            )
        if self.hazard_exponent:
            tail += f"; exits × (L/10)^{self.hazard_exponent:g}"
        if not self.fitted:
            return f"leverage mix (default, no fit): {mix}; {tail}"
        ev = self.evidence
        return (
            f"leverage mix fitted from {ev.days_heard:.1f} days of liquidations "
            f"({ev.events} events, ${ev.notional_usd / 1e6:,.0f}M): {mix}; {tail}"
        )


def default_map_fit() -> MapFit:
    """The stated defaults, used until there is evidence to fit."""
    return MapFit()
