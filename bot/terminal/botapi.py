"""A loopback Telegram Bot API for the terminal chat: the real Application talks to it over HTTP.

python-telegram-bot sends every request to `{base_url}{token}/{method}` as form fields (multipart
when a photo is attached); this server answers the methods the bot uses with Telegram's own object
shapes, turns what the person at the terminal types into updates (`say`, `press`) for `getUpdates`,
and hands every message the bot sends, edits or answers to `on_output` as an `Output`. Inline
buttons get numbers, unique for the session, so a person presses one by typing its number; photos
are saved into `photo_dir`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self

import tornado.web

from bot.terminal.loopback import LoopbackHttp

__all__ = ["CHAT_ID", "TOKEN", "Button", "LoopbackBotApi", "Output"]

TOKEN = "100000:offline-demo-token-not-a-secret"  # noqa: S105 - a loopback-only made-up token
CHAT_ID = 4242
LONG_POLL_CAP_S = 1.0
_JSON_PARAMS = frozenset({
    "chat_id", "message_id", "reply_markup", "entities", "caption_entities", "commands", "scope",
    "link_preview_options", "reply_parameters", "allowed_updates", "offset", "limit", "timeout",
    "show_alert", "cache_time", "disable_notification", "message_thread_id", "user_id",
})  # fmt: skip
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
OutputKind = Literal["message", "edit", "photo", "answer"]
JSONDict = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button as shown: the number to type, and its label."""

    number: int
    label: str


@dataclass(frozen=True, slots=True)
class Output:
    """One thing the bot did in the chat: a message, an edit, a photo or a button's answer."""

    kind: OutputKind
    text: str
    """Telegram HTML (plain for an answer)."""
    message_id: int = 0
    buttons: tuple[tuple[Button, ...], ...] = ()
    photo_path: Path | None = None
    alert: bool = False


@dataclass
class _Session:
    messages: dict[int, JSONDict] = field(default_factory=dict)
    buttons: dict[int, tuple[int, str]] = field(default_factory=dict)
    updates: list[JSONDict] = field(default_factory=list)
    photos: dict[int, Path] = field(default_factory=dict)
    layouts: dict[int, list[list[int]]] = field(default_factory=dict)
    """The button numbers of each message, row by row: an edit keeps a button's number."""


class _Handler(tornado.web.RequestHandler):
    def initialize(self, api: LoopbackBotApi) -> None:
        self.api = api

    async def post(self, token: str, method: str) -> None:
        if self.request.headers.get("Content-Type", "").startswith("application/json"):
            params = json.loads(self.request.body or b"{}")
        else:
            params = {k: _decode(k, v[-1].decode()) for k, v in self.request.arguments.items()}
        files = {name: parts[-1].body for name, parts in self.request.files.items()}
        status, body = await self.api.answer(token, method, params, files)
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))

    get = post


def _decode(name: str, raw: str) -> Any:
    if name not in _JSON_PARAMS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


class LoopbackBotApi:
    """The Bot API of one private chat with one person, on 127.0.0.1."""

    def __init__(self, on_output: Callable[[Output], None], photo_dir: Path) -> None:
        self.on_output = on_output
        self.photo_dir = photo_dir
        self.bot_user: JSONDict = {
            "id": int(TOKEN.split(":", 1)[0]), "is_bot": True, "first_name": "liqguard",
            "username": "liqguard_demo_bot", "can_join_groups": False,
            "can_read_all_group_messages": False, "supports_inline_queries": False,
        }  # fmt: skip
        self.chat: JSONDict = {"id": CHAT_ID, "type": "private", "first_name": "You"}
        self.user: JSONDict = {"id": CHAT_ID, "is_bot": False, "first_name": "You"}
        self._session = _Session()
        self._changed = asyncio.Event()
        self._ids = itertools.count(1)
        self._update_ids = itertools.count(1)
        self._numbers = itertools.count(1)
        routes = [(r"/bot([^/]+)/(\w+)", _Handler, {"api": self})]
        # No access log: its lines would carry the token in the path, and the chat is the output.
        self._http = LoopbackHttp(
            tornado.web.Application(routes, log_function=lambda _handler: None)
        )

    @property
    def base_url(self) -> str:
        """PTB's `base_url` for this server."""
        return f"{self._http.url}/bot"

    async def __aenter__(self) -> Self:
        self._http.start()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._changed.set()
        await self._http.stop()

    # the person at the terminal

    def say(self, text: str) -> None:
        """The person sends `text` (a leading /word is a command)."""
        message: JSONDict = {
            "message_id": next(self._ids), "date": int(time.time()), "chat": self.chat,
            "from": self.user, "text": text,
        }  # fmt: skip
        if text.startswith("/"):
            length = len(text.split(maxsplit=1)[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        self._session.messages[message["message_id"]] = message
        self._push({"message": message})

    def press(self, number: int) -> bool:
        """The person presses button `number`; False when no button has that number."""
        found = self._session.buttons.get(number)
        if found is None:
            return False
        message_id, data = found
        query = {
            "id": str(next(self._update_ids)), "from": self.user, "chat_instance": "terminal",
            "message": self._session.messages[message_id], "data": data,
        }  # fmt: skip
        self._push({"callback_query": query})
        return True

    def pending_updates(self) -> int:
        """Updates the person sent that the bot has not fetched yet."""
        return len(self._session.updates)

    def _push(self, content: JSONDict) -> None:
        self._session.updates.append({"update_id": next(self._update_ids), **content})
        self._changed.set()

    # the bot

    async def answer(
        self, token: str, method: str, params: JSONDict, files: dict[str, bytes]
    ) -> tuple[int, JSONDict]:
        """One Bot API call: (HTTP status, body)."""
        if token != TOKEN:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        try:
            result = await self._call(method.lower(), params, files)
        except (KeyError, ValueError) as exc:
            description = f"Bad Request: {exc}"
            return 400, {"ok": False, "error_code": 400, "description": description}
        return 200, {"ok": True, "result": result}

    async def _call(self, method: str, params: JSONDict, files: dict[str, bytes]) -> Any:
        if method == "getupdates":
            return await self._updates(params)
        calls: dict[str, Callable[[], Any]] = {
            "getme": lambda: self.bot_user,
            "sendmessage": lambda: self._new(params, "message", text=params["text"]),
            "sendphoto": lambda: self._photo(params, files),
            "editmessagetext": lambda: self._edit(params),
            "editmessagereplymarkup": lambda: self._edit(params),
            "editmessagecaption": lambda: self._edit(params),
            "answercallbackquery": lambda: self._answer_query(params),
            "getchat": lambda: self.chat | {"accent_color_id": 0, "max_reaction_count": 11},
        }
        # setMyCommands, deleteWebhook, sendChatAction, deleteMessage: nothing to show
        return calls.get(method, lambda: True)()

    def _answer_query(self, params: JSONDict) -> bool:
        if params.get("text"):
            alert = bool(params.get("show_alert"))
            self.on_output(Output("answer", str(params["text"]), alert=alert))
        return True

    async def _updates(self, params: JSONDict) -> list[JSONDict]:
        offset = int(params.get("offset") or 0)
        session = self._session
        session.updates = [u for u in session.updates if u["update_id"] >= offset]
        if not session.updates:
            self._changed.clear()
            wait_s = min(float(params.get("timeout") or 0), LONG_POLL_CAP_S)
            try:
                await asyncio.wait_for(self._changed.wait(), wait_s)
            except TimeoutError:
                return []
        return list(session.updates)

    def _new(
        self, params: JSONDict, kind: OutputKind, photo_path: Path | None = None, **content: Any
    ) -> JSONDict:
        message: JSONDict = {
            "message_id": next(self._ids), "date": int(time.time()), "chat": self.chat,
            "from": self.bot_user, **content,
        }  # fmt: skip
        if params.get("caption") is not None:
            message["caption"] = params["caption"]
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        self._session.messages[message["message_id"]] = message
        if photo_path is not None:
            self._session.photos[message["message_id"]] = photo_path
        self._show(kind, message)
        return message

    def _photo(self, params: JSONDict, files: dict[str, bytes]) -> JSONDict:
        self.photo_dir.mkdir(parents=True, exist_ok=True)
        number = len(list(self.photo_dir.glob("photo-*.png"))) + 1
        path = self.photo_dir / f"photo-{number}.png"
        path.write_bytes(files.get("photo", b""))
        sizes = [
            {"file_id": f"{path.name}-{side}", "file_unique_id": f"{path.name}{side}",
             "width": side, "height": side}
            for side in (90, 320, 800)
        ]  # fmt: skip
        return self._new(params, "photo", photo_path=path, photo=sizes)

    def _edit(self, params: JSONDict) -> JSONDict:
        message_id = int(params["message_id"])
        if message_id not in self._session.messages:
            raise ValueError("message to edit not found")
        message = dict(self._session.messages[message_id])
        before = dict(message)
        if "text" in params:
            message["text"] = params["text"]
        if "caption" in params:
            message["caption"] = params["caption"]
        markup = params.get("reply_markup")
        message.pop("reply_markup", None)
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        if message == before:
            raise ValueError(NOT_MODIFIED)
        message["edit_date"] = int(time.time())
        self._session.messages[message_id] = message
        self._show("edit", message)
        return message

    def _show(self, kind: OutputKind, message: JSONDict) -> None:
        rows = self._number_buttons(message)
        text = message.get("text") or message.get("caption") or ""
        path = self._session.photos.get(message["message_id"])
        self.on_output(Output(kind, text, message["message_id"], tuple(rows), path))

    def _number_buttons(self, message: JSONDict) -> list[tuple[Button, ...]]:
        """Number the message's callback buttons; a button an edit kept keeps its number, and the
        numbers of buttons an edit removed no longer press anything (as in Telegram)."""
        session, message_id = self._session, message["message_id"]
        before = session.layouts.pop(message_id, [])
        for number in (n for row in before for n in row):
            session.buttons.pop(number, None)
        rows, layout = [], []
        keyboard = message.get("reply_markup", {}).get("inline_keyboard", [])
        for r, row in enumerate(keyboard):
            buttons = [b for b in row if "callback_data" in b]
            numbers = [
                before[r][c] if r < len(before) and c < len(before[r]) else next(self._numbers)
                for c in range(len(buttons))
            ]
            for number, button in zip(numbers, buttons, strict=True):
                session.buttons[number] = (message_id, button["callback_data"])
            layout.append(numbers)
            rows.append(
                tuple(Button(n, str(b["text"])) for n, b in zip(numbers, buttons, strict=True))
            )
        session.layouts[message_id] = layout
        return rows
