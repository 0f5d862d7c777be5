"""Outbox payloads: built by helpers, stored as JSON, read back as the same tagged dicts."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.outbox.payloads import edit_payload, outbox_item, parse_payload, send_payload


def test_send_payload_survives_a_json_round_trip() -> None:
    """A send with keyboard, topic and photo reads back unchanged after being stored as JSON."""
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Open", callback_data="open:1")]])
    payload = send_payload("<b>hi</b>", reply_markup=keyboard, message_thread_id=3, photo=b"png")
    stored = json.loads(json.dumps(outbox_item("k", 1, "summary", payload).payload))
    assert parse_payload(stored) == payload
    assert base64.b64decode(payload["photo_b64"]) == b"png"
    assert payload["reply_markup"] == keyboard.to_dict()


def test_edit_payload_names_its_original() -> None:
    """An edit carries the key of the message it edits."""
    payload = edit_payload("wave:1", "bigger")
    assert payload == {"op": "edit", "edit_of": "wave:1", "text": "bigger", "parse_mode": "HTML"}
    assert parse_payload(dict(payload)) == payload


def test_rows_without_op_are_sends() -> None:
    """A row written with only text is a plain send."""
    assert parse_payload({"text": "x"}) == {"op": "send", "text": "x", "parse_mode": "HTML"}


@pytest.mark.parametrize(
    "raw", [{}, {"op": "send"}, {"op": "edit", "text": "x"}, {"op": "delete", "text": "x"}]
)
def test_malformed_payloads_are_refused(raw: dict[str, Any]) -> None:
    """Rows that are neither a send with text nor an edit with edit_of raise ValueError."""
    with pytest.raises(ValueError, match="payload"):
        parse_payload(raw)
