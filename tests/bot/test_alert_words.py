"""The words of /alerts, read into new settings or one line saying what was wrong."""

from __future__ import annotations

import pytest

from bot.commands.alert_words import apply_words
from bot.vocabulary.alert_settings import AlertSettings

BASE = AlertSettings()
EXAMPLE = "Example: /alerts quiet 23:00 07:00"


@pytest.mark.parametrize(
    "words", [["23:00", "07:00"], ["23:00-07:00"], ["23", "7"], ["23:00–07:00"], ["23-7"]]
)
def test_quiet_hours_read_as_two_times_or_a_range(words):
    """`quiet 23:00 07:00`, `quiet 23:00-07:00` and `quiet 23-7` set the same hours."""
    result = apply_words(BASE, "UTC", ["quiet", *words])
    assert not isinstance(result, str)
    settings, timezone = result
    assert (settings.quiet_start, settings.quiet_end, timezone) == ("23:00", "07:00", "UTC")


@pytest.mark.parametrize(
    ("words", "line"),
    [
        (["25:00", "06:00"], "'25:00' is not a time of day (00:00 to 23:59)."),
        (["25:00-06:00"], "'25:00' is not a time of day (00:00 to 23:59)."),
        (["22:00", "7:75"], "'7:75' is not a time of day (00:00 to 23:59)."),
        (["23:00"], "Quiet hours take a start and an end."),
        (["23:00", "07:00", "09:00"], "Quiet hours take a start and an end."),
        ([], "Quiet hours take a start and an end."),
    ],
)
def test_wrong_quiet_hours_name_what_is_wrong(words, line):
    """A time that is not one is named; a missing or extra time is said to be so."""
    assert apply_words(BASE, "UTC", ["quiet", *words]) == f"{line}\n{EXAMPLE}"


def test_quiet_off_clears_the_hours():
    start = apply_words(BASE, "UTC", ["quiet", "23:00", "07:00"])
    assert not isinstance(start, str)
    result = apply_words(start[0], "UTC", ["quiet", "off"])
    assert not isinstance(result, str)
    assert (result[0].quiet_start, result[0].quiet_end) == (None, None)


def test_same_start_and_end_is_refused():
    """23:00 to 23:00 is no span: say so rather than store it."""
    assert apply_words(BASE, "UTC", ["quiet", "23:00", "23:00"]) == (
        f"Quiet hours need a start and an end that differ.\n{EXAMPLE}"
    )


@pytest.mark.parametrize(("word", "zone"), [("europe/berlin", "Europe/Berlin"), ("utc", "UTC")])
def test_timezones_read_in_any_case(word, zone):
    result = apply_words(BASE, "UTC", ["tz", word])
    assert not isinstance(result, str)
    assert result[1] == zone


def test_an_unknown_timezone_is_named_with_the_closest():
    """The word is quoted back, the nearest zone first; one far from all gets no hint."""
    line = apply_words(BASE, "UTC", ["tz", "Europe/Berln"])
    assert isinstance(line, str)
    assert line.startswith("'Europe/Berln' is not a timezone I know (closest: Europe/Berlin")
    assert line.endswith(".\nExample: /alerts tz Europe/Berlin")
    assert apply_words(BASE, "UTC", ["tz", "Mars/Base"]) == (
        "'Mars/Base' is not a timezone I know.\nExample: /alerts tz Europe/Berlin"
    )
