"""The log filter keeps the bot token out of every log line."""

from __future__ import annotations

import logging

import pytest

from bot.runtime.logs import RedactingFilter, configure_logging

TOKEN = "123456789:AAH-secret-token-for-tests"


def test_token_in_message_args_and_traceback_is_redacted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A token in the message, its arguments or an exception never reaches the output."""
    configure_logging("INFO", [TOKEN])
    log = logging.getLogger("liqguard.test")
    log.info("POST https://api.telegram.org/bot%s/getUpdates", TOKEN)
    try:
        raise RuntimeError(f"bad url https://api.telegram.org/bot{TOKEN}/x")
    except RuntimeError:
        log.exception("request failed")
    err = capsys.readouterr().err
    assert TOKEN not in err
    assert err.count("[REDACTED]") == 2
    logging.getLogger().handlers.clear()


def test_short_values_are_not_treated_as_secrets() -> None:
    """Empty or tiny values are ignored, so ordinary words are never blanked."""
    assert RedactingFilter(["", "abc"]).redact("abc def") == "abc def"
