"""A fake Telegram Bot API server on loopback that the real python-telegram-bot talks to over HTTP.

Point PTB at it with ``base_url=tg.base_url`` and ``token=tg.token``: requests then arrive at
``/bot<TOKEN>/<method>``. Like aiogram's ``MockedBot``, the fake records every request as a
`BotApiCall` and answers with realistic Telegram objects, so tests check what the bot sent.

PTB sends parameters as form fields (multipart when a file is attached) whose values are JSON
encoded, except strings, which are sent raw; the fake decodes them the same way back.
"""

from __future__ import annotations

import bisect
import itertools
import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

import httpx
import tornado.web

from bot.terminal.loopback import LoopbackHttp
from tests.fakes.telegram_checks import refusal
from tests.fakes.telegram_wire import (
    DEFAULT_DESCRIPTIONS,
    DEFAULT_TOKEN,
    MESSAGE_METHODS,
    NOT_MODIFIED,
    ApiError,
    BotApiCall,
    Changes,
    ChatType,
    InjectedFailure,
    JSONDict,
    MemberStatus,
    UploadedFile,
    decode_param,
    photo_sizes,
    scope_key,
    set_markup,
    unix_now,
)

__all__ = ["BotApiCall", "FakeTelegram", "UploadedFile"]


class _BotApiHandler(tornado.web.RequestHandler):
    def initialize(self, fake: FakeTelegram) -> None:
        self.fake = fake

    async def post(self, token: str, method: str) -> None:
        request = self.request
        if request.headers.get("Content-Type", "").startswith("application/json"):
            params = json.loads(request.body or b"{}")
        else:
            params = {k: decode_param(k, v[-1].decode()) for k, v in request.arguments.items()}
        files = {
            name: UploadedFile(parts[-1].filename, parts[-1].body, parts[-1].content_type)
            for name, parts in request.files.items()
        }
        status, body = await self.fake._answer(token, method, params, files)
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))  # tornado drops it quietly if the client has gone

    get = post


class FakeTelegram:
    """A loopback Bot API server: records requests, answers them, and queues updates."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "liqguard_test_bot",
        long_poll_cap_s: float = 1.0,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_user: JSONDict = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Liqguard Test",
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.long_poll_cap_s = long_poll_cap_s
        self.webhook_url = ""
        self.webhook_secret: str | None = None
        self._calls: list[BotApiCall] = []
        self._updates: list[JSONDict] = []
        self._messages: dict[tuple[int, int], JSONDict] = {}
        self._chats: dict[int, JSONDict] = {}
        self._users: dict[int, JSONDict] = {}
        self._members: dict[tuple[int, int], MemberStatus] = {}
        self._commands: dict[tuple[str, int | str | None, int | None, str], list[JSONDict]] = {}
        self._failures: list[InjectedFailure] = []
        self._message_ids = itertools.count(1)
        self._update_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._changes = Changes()
        self._closing = False
        self._http = LoopbackHttp(
            tornado.web.Application([(r"/bot([^/]+)/(\w+)", _BotApiHandler, {"fake": self})])
        )
        self._api: dict[str, Callable[[JSONDict, Mapping[str, UploadedFile]], Any]] = {
            "getMe": lambda p, f: self.bot_user,
            "setWebhook": lambda p, f: self._set_webhook(p),
            "deleteWebhook": lambda p, f: self._delete_webhook(p),
            "getWebhookInfo": lambda p, f: self._webhook_info(),
            "setMyCommands": lambda p, f: self._set_commands(p),
            "getMyCommands": lambda p, f: self._commands.get(scope_key(p), []),
            "deleteMyCommands": lambda p, f: self._delete_commands(p),
            "sendMessage": lambda p, f: self._store_new(p, text=p["text"]),
            "sendPhoto": lambda p, f: self._store_new(
                p, photo=photo_sizes(self._file_id(p, "photo"), f)
            ),
            "editMessageText": lambda p, f: self._edit(p, text=p["text"]),
            "editMessageCaption": lambda p, f: self._edit(p, caption=p.get("caption")),
            "editMessageReplyMarkup": lambda p, f: self._edit(p),
            "deleteMessage": lambda p, f: self._delete_message(p),
            "getChat": lambda p, f: self._chat_full_info(self._chat_id(p)),
            "getChatMember": lambda p, f: self._chat_member(self._chat_id(p), int(p["user_id"])),
        }
        self._methods = {name.lower(): name for name in [*self._api, "getUpdates"]}

    @property
    def base_url(self) -> str:
        """What to pass as PTB's ``base_url``: requests go to ``{base_url}{token}/{method}``."""
        return f"{self._http.url}/bot"

    async def __aenter__(self) -> Self:
        self._http.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._closing = True  # releases held getUpdates requests at once
        self._changes.notify()
        await self._http.stop()

    # Inspecting what the bot did.

    def calls(self, method: str | None = None) -> list[BotApiCall]:
        """Every recorded request in order, or only those to `method`."""
        return [c for c in self._calls if method is None or c.method.lower() == method.lower()]

    def sent_messages(self, chat_id: int | str | None = None) -> list[BotApiCall]:
        """Successful sends and edits of messages, optionally to one chat."""
        return [
            c
            for c in self._calls
            if c.method in MESSAGE_METHODS
            and c.ok
            and (chat_id is None or str(c.chat_id) == str(chat_id))
        ]

    def commands(self, scope: JSONDict | None = None, language_code: str = "") -> list[JSONDict]:
        """The command list set for `scope` (default scope when None) and language."""
        return self._commands.get(scope_key({"scope": scope, "language_code": language_code}), [])

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,  # noqa: ASYNC109 - the tests' vocabulary; applied with asyncio.timeout
        predicate: Callable[[BotApiCall], bool] | None = None,
    ) -> list[BotApiCall]:
        """Wait until `count` calls to `method` match `predicate`; return all that match."""

        def matching() -> list[BotApiCall]:
            return [c for c in self.calls(method) if predicate is None or predicate(c)]

        try:
            await self._changes.wait_until(lambda: len(matching()) >= count, timeout)
        except TimeoutError:
            seen = [c.method for c in self._calls]
            raise TimeoutError(f"{count} x {method} not seen in {timeout}s; seen: {seen}") from None
        return matching()

    # Configuring answers.

    def set_chat_member(self, chat_id: int, user_id: int, status: MemberStatus) -> None:
        """Make getChatMember answer `status` for this user in this chat (default: member)."""
        self._members[(chat_id, user_id)] = status

    def add_chat(
        self,
        chat_id: int,
        chat_type: ChatType,
        *,
        title: str | None = None,
        username: str | None = None,
    ) -> None:
        """Make a chat known to getChat (by id, or by ``@username`` when given), e.g. a channel."""
        chat = self._register_chat(chat_id, chat_type, is_forum=False)
        if title is not None:
            chat["title"] = title
        if username is not None:
            chat["username"] = username

    def fail_next(
        self,
        method: str,
        status: int = 429,
        *,
        retry_after: int = 3,
        times: int = 1,
        chat_id: int | str | None = None,
        description: str | None = None,
    ) -> None:
        """Answer the next `times` calls to `method` (in `chat_id` if given) with an error."""
        if status == 429:
            description = description or f"Too Many Requests: retry after {retry_after}"
        else:
            description = description or DEFAULT_DESCRIPTIONS.get(status, f"Error {status}")
        self._failures.append(
            InjectedFailure(
                method=method.lower(),
                status=status,
                description=description,
                retry_after=retry_after if status == 429 else None,
                remaining=times,
                chat_id=chat_id,
            )
        )

    # Injecting updates.

    def message_update(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: ChatType = "private",
        message_thread_id: int | None = None,
        username: str | None = None,
        reply_to: int | None = None,
    ) -> JSONDict:
        """Build (without queueing) an Update carrying a text message, as Telegram would.

        `reply_to` is the id of a message in the chat (the bot's, say) this one replies to.
        """
        chat = self._register_chat(chat_id, chat_type, is_forum=message_thread_id is not None)
        message: JSONDict = {
            "message_id": next(self._message_ids),
            "date": unix_now(),
            "chat": chat,
        }
        if chat_type == "channel":
            message["sender_chat"] = chat
        else:
            uid = user_id if user_id is not None else (chat_id if chat_type == "private" else 1)
            message["from"] = self._register_user(uid, username)
        if message_thread_id is not None:
            message |= {"message_thread_id": message_thread_id, "is_topic_message": True}
        if reply_to is not None:
            message["reply_to_message"] = self._messages[(chat_id, reply_to)]
        message["text"] = text
        if text.startswith("/"):
            length = len(text.split(maxsplit=1)[0].encode("utf-16-le")) // 2
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        self._messages[(chat_id, message["message_id"])] = message
        kind = "channel_post" if chat_type == "channel" else "message"
        return {"update_id": next(self._update_ids), kind: message}

    def callback_update(
        self, chat_id: int, message_id: int, data: str, *, user_id: int | None = None
    ) -> JSONDict:
        """Build (without queueing) an Update with a button press on a message already sent."""
        message = self._messages.get((chat_id, message_id))
        if message is None:
            raise KeyError(f"no message {message_id} in chat {chat_id}")
        uid = user_id if user_id is not None else chat_id
        query = {
            "id": f"cbq-{next(self._update_ids)}",
            "from": self._register_user(uid, None),
            "message": message,
            "chat_instance": f"ci-{chat_id}",
            "data": data,
        }
        return {"update_id": next(self._update_ids), "callback_query": query}

    def push_message(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: ChatType = "private",
        message_thread_id: int | None = None,
        username: str | None = None,
        reply_to: int | None = None,
    ) -> JSONDict:
        """Queue a text-message Update for getUpdates (see `message_update`)."""
        update = self.message_update(
            chat_id,
            text,
            user_id=user_id,
            chat_type=chat_type,
            message_thread_id=message_thread_id,
            username=username,
            reply_to=reply_to,
        )
        return self.push_update(update)

    def push_callback(
        self, chat_id: int, message_id: int, data: str, *, user_id: int | None = None
    ) -> JSONDict:
        """Queue a callback-query Update pressing a button on a message the bot sent."""
        return self.push_update(self.callback_update(chat_id, message_id, data, user_id=user_id))

    def push_update(self, update: JSONDict) -> JSONDict:
        """Queue a raw Update dict, numbering it if it has no update_id."""
        update = {"update_id": next(self._update_ids)} | update
        self._updates.append(update)
        self._changes.notify()
        return update

    async def post_to_webhook(
        self, url: str, update: JSONDict, *, secret_token: str | None = None
    ) -> int:
        """POST `update` to the bot's webhook as Telegram does; return the HTTP status."""
        headers = {} if secret_token is None else {"X-Telegram-Bot-Api-Secret-Token": secret_token}
        async with httpx.AsyncClient() as client:
            response = await client.post(url, json=update, headers=headers)
        return response.status_code

    # Serving requests.

    async def _answer(
        self, token: str, raw_method: str, params: JSONDict, files: Mapping[str, UploadedFile]
    ) -> tuple[int, JSONDict]:
        received_at = datetime.now(UTC)
        method = self._methods.get(raw_method.lower(), raw_method)
        status, result = 200, None
        try:
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            self._raise_injected_failure(method, params)
            refused = refusal(method, params)
            if refused is not None:
                raise ApiError(400, refused)
            if method == "getUpdates":
                result = await self._get_updates(params)
            else:
                result = self._dispatch(method, params, files)
            body: JSONDict = {"ok": True, "result": result}
        except ApiError as error:
            status = error.status
            body = {"ok": False, "error_code": status, "description": error.description}
            if error.retry_after is not None:
                body["parameters"] = {"retry_after": error.retry_after}
        call = BotApiCall(method, params, files, received_at, status, result)
        bisect.insort(self._calls, call, key=lambda c: c.received_at)  # a long poll ends late
        self._changes.notify()
        return status, body

    def _dispatch(self, method: str, params: JSONDict, files: Mapping[str, UploadedFile]) -> Any:
        try:
            return self._api.get(method, lambda p, f: True)(params, files)
        except KeyError as error:
            raise ApiError(400, f"Bad Request: parameter {error} is required") from error
        except (ValueError, TypeError) as error:
            raise ApiError(400, f"Bad Request: invalid parameter: {error}") from error

    def _raise_injected_failure(self, method: str, params: JSONDict) -> None:
        for failure in self._failures:
            if failure.method != method.lower() or failure.remaining <= 0:
                continue
            if failure.chat_id is not None and str(failure.chat_id) != str(params.get("chat_id")):
                continue
            failure.remaining -= 1
            raise ApiError(failure.status, failure.description, failure.retry_after)

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        if self.webhook_url:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        if offset > 0:  # confirms every earlier update, as Telegram does
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        wait_s = min(float(params.get("timeout") or 0), self.long_poll_cap_s)
        if wait_s > 0:
            try:
                await self._changes.wait_until(lambda: self._closing or bool(self._updates), wait_s)
            except TimeoutError:
                return []
        return self._updates[offset:] if offset < 0 else self._updates[: params.get("limit", 100)]

    def _set_webhook(self, params: JSONDict) -> bool:
        self.webhook_url, self.webhook_secret = params["url"], params.get("secret_token")
        return True

    def _delete_webhook(self, params: JSONDict) -> bool:
        self.webhook_url, self.webhook_secret = "", None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _webhook_info(self) -> JSONDict:
        pending = len(self._updates)
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": pending,
        }

    def _set_commands(self, params: JSONDict) -> bool:
        self._commands[scope_key(params)] = list(params["commands"])
        return True

    def _delete_commands(self, params: JSONDict) -> bool:
        self._commands.pop(scope_key(params), None)
        return True

    def _chat_id(self, params: JSONDict) -> int:
        raw = params.get("chat_id")
        if isinstance(raw, str) and raw.startswith("@"):  # a public channel or group by username
            for chat in self._chats.values():
                if f"@{chat.get('username', '')}".lower() == raw.lower():
                    return int(chat["id"])
        try:
            return int(params["chat_id"])
        except (KeyError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None

    def _file_id(self, params: JSONDict, name: str) -> str:
        """The file_id sent (a re-send) or a new one for an upload."""
        return str(params.get(name) or f"{name}-{next(self._file_ids)}")

    def _store_new(self, params: JSONDict, **content: Any) -> JSONDict:
        chat_id = self._chat_id(params)
        message: JSONDict = {
            "message_id": next(self._message_ids),
            "from": self.bot_user,
            "date": unix_now(),
            "chat": self._chats.get(chat_id) or self._register_chat(chat_id, None, is_forum=False),
        }
        if params.get("message_thread_id") is not None:
            message |= {"message_thread_id": params["message_thread_id"], "is_topic_message": True}
        message |= content
        if params.get("caption") is not None:
            message["caption"] = params["caption"]
        set_markup(message, params)
        self._messages[(chat_id, message["message_id"])] = message
        return message

    def _edit(self, params: JSONDict, **content: Any) -> JSONDict | bool:
        if params.get("inline_message_id"):
            return True
        key = (self._chat_id(params), int(params["message_id"]))
        if key not in self._messages:
            raise ApiError(400, "Bad Request: message to edit not found")
        edited = self._messages[key] | content
        for name in [name for name, value in content.items() if value is None]:
            del edited[name]
        set_markup(edited, params)
        if edited == self._messages[key]:
            raise ApiError(400, NOT_MODIFIED)
        self._messages[key] = edited | {"edit_date": unix_now()}
        return self._messages[key]

    def _delete_message(self, params: JSONDict) -> bool:
        if self._messages.pop((self._chat_id(params), int(params["message_id"])), None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    def _register_chat(
        self, chat_id: int, chat_type: ChatType | None, *, is_forum: bool
    ) -> JSONDict:
        chat_type = chat_type or ("private" if chat_id > 0 else "supergroup")
        chat: JSONDict = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat |= {"first_name": f"User {chat_id}", "username": f"user{chat_id}"}
        else:
            chat["title"] = f"Chat {chat_id}"
        if is_forum and chat_type == "supergroup":
            chat["is_forum"] = True
        self._chats[chat_id] = chat
        return chat

    def _register_user(self, user_id: int, username: str | None) -> JSONDict:
        user = {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
        user |= {"username": username or f"user{user_id}", "language_code": "en"}
        self._users[user_id] = user
        return user

    def _chat_full_info(self, chat_id: int) -> JSONDict:
        gifts = dict.fromkeys(
            ["unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription"], False
        )
        chat = self._chats.get(chat_id) or self._register_chat(chat_id, None, is_forum=False)
        return chat | {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": gifts | {"gifts_from_channels": False},
        }

    def _chat_member(self, chat_id: int, user_id: int) -> JSONDict:
        user = self.bot_user if user_id == self.bot_id else self._users.get(user_id)
        user = user or self._register_user(user_id, None)
        status = self._members.get((chat_id, user_id), "member")
        member: JSONDict = {"status": status, "user": user}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            rights = ["manage_chat", "delete_messages", "manage_video_chats", "restrict_members"]
            rights += ["promote_members", "change_info", "invite_users", "post_stories"]
            rights += ["edit_stories", "delete_stories"]
            member |= {"can_be_edited": False, "is_anonymous": False}
            member |= {f"can_{right}": True for right in rights}
        elif status == "kicked":
            member["until_date"] = 0
        return member
