"""The noise gate, pure: what happens to a chat's alert (send, send silently, hold, drop) and digests.

    mode off ............ dropped (the kind is switched off in /alerts)
    quiet hours ......... held; one digest listing what was held goes out when they end
    over the hourly cap . held; the digest goes out in the next clock hour (never silently dropped)
    otherwise ........... sent, without sound when the kind is `silent`

The cap counts messages sent in the current clock hour (UTC), digests included; edits of a message
already sent (a growing wave) are not new messages and pass the gate untouched. Held alerts are kept
as one line each, and a line already held is not held twice (an alert made again after a restart,
whose own state was saved after the gate's). A digest lists at most DIGEST_LINES of them and counts
the rest. Its idempotency key carries the chat's digest number, so a digest re-made after a restart
is not sent twice.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

from bot.vocabulary.alert_settings import Mode

__all__ = [
    "DIGEST_LINES",
    "GateState",
    "Verdict",
    "admit",
    "digest_due",
    "take_digest",
    "withdraw",
]

DIGEST_LINES = 30
HOUR_S = 3600

Verdict = Literal["send", "silent", "hold", "drop"]


@dataclass(frozen=True, slots=True)
class GateState:
    """One chat's counters: messages in the current hour, alerts held, digests sent so far."""

    hour: int = 0
    sent: int = 0
    held: tuple[str, ...] = ()
    held_loud: bool = False
    held_quiet: bool = False
    digests: int = 0

    def to_stored(self) -> dict[str, Any]:
        """JSON for the chat's alert state."""
        stored = asdict(self)
        stored["held"] = list(self.held)
        return stored

    @classmethod
    def from_stored(cls, stored: Any) -> GateState:
        """Back from JSON; a fresh state when it does not fit."""
        if not isinstance(stored, dict):
            return cls()
        try:
            return cls(**{**stored, "held": tuple(stored.get("held", ()))})
        except TypeError:
            return cls()


def _in_hour(state: GateState, now_s: float) -> GateState:
    hour = int(now_s // HOUR_S)
    return state if state.hour == hour else replace(state, hour=hour, sent=0)


def admit(
    state: GateState, mode: Mode, line: str, *, quiet: bool, cap: int, now_s: float
) -> tuple[GateState, Verdict]:
    """Decide one new alert's fate; `line` is what a digest will say about it if it is held."""
    if mode == "off":
        return state, "drop"
    state = _in_hour(state, now_s)
    if quiet or state.sent >= cap:
        if line in state.held:  # the same alert made again after a restart: one digest line
            return state, "hold"
        held = replace(
            state,
            held=(*state.held, line),
            held_loud=state.held_loud or mode == "on",
            held_quiet=state.held_quiet or quiet,
        )
        return held, "hold"
    return replace(state, sent=state.sent + 1), "send" if mode == "on" else "silent"


def withdraw(state: GateState, before: GateState, after: GateState) -> GateState:
    """`state` less what one decision (`before` → `after`) added: its sends in that hour, its held
    lines. For a decision whose write failed after other alerts had passed the gate since: theirs
    stand, its own go.

    >>> b = GateState(hour=5)
    >>> a = GateState(hour=5, sent=1)
    >>> withdraw(GateState(hour=5, sent=2, held=("x",), held_loud=True), b, a).sent
    1
    """
    start = _in_hour(before, after.hour * HOUR_S)
    sent = after.sent - start.sent if state.hour == after.hour else 0
    added = set(after.held) - set(start.held)
    held = tuple(line for line in state.held if line not in added)
    return replace(
        state,
        sent=max(0, state.sent - sent),
        held=held,
        held_loud=state.held_loud and bool(held),
        held_quiet=state.held_quiet and bool(held),
    )


def digest_due(state: GateState, *, quiet: bool, cap: int, now_s: float) -> bool:
    """Whether the held alerts should go out now as one digest."""
    return bool(state.held) and not quiet and _in_hour(state, now_s).sent < cap


def take_digest(state: GateState, now_s: float) -> tuple[GateState, tuple[str, ...], int]:
    """Empty the held alerts into a digest: (new state, the lines held, the digest's number)."""
    state = _in_hour(state, now_s)
    emptied = replace(
        state,
        sent=state.sent + 1,
        held=(),
        held_loud=False,
        held_quiet=False,
        digests=state.digests + 1,
    )
    return emptied, state.held, state.digests
