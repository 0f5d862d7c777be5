"""The per-chat cooldown, driven by a fake monotonic clock."""

from __future__ import annotations

import pytest

from bot.chats.cooldown import Cooldown
from bot.vocabulary.maps import Admission


class FakeClock:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def test_second_call_within_the_interval_is_refused_with_the_time_left():
    """One call per interval per key; the refusal says how long to wait, rounded up."""
    clock = FakeClock()
    cooldown = Cooldown(10, clock)
    assert cooldown.admit(1) == Admission(allowed=True)
    clock.now += 3.2
    refused = cooldown.admit(1)
    assert not refused.allowed
    assert refused.retry_after_s == pytest.approx(6.8)
    assert refused.retry_after_whole_s == 7


def test_keys_are_independent_and_the_interval_reopens():
    """Another chat is not held back, and the same chat may go again once the interval passed."""
    clock = FakeClock()
    cooldown = Cooldown(10, clock)
    assert cooldown.admit("a").allowed
    assert cooldown.admit("b").allowed
    clock.now += 10
    assert cooldown.admit("a").allowed


def test_refused_calls_do_not_push_the_next_slot_back():
    """Asking again while refused does not restart the interval."""
    clock = FakeClock()
    cooldown = Cooldown(10, clock)
    cooldown.admit(1)
    for _ in range(4):
        clock.now += 2.0
        assert not cooldown.admit(1).allowed
    clock.now += 2.0
    assert cooldown.admit(1).allowed


def test_idle_keys_are_forgotten():
    """Memory stays bounded: keys idle for a whole interval are swept once many are held."""
    clock = FakeClock()
    cooldown = Cooldown(10, clock, sweep_at=100)
    for key in range(99):
        cooldown.admit(key)
    clock.now += 11
    cooldown.admit("fresh")
    assert len(cooldown) == 1


def test_a_wait_under_a_second_reads_as_one_second():
    """The whole-second wait shown to users is never 0 while refused."""
    clock = FakeClock()
    cooldown = Cooldown(10, clock)
    cooldown.admit(1)
    clock.now += 9.99
    assert cooldown.admit(1).retry_after_whole_s == 1


def test_interval_must_be_positive():
    """A zero interval is a configuration mistake, refused at once."""
    with pytest.raises(ValueError, match="positive"):
        Cooldown(0)
