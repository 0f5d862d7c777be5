"""The terminal chat: what the bot sends, printed; what the person types, sent.

`Console.show` prints each `Output` of the loopback Bot API: messages as readable text (bold and
italics on a TTY), inline buttons as numbered choices, photos as the path they were saved to, a
button's answer as a short line. `read_input` turns lines of standard input into messages (a leading
`/` is a command), a bare number into a button press, and `quit` (or the end of input) into the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import stat
import sys
from collections.abc import Awaitable, Callable
from typing import TextIO

from bot.terminal.botapi import LoopbackBotApi, Output
from bot.terminal.text import BOLD, DIM, RESET, terminal_text

__all__ = ["QUIT_WORDS", "Console", "read_input"]

QUIT_WORDS = frozenset({"quit", "exit", "/quit", "/exit", ":q"})


class Console:
    """Prints the chat to `out`; counts what it printed so callers can wait for replies."""

    def __init__(self, out: TextIO, *, colour: bool) -> None:
        self.out, self.colour = out, colour
        self.shown: list[Output] = []
        self.prompt: str | None = None
        """The prompt standing on the last line (a terminal); what arrives is printed above it."""

    def ask(self) -> None:
        """Show the prompt and keep it under whatever arrives until the next line is read."""
        self.prompt = self.style("you ▸ ", BOLD)
        self.out.write(self.prompt)
        self.out.flush()

    def _write(self, text: str) -> None:
        if self.prompt is None:
            self.out.write(text)
        else:  # clear the prompt's line, print, and stand the prompt again below
            self.out.write("\r\x1b[K" + text + self.prompt)
        self.out.flush()

    def style(self, text: str, style: str) -> str:
        """`text` in an ANSI style, on a TTY only."""
        return f"{style}{text}{RESET}" if self.colour else text

    def note(self, text: str) -> None:
        """A line from the demo itself (not the bot)."""
        self._write(self.style(f"· {text}", DIM) + "\n")

    def echo(self, text: str) -> None:
        """Show a line as if the person had typed it."""
        self._write(self.style(f"you ▸ {text}", BOLD) + "\n")

    def show(self, output: Output) -> None:
        """Print one `Output` of the bot."""
        self.shown.append(output)
        self._write(self._format(output) + "\n")

    def _format(self, output: Output) -> str:
        body = terminal_text(output.text, colour=self.colour)
        if output.kind == "answer":
            return self.style(f"liqguard {'!' if output.alert else '·'} {body}", BOLD)
        if output.kind == "edit":
            head = f"liqguard ✎ message {output.message_id} now reads:"
        elif output.kind == "photo":
            head = f"liqguard ▸ photo saved to {output.photo_path}"
        else:
            head = f"liqguard ▸ message {output.message_id}"
        lines = [self.style(head, BOLD), body]
        lines += ("   ".join(f"[{b.number}] {b.label}" for b in row) for row in output.buttons)
        return "\n".join(line for line in lines if line) + "\n"


def handle_line(line: str, api: LoopbackBotApi, console: Console) -> bool:
    """Act on one typed line; False when it asks to quit."""
    text = line.strip()
    if not text:
        return True
    if text.lower() in QUIT_WORDS:
        return False
    if text.isdigit():
        if not api.press(int(text)):
            console.note(f"there is no button {text}; type the number shown in [ ] beside one")
        return True
    api.say(text)
    return True


async def read_input(
    api: LoopbackBotApi,
    console: Console,
    stdin: TextIO = sys.stdin,
    prompt: bool = False,
    settle: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Read `stdin` until `quit` or its end, handing each line to the chat.

    `settle` waits until the bot has answered what was sent. Input that is not a terminal (a piped
    script) waits for it after every line, so a button number is read once the buttons exist; the
    end of input or `quit` waits for it too, so the last answers are shown before the demo ends.
    """
    readline = await _line_reader(stdin)
    scripted = not stdin.isatty()
    while True:
        if prompt:
            console.ask()
        line = await readline()
        console.prompt = None
        going_on = bool(line) and handle_line(line, api, console)
        if settle is not None and (scripted or not going_on):
            await settle()
        if not going_on:
            return


async def _line_reader(stdin: TextIO) -> Callable[[], asyncio.Future[str]]:
    """An awaitable readline: a pipe or terminal through the event loop, anything else (a file,
    /dev/null) through a thread, since the event loop cannot wait on those."""
    mode = os.fstat(stdin.fileno()).st_mode
    if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stdin.isatty()):

        def from_file() -> asyncio.Future[str]:
            return asyncio.ensure_future(asyncio.to_thread(stdin.readline))

        return from_file
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), stdin)

    async def read() -> str:
        with contextlib.suppress(ValueError, asyncio.IncompleteReadError):
            return (await reader.readline()).decode(errors="replace")
        return ""

    def from_pipe() -> asyncio.Future[str]:
        return asyncio.ensure_future(read())

    return from_pipe
