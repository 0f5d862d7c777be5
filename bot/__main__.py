"""`python -m bot`: start the bot, or one of its processes.

Exit status: 0 after a clean stop, 2 when the settings are missing or invalid (no traceback).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

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
_TERMINAL = {
    "risk": "the risk card of a position, from the venues' public APIs (e.g. risk BTC 10x long)",
    "funding": "funding per venue, now and annualised (e.g. funding BTC)",
    "map": "the modeled liquidation map of a coin (e.g. map BTC --png map.png)",
    "liqs": "liquidations seen on the venues' streams while listening (e.g. liqs BTC)",
}
_DEMO = (
    "the whole bot offline: a simulated market and a chat in this terminal; no token, no network"
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="liqguard" if Path(sys.argv[0]).name == "liqguard" else "python -m bot",
        description=_DESCRIPTION,
        epilog="Settings come from the environment or .env; see the README for every name.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for name, text in _COMMANDS.items():
        sub.add_parser(name, help=text, description=text)
    for name, text in _TERMINAL.items():
        command = sub.add_parser(name, help=text, description=f"{text}. No token, no database.")
        command.add_argument("words", nargs="*", help="as after the bot's /" + name)
        command.add_argument("--json", action="store_true", help="print the answer as JSON")
        if name == "map":
            command.add_argument("--png", metavar="FILE", help="save the chart as a PNG here")
        if name == "liqs":
            command.add_argument("--listen", type=float, default=10.0, metavar="SECONDS")
    demo = sub.add_parser("demo", help=_DEMO, description=_DEMO)
    demo.add_argument("--speed", type=float, default=2.0, help="simulated seconds per second")
    demo.add_argument("--seconds", type=float, help="end after this much simulated time")
    demo.add_argument("--headless", action="store_true", help="no input: watch it run")
    demo.add_argument("--db", help="database URL (default: SQLite in a temporary folder)")
    demo.add_argument("--seed", type=int, default=7, help="the simulated market's seed")
    return parser


def _run_terminal(args: argparse.Namespace) -> int:
    """`_terminal` with its settings errors as one line (status 2) and Ctrl-C as status 130."""
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    try:
        return _terminal(args)
    except SettingsError as exc:
        print(f"liqguard: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _terminal(args: argparse.Namespace) -> int:
    """The one-shot terminal commands and the demo: no token needed."""
    from bot.runtime.logs import configure_logging
    from bot.terminal.botapi import TOKEN

    # Warnings only: the terminal is the chat; a venue that fails is named on one line, not logged.
    configure_logging("ERROR" if args.command in _TERMINAL else "WARNING", [TOKEN])
    if args.command == "demo":
        from bot.runtime.demo import DemoOptions, run_demo

        if args.speed <= 0:
            print("liqguard: --speed must be above 0", file=sys.stderr)
            return 2
        options = DemoOptions(args.speed, args.seconds, args.headless, args.db, args.seed)
        return asyncio.run(run_demo(options))
    from bot.runtime.oneshot import oneshot_from_args, run_oneshot

    settings = load_settings()
    shot = oneshot_from_args(
        args.command, args.words, as_json=args.json, png=getattr(args, "png", None),
        listen_s=getattr(args, "listen", 10.0),
    )  # fmt: skip
    return asyncio.run(run_oneshot(settings, shot))


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
    if command in (*_TERMINAL, "demo"):
        return _run_terminal(args)
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
    from bot.runtime.processes import migrate_only, run

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
    from bot.runtime.processes import describe_map_scores

    print(asyncio.run(describe_map_scores(settings)))
    print("no problems found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
