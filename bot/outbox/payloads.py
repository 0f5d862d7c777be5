"""What an outbox row asks the sender to do: send a message (text or photo) or edit one already sent.

Alert and summary code builds payloads with `send_payload` and `edit_payload` and writes them with
`outbox_item`; it never hand-writes the dicts. Stored as JSON in `outbox.payload`:

    {"op": "send", "text": html, "parse_mode": "HTML",
     "reply_markup": {"inline_keyboard": [...]},   # optional, an InlineKeyboardMarkup as a dict
     "message_thread_id": 12,                      # optional, a forum topic
     "photo_b64": "...",                           # optional: sendPhoto with `text` as the caption
     "silent": true}                               # optional: delivered without sound

    {"op": "edit", "edit_of": "<idempotency key of the original message>", "text": html,
     "parse_mode": "HTML", "reply_markup": {...}}   # reply_markup optional

An edit finds the Telegram message id through the original row (`OutboxRepo.get(edit_of)`): while the
original is not sent yet the edit waits; an original that was never delivered fails the edit. A photo's
edit changes its caption. Text is Telegram HTML; escaping and the 4,096-character (caption: 1,024)
limits are the renderer's job.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any, Literal, NotRequired, TypedDict

from telegram import InlineKeyboardMarkup

from bot.vocabulary.records import OutboxItem

__all__ = [
    "EditPayload",
    "Payload",
    "SendPayload",
    "edit_payload",
    "outbox_item",
    "parse_payload",
    "send_payload",
]

ParseMode = Literal["HTML"]


class SendPayload(TypedDict):
    """A new message: text, or a photo with the text as its caption."""

    op: Literal["send"]
    text: str
    parse_mode: ParseMode
    reply_markup: NotRequired[dict[str, Any]]
    message_thread_id: NotRequired[int]
    photo_b64: NotRequired[str]
    silent: NotRequired[bool]


class EditPayload(TypedDict):
    """New text (or caption) for the message another outbox row sent."""

    op: Literal["edit"]
    edit_of: str
    text: str
    parse_mode: ParseMode
    reply_markup: NotRequired[dict[str, Any]]


Payload = SendPayload | EditPayload


def send_payload(
    text: str,
    *,
    reply_markup: InlineKeyboardMarkup | None = None,
    message_thread_id: int | None = None,
    photo: bytes | None = None,
    silent: bool = False,
) -> SendPayload:
    """A message to send: HTML text, or a PNG/JPEG `photo` captioned with it; `silent`: no sound."""
    payload: SendPayload = {"op": "send", "text": text, "parse_mode": "HTML"}
    if reply_markup is not None:
        payload["reply_markup"] = reply_markup.to_dict()
    if message_thread_id is not None:
        payload["message_thread_id"] = message_thread_id
    if photo is not None:
        payload["photo_b64"] = base64.b64encode(photo).decode("ascii")
    if silent:
        payload["silent"] = True
    return payload


def edit_payload(
    edit_of: str, text: str, *, reply_markup: InlineKeyboardMarkup | None = None
) -> EditPayload:
    """An edit of the message whose outbox key is `edit_of` (a photo's caption, or a text)."""
    payload: EditPayload = {"op": "edit", "edit_of": edit_of, "text": text, "parse_mode": "HTML"}
    if reply_markup is not None:
        payload["reply_markup"] = reply_markup.to_dict()
    return payload


def outbox_item(
    key: str,
    chat_id: int,
    kind: str,
    payload: Payload,
    not_before: datetime | None = None,
    *,
    series: str | None = None,
    supersedes: str | None = None,
) -> OutboxItem:
    """The row to enqueue: `key` is the alert's idempotency key, `kind` e.g. "position", "summary".

    `supersedes` names a series whose rows still waiting are dropped once this one is written.
    """
    return OutboxItem(
        key=key, chat_id=chat_id, kind=kind, payload=dict(payload), not_before=not_before,
        series=series, supersedes=supersedes,
    )  # fmt: skip


def parse_payload(raw: dict[str, Any]) -> Payload:
    """Read a stored payload back; ValueError when it is neither a send nor an edit."""
    text = raw.get("text")
    if not isinstance(text, str):
        raise ValueError("payload has no text")  # noqa: TRY004 - a bad stored row, not a caller bug
    op = raw.get("op", "send")
    markup = raw.get("reply_markup")
    if op == "send":
        send: SendPayload = {"op": "send", "text": text, "parse_mode": "HTML"}
        if isinstance(markup, dict):
            send["reply_markup"] = markup
        if isinstance(thread := raw.get("message_thread_id"), int):
            send["message_thread_id"] = thread
        if isinstance(photo := raw.get("photo_b64"), str):
            send["photo_b64"] = photo
        if raw.get("silent") is True:
            send["silent"] = True
        return send
    if op == "edit" and isinstance(edit_of := raw.get("edit_of"), str):
        edit: EditPayload = {"op": "edit", "edit_of": edit_of, "text": text, "parse_mode": "HTML"}
        if isinstance(markup, dict):
            edit["reply_markup"] = markup
        return edit
    raise ValueError(f"payload op {op!r} is neither send nor an edit with edit_of")
