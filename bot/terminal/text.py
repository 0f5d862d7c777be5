"""The bot's Telegram HTML as terminal text: tags become ANSI styles on a TTY, or nothing at all.

Telegram's HTML subset (`b`, `i`, `u`, `s`, `code`, `pre`, `a`, `tg-spoiler`, `blockquote`) is all the
renderers write; links keep their address in brackets, entities are unescaped.
"""

from __future__ import annotations

import html
import re

__all__ = ["BOLD", "DIM", "terminal_text"]

BOLD, ITALIC, UNDERLINE, DIM, RESET = "\x1b[1m", "\x1b[3m", "\x1b[4m", "\x1b[2m", "\x1b[0m"
_STYLES = {"b": BOLD, "strong": BOLD, "i": ITALIC, "em": ITALIC, "u": UNDERLINE, "code": DIM}
_TAG = re.compile(r"<(/?)([a-zA-Z-]+)([^>]*)>")
_HREF = re.compile(r"""href\s*=\s*["']([^"']*)["']""")


def terminal_text(markup: str, *, colour: bool = False) -> str:
    """`markup` (Telegram HTML) as plain text, with ANSI styles when `colour`."""
    out: list[str] = []
    links: list[str] = []
    open_styles: list[str] = []
    position = 0
    for match in _TAG.finditer(markup):
        out.append(html.unescape(markup[position : match.start()]))
        position = match.end()
        closing, name = match.group(1) == "/", match.group(2).lower()
        if name == "a":
            href = _HREF.search(match.group(3))
            if closing and links:
                link = links.pop()
                out.append(f" ({link})" if link else "")
            elif not closing:
                links.append(html.unescape(href.group(1)) if href else "")
            continue
        style = _STYLES.get(name)
        if style is None or not colour:
            continue
        if closing:
            if open_styles:
                open_styles.pop()
            out.append(RESET + "".join(open_styles))
        else:
            open_styles.append(style)
            out.append(style)
    out.append(html.unescape(markup[position:]))
    return "".join(out)
