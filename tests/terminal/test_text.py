"""Telegram HTML as terminal text: readable without colour, styled on a TTY."""

from __future__ import annotations

import pytest

from bot.terminal.text import BOLD, terminal_text


@pytest.mark.parametrize(
    ("markup", "plain"),
    [
        ("<b>BTC</b> long 10x", "BTC long 10x"),
        ("$1,000 &amp; 5% &lt; 10%", "$1,000 & 5% < 10%"),
        ('<a href="https://t.me/x?a=1&amp;b=2">docs</a>', "docs (https://t.me/x?a=1&b=2)"),
        ("<code>/risk BTC 10x long</code>", "/risk BTC 10x long"),
        ("<tg-spoiler>hidden</tg-spoiler> <i>it</i>", "hidden it"),
    ],
)
def test_plain_text_drops_tags_and_unescapes(markup: str, plain: str) -> None:
    """Without colour every tag goes and entities are unescaped; links keep their address."""
    assert terminal_text(markup) == plain


def test_colour_styles_bold_and_restores_the_outer_style() -> None:
    """On a TTY bold becomes ANSI bold, and closing an inner style keeps the outer one on."""
    text = terminal_text("<b>a <i>b</i> c</b>", colour=True)
    assert text.startswith(BOLD + "a ")
    assert "\x1b[0m\x1b[1m c" in text
    assert text.endswith("\x1b[0m")
