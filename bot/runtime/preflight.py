"""What `python -m bot check` finds before a deploy, and the one line a process prints when its
database cannot be reached.

`find_problems` runs every check in `CHECKS` and returns one line per problem; each check is an async
function of the settings and the command, so a new one is one function added to the list.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.store.database import create_engine
from config.settings import Settings

__all__ = [
    "CHECKS",
    "DATABASE_ERRORS",
    "database_problem",
    "describe_database_error",
    "find_problems",
    "settings_problems",
]

DATABASE_ERRORS = (OSError, SQLAlchemyError, TimeoutError)
"""What connecting to an unreachable, refusing or missing database raises (asyncpg's errors arrive
wrapped by SQLAlchemy; a refused TCP connection as OSError)."""
CONNECT_TIMEOUT_S = 5.0

Check = Callable[[Settings, str], Awaitable[list[str]]]


def describe_database_error(url: str, error: BaseException) -> str:
    """One line naming the database host and what to check, without the password."""
    parsed = make_url(url)
    cause = getattr(error, "orig", None) or error.__cause__ or error
    reason = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
    if parsed.get_backend_name() == "sqlite":
        return (
            f"cannot open the SQLite database {parsed.database} ({reason}): check DATABASE_URL "
            "and that its folder exists and is writable"
        )
    where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    return (
        f"cannot connect to the database at {where}, database {parsed.database!r} ({reason}): "
        "check DATABASE_URL, that PostgreSQL runs there and accepts this user"
    )


def _sqlite_problem(url: str) -> tuple[str | None, bool]:
    """`(problem, connect)`: whether a SQLite URL's folder is usable, and whether there is a file."""
    database = make_url(url).database or ""
    folder = Path(database).resolve().parent
    if not folder.is_dir() or not os.access(folder, os.W_OK):
        return describe_database_error(
            url, OSError(f"folder {folder} is missing or read-only")
        ), False
    return None, Path(database).exists()


async def database_problem(url: str) -> str | None:
    """Why the database at `url` cannot be used, or None; a SQLite file is not created by asking."""
    if make_url(url).get_backend_name() == "sqlite":
        problem, connect = _sqlite_problem(url)
        if problem is not None or not connect:
            return problem  # a missing file is created by `migrate` or at the first start
    engine = create_engine(url)
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT_S), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except DATABASE_ERRORS as error:
        return describe_database_error(url, error)
    finally:
        await engine.dispose()
    return None


async def settings_problems(settings: Settings, command: str) -> list[str]:
    """What the settings lack for `command` (the token, the webhook address)."""
    return settings.problems(command)


async def _database(settings: Settings, _command: str) -> list[str]:
    problem = await database_problem(settings.database_url)
    return [problem] if problem else []


CHECKS: list[Check] = [settings_problems, _database]


async def find_problems(settings: Settings, command: str = "check") -> list[str]:
    """Every problem every check finds, one line each, in the order of `CHECKS`."""
    found: list[str] = []
    for check in CHECKS:
        found.extend(await check(settings, command))
    return found
