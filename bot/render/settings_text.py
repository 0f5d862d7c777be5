"""The /alerts settings card and its inline keyboard."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.render import numbers as n
from bot.vocabulary.alert_settings import ALERT_KINDS, KIND_LABELS, AlertSettings

__all__ = ["SETTINGS_USAGE", "render_settings", "settings_keyboard"]

_MODE_ICON = {"on": "🔔 on", "silent": "🔕 silent", "off": "⛔ off"}
SETTINGS_USAGE = (
    "Change with:\n"
    "/alerts ladder 10 5 2 — distance steps in %\n"
    "/alerts quiet 23:00 07:00 — hold alerts, digest after (/alerts quiet off)\n"
    "/alerts tz Europe/Berlin — your timezone\n"
    "/alerts cap 20 — at most N alerts an hour\n"
    "/alerts wave 50M 3 — wave size in $ and multiple of the usual hourly rate\n"
    "/alerts funding 0.05 — funding extreme, % per 8h\n"
    "/alerts topic — in a group's forum topic: post alerts here (/alerts topic off)"
)


def render_settings(settings: AlertSettings, timezone: str) -> str:
    """The settings as HTML: one line a setting, the kinds' modes on the buttons."""
    quiet = (
        f"{settings.quiet_start}–{settings.quiet_end}"
        if settings.quiet_start and settings.quiet_end
        else "none"
    )
    ladder = ", ".join(f"{step:g}%" for step in settings.ladder_pct)
    lines = [
        "<b>Alert settings</b> (tap a button to switch on → silent → off)",
        f"Distance ladder: {ladder}",
        f"Quiet hours: {quiet} · timezone {escape(timezone)}",
        f"At most {settings.max_per_hour} alerts an hour"
        + (f" · posted in topic {settings.topic_id}" if settings.topic_id else ""),
        (
            f"Waves: {n.usd_compact(settings.wave_min_usd)} in an hour or "
            f"{settings.wave_rate_multiple:g}× the usual rate · funding extreme "
            f"{settings.funding_extreme_8h_pct:g}%/8h"
        ),
        "",
        escape(SETTINGS_USAGE),
    ]
    return "\n".join(lines)


def settings_keyboard(settings: AlertSettings) -> InlineKeyboardMarkup:
    """One button per alert kind showing its mode; a tap moves it on."""
    rows = [
        [
            InlineKeyboardButton(
                f"{KIND_LABELS[kind]}: {_MODE_ICON[settings.mode(kind)]}",
                callback_data=f"al|{kind}",
            )
        ]
        for kind in ALERT_KINDS
    ]
    return InlineKeyboardMarkup(rows)
