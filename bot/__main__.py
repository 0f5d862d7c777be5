"""`python -m bot`: start the bot, or one of its processes.

Exit status: 0 after a clean stop, 2 when the settings are missing or invalid (no traceback).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence

from config.settings import Settings, SettingsError, load_settings

__all__ = ["main"]

_DESCRIPTION = "liqguard: a Telegram bot that checks a leveraged crypto trader's liquidation risk."
_COMMANDS = {
    "run": "everything in one process: commands, market data and alerts (the default)",
    "web": "commands only, by webhook (WEBHOOK_URL); run several behind a load balancer",
    "worker": "market data, alerts and schedules; one leader at a time (PostgreSQL advisory lock)",
    "migrate": "bring the database schema up to date and exit",
    "check": "validate every setting against the others and connect to the database; print the "
    "settings (secrets hidden) and one line per problem; exit 2 when there is one",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description=_DESCRIPTION,
        epilog="Settings come from the environment or .env; see the README for every name.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for name, text in _COMMANDS.items():
        sub.add_parser(name, help=text, description=text)
    return parser


def _describe(settings: Settings) -> str:
    lines = []
    for name, value in settings.model_dump().items():
        if value is None or value == "":
            shown = "(unset)"
        elif "token" in name or "secret" in name:
            shown = "(set, hidden)"
        elif isinstance(value, list):
            shown = ",".join(str(item) for item in value) or "(empty)"
        elif name == "database_url" and "@" in value:
            shown = value.split("://", 1)[0] + "://…@" + value.rsplit("@", 1)[1]
        else:
            shown = str(value)
        lines.append(f"{name.upper()} = {shown}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, load the settings and run the chosen process."""
    args = _parser().parse_args(argv)
    command = args.command or "run"
    try:
        settings = load_settings()
    except SettingsError as exc:
        return _refuse(str(exc).splitlines())
    if command == "check":
        return _check(settings)
    if problems := settings.problems(command):
        return _refuse(problems)

    # python-telegram-bot 22: durations as timedelta (RetryAfter.retry_after), no deprecation noise.
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    from bot.app import migrate_only, run

    try:
        if command == "migrate":
            asyncio.run(migrate_only(settings))
            print("database is up to date")
        else:
            asyncio.run(run(settings, command))
    except SettingsError as exc:
        return _refuse([str(exc)])
    return 0


def _refuse(problems: Sequence[str]) -> int:
    """Print one line per problem and return exit status 2."""
    for problem in problems:
        print(f"liqguard: {problem}", file=sys.stderr)
    return 2


def _check(settings: Settings) -> int:
    """`check`: the settings (secrets hidden), then every problem found; 2 when there is one."""
    from bot.runtime.preflight import find_problems

    print(_describe(settings))
    problems = asyncio.run(find_problems(settings, "check"))
    if problems:
        return _refuse(problems)
    print("no problems found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
