"""What can go wrong talking to an exchange, as one exception tree.

```
ExchangeError                 any failure of a venue's REST or WebSocket API
 ├── RateLimited              HTTP 429/418, Bybit 403 or retCode 10006, OKX 50011: wait `retry_after_s`
 ├── ExchangeUnavailable      5xx, timeout, connection refused or reset: back off and try again
 ├── ExchangeRejected         any other 4xx or a non-zero venue error code: our request is wrong
 └── MalformedPayload         a body or frame that does not have the documented shape
```

Every error carries the `venue`; pollers back off per venue so one failing venue never stops the others.
"""

from __future__ import annotations

__all__ = [
    "ExchangeError",
    "ExchangeRejected",
    "ExchangeUnavailable",
    "MalformedPayload",
    "RateLimited",
]


class ExchangeError(Exception):
    """A venue's API failed; `venue` names it."""

    def __init__(self, venue: str, message: str) -> None:
        super().__init__(f"{venue}: {message}")
        self.venue = venue


class RateLimited(ExchangeError):  # noqa: N818 - the issue's names; they read as conditions
    """The venue asked us to slow down; do not call it again for `retry_after_s` seconds."""

    def __init__(self, venue: str, retry_after_s: float, message: str = "rate limited") -> None:
        super().__init__(venue, f"{message} (retry after {retry_after_s:g} s)")
        self.retry_after_s = retry_after_s


class ExchangeUnavailable(ExchangeError):  # noqa: N818 - the issue's names; they read as conditions
    """The venue did not answer usefully (5xx, timeout, connection error); try again later."""


class ExchangeRejected(ExchangeError):  # noqa: N818 - the issue's names; they read as conditions
    """The venue refused the request (4xx or an error code in the body)."""


class MalformedPayload(ExchangeError):  # noqa: N818 - the issue's names; they read as conditions
    """A payload lacks a documented field or has the wrong type; `kind` groups such errors for logs."""

    def __init__(self, venue: str, kind: str, message: str) -> None:
        super().__init__(venue, f"{kind}: {message}")
        self.kind = kind
