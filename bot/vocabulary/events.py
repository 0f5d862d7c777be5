"""Signals: "something changed" announcements, wired once where things are built.

A service that changes state (`WatchBook` adds a watch) emits its signal; whoever must react (the alert
engine reloads its watches, the outbox sender drains now) connects to it when the composition root
starts it. Nobody reassigns a callback after construction, so a process that never connects a
listener (a `web` process has no alert engine; the worker's engine still reloads on its own timer)
is not left holding a dangling one.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["Signal"]


class Signal:
    """A list of no-argument listeners; `emit` calls each, `connect` returns the disconnect."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._listeners: list[Callable[[], None]] = []

    def connect(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener` on every `emit` from now on; returns the function that stops that."""
        self._listeners.append(listener)

        def disconnect() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return disconnect

    def emit(self) -> None:
        """Tell every listener."""
        for listener in list(self._listeners):
            listener()

    @property
    def listener_count(self) -> int:
        """How many listeners are connected."""
        return len(self._listeners)
