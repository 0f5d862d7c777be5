"""The noise gate: modes, quiet hours that hold and one digest after, the hourly cap folded in."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from bot.alerts.gate import GateState, admit, digest_due, take_digest, withdraw
from bot.render.alert_text import render_digest
from bot.vocabulary.alert_settings import AlertSettings

HOUR = 3600.0
T0 = datetime(2026, 11, 21, 22, 0, tzinfo=UTC).timestamp()


def test_modes_send_silence_or_drop() -> None:
    """on sends, silent sends without sound, off drops without touching the counters."""
    state = GateState()
    state, on = admit(state, "on", "a", quiet=False, cap=5, now_s=T0)
    state, silent = admit(state, "silent", "b", quiet=False, cap=5, now_s=T0)
    after, off = admit(state, "off", "c", quiet=False, cap=5, now_s=T0)
    assert (on, silent, off) == ("send", "silent", "drop")
    assert after == state
    assert state.sent == 2


def test_quiet_hours_hold_and_one_digest_follows() -> None:
    """Alerts in quiet hours are held; when they end one digest lists all of them."""
    settings = AlertSettings(quiet_start="23:00", quiet_end="07:00")
    state = GateState()
    verdicts = []
    for i, hour in enumerate((23.5, 1, 3, 6.9)):
        moment = T0 + (hour - 22 + (24 if hour < 12 else 0)) * HOUR
        quiet = settings.in_quiet_hours(datetime.fromtimestamp(moment, UTC), "UTC")
        state, verdict = admit(state, "on", f"alert {i}", quiet=quiet, cap=20, now_s=moment)
        verdicts.append(verdict)
        assert not digest_due(state, quiet=quiet, cap=20, now_s=moment)
    assert verdicts == ["hold"] * 4
    morning = T0 + 9 * HOUR + 60  # 07:01 UTC
    assert not settings.in_quiet_hours(datetime.fromtimestamp(morning, UTC), "UTC")
    assert digest_due(state, quiet=False, cap=20, now_s=morning)
    emptied, lines, number = take_digest(state, morning)
    assert lines == ("alert 0", "alert 1", "alert 2", "alert 3")
    assert number == 0
    assert not digest_due(emptied, quiet=False, cap=20, now_s=morning)
    assert emptied.digests == 1
    text = render_digest(lines, quiet=state.held_quiet, cap=20, max_lines=30)
    assert text.startswith("📬 <b>4 alert(s) held during quiet hours</b>")
    assert "• alert 3" in text


def test_an_alert_made_again_is_held_once() -> None:
    """The same alert admitted twice in quiet hours (re-made after a restart) is one digest line."""
    state = GateState()
    state, first = admit(state, "on", "BTC long 10x #1 within 5%", quiet=True, cap=20, now_s=T0)
    again, second = admit(state, "on", "BTC long 10x #1 within 5%", quiet=True, cap=20, now_s=T0)
    assert (first, second) == ("hold", "hold")
    assert again == state
    assert again.held == ("BTC long 10x #1 within 5%",)


def test_over_the_cap_alerts_fold_into_the_next_hours_digest() -> None:
    """Past the cap nothing is dropped: the excess waits for the next hour's digest."""
    state, verdicts = GateState(), []
    for i in range(5):
        state, verdict = admit(state, "on", f"a{i}", quiet=False, cap=3, now_s=T0 + i)
        verdicts.append(verdict)
    assert verdicts == ["send", "send", "send", "hold", "hold"]
    assert not digest_due(state, quiet=False, cap=3, now_s=T0 + 600)
    assert digest_due(state, quiet=False, cap=3, now_s=T0 + HOUR)
    emptied, lines, _ = take_digest(state, T0 + HOUR)
    assert lines == ("a3", "a4")
    assert emptied.sent == 1  # the digest counts in its hour
    text = render_digest(lines, quiet=state.held_quiet, cap=3, max_lines=30)
    assert "over your cap of 3 alerts an hour" in text


def test_a_long_digest_shows_the_latest_and_counts_the_rest() -> None:
    """A digest lists at most `max_lines` alerts and says how many earlier ones it left out."""
    text = render_digest([f"x{i}" for i in range(40)], quiet=True, cap=20, max_lines=30)
    assert "… and 10 earlier" in text
    assert "• x39" in text
    assert "• x9\n" not in text


def test_gate_state_round_trips() -> None:
    """The stored gate reads back the same; junk reads as fresh."""
    state, _ = admit(GateState(), "on", "a", quiet=True, cap=3, now_s=T0)
    assert GateState.from_stored(state.to_stored()) == state
    assert GateState.from_stored("junk") == GateState()


@given(
    st.lists(st.tuples(st.booleans(), st.sampled_from(["on", "silent", "off"])), max_size=6),
    st.booleans(),
    st.sampled_from(["on", "silent", "off"]),
)
def test_withdrawing_a_decision_removes_exactly_its_own_share(
    others: list[tuple[bool, str]], quiet: bool, mode: str
) -> None:
    """One alert gated, then others: withdrawn, its send and its held line go, theirs stay."""
    start = GateState(hour=int(T0 // HOUR), sent=1)
    after, _ = admit(start, mode, "withdrawn", quiet=quiet, cap=3, now_s=T0)  # type: ignore[arg-type]
    state = after
    for i, (held, other_mode) in enumerate(others):
        state, _ = admit(state, other_mode, f"other {i}", quiet=held, cap=3, now_s=T0)  # type: ignore[arg-type]
    undone = withdraw(state, start, after)
    assert undone.held == tuple(line for line in state.held if line != "withdrawn")
    assert undone.sent == state.sent - (after.sent - start.sent)
    assert withdraw(after, start, after).sent == start.sent
