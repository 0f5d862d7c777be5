"""The wire side of the fake Bot API: what a request and its answer look like, and the small
pieces that build Telegram objects. Split from `tests/fakes/telegram.py` to keep both readable."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

JSONDict = dict[str, Any]
ChatType = Literal["private", "group", "supergroup", "channel"]
MemberStatus = Literal["creator", "administrator", "member", "left", "kicked"]

DEFAULT_TOKEN = "123456:TEST-token"
# Parameters whose values PTB sends as raw strings; all others are JSON encoded.
STRING_PARAMS = frozenset(
    {"text", "caption", "parse_mode", "callback_query_id", "inline_message_id", "url", "action"}
    | {"secret_token", "language_code", "photo", "business_connection_id"}
)
# Methods whose successful calls `FakeTelegram.sent_messages` reports.
MESSAGE_METHODS = frozenset(
    {"sendMessage", "sendPhoto", "editMessageText", "editMessageCaption", "editMessageReplyMarkup"}
)
DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: message is not modified",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request",
    500: "Internal Server Error",
}
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


@dataclass(frozen=True)
class UploadedFile:
    """A file attached to a request as a multipart part."""

    filename: str
    content: bytes
    content_type: str


@dataclass(frozen=True)
class BotApiCall:
    """One request the bot made, with the decoded parameters and what the fake answered."""

    method: str
    params: JSONDict
    files: Mapping[str, UploadedFile]
    received_at: datetime
    status: int
    result: Any = None

    @property
    def ok(self) -> bool:
        """Whether the fake answered with success."""
        return self.status == 200

    @property
    def chat_id(self) -> Any:
        """The ``chat_id`` parameter, if any."""
        return self.params.get("chat_id")

    @property
    def text(self) -> str | None:
        """The ``text`` or, for media, the ``caption`` parameter."""
        text = self.params.get("text", self.params.get("caption"))
        return None if text is None else str(text)


@dataclass
class InjectedFailure:
    method: str
    status: int
    description: str
    retry_after: int | None
    remaining: int
    chat_id: int | str | None


class ApiError(Exception):
    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


class Changes:
    """Wakes every waiter whenever the fake's state changes; notify() is callable from sync code."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait_until(self, predicate: Callable[[], bool], timeout_s: float) -> None:
        """Return once `predicate()` holds; raise TimeoutError after `timeout_s`."""
        async with asyncio.timeout(timeout_s):
            while not predicate():
                await self._event.wait()


def decode_param(name: str, raw: str) -> Any:
    """Decode one form field as PTB encoded it: JSON, except raw strings."""
    if name in STRING_PARAMS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def scope_key(params: JSONDict) -> tuple[str, int | str | None, int | None, str]:
    scope = params.get("scope") or {"type": "default"}
    language = params.get("language_code") or ""
    return scope["type"], scope.get("chat_id"), scope.get("user_id"), language


def set_markup(message: JSONDict, params: JSONDict) -> None:
    """Echo an inline keyboard as Telegram does; other markups are not part of the Message."""
    markup = params.get("reply_markup")
    message.pop("reply_markup", None)
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        message["reply_markup"] = markup


def photo_sizes(file_id: str, files: Mapping[str, UploadedFile]) -> list[JSONDict]:
    upload = files.get("photo")
    size = len(upload.content) if upload else 0
    return [
        {"file_id": f"{file_id}-{side}", "file_unique_id": f"u{file_id}-{side}"}
        | {"width": side, "height": side, "file_size": size}
        for side in (90, 320, 800)
    ]


def unix_now() -> int:
    return int(time.time())
