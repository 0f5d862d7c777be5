"""/summary and /schedule end to end: admin checks, timezones, topics, channels, and scheduled posts
delivered through the outbox exactly once."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.summaries.timetable import next_run
from tests.e2e.harness import eventually, running_bot, settled

GROUP = -1001234
ADMIN, MEMBER = 7, 8


async def _has(count: Awaitable[int], wanted: int) -> bool:
    return await count >= wanted


async def test_summary_in_a_group_answers_through_the_outbox(tmp_path: Path) -> None:
    """/summary in a forum topic posts the desk note into that topic, via the outbox."""
    async with running_bot(tmp_path) as bot:
        tg = bot.telegram
        tg.push_message(
            GROUP, "/summary", user_id=MEMBER, chat_type="supergroup", message_thread_id=5
        )
        [posted] = await tg.wait_for("sendMessage")
        tg.push_message(GROUP, "/summary weekly", user_id=MEMBER, chat_type="supergroup")
        usage = (await tg.wait_for("sendMessage", count=2))[1]
        # Telegram answered the post; the sender records it a moment later.
        outbox = bot.services.store.outbox
        await settled(lambda: _has(outbox.count("sent"), 1))
        sent = await outbox.count("sent")
    assert posted.text is not None
    assert posted.text.startswith("📰 <b>Market desk</b>")
    assert "liquidat" in posted.text.split("\n")[1].lower()
    assert "Totals from" in posted.text
    assert posted.params["message_thread_id"] == 5
    assert usage.text is not None
    assert usage.text.startswith("I did not understand 'weekly'")
    assert "Examples: /summary · /summary chart · /summary BTC chart" in usage.text
    assert sent == 1


async def test_only_group_admins_schedule(tmp_path: Path) -> None:
    """A member is refused; an admin's schedule is stored in the group's timezone and topic."""
    async with running_bot(tmp_path) as bot:
        tg, store = bot.telegram, bot.services.store
        tg.set_chat_member(GROUP, ADMIN, "administrator")  # only admins set a group's timezone
        tg.push_message(GROUP, "/alerts tz Europe/Berlin", user_id=ADMIN, chat_type="supergroup")
        await tg.wait_for("sendMessage")
        tg.push_message(GROUP, "/schedule daily 08:00", user_id=MEMBER, chat_type="supergroup")
        refused = (await tg.wait_for("sendMessage", count=2))[1]
        refused_rows = await store.schedules.list_for_chat(GROUP)
        asked_at = bot.services.clock()
        tg.push_message(
            GROUP,
            "/schedule daily 08:00",
            user_id=ADMIN,
            chat_type="supergroup",
            message_thread_id=12,
        )
        confirmed = (await tg.wait_for("sendMessage", count=3))[2]
        [stored] = await store.schedules.list_for_chat(GROUP)
        tg.push_message(GROUP, "/schedule", user_id=MEMBER, chat_type="supergroup")
        shown = (await tg.wait_for("sendMessage", count=4))[3]
        tg.push_message(GROUP, "/schedule off", user_id=MEMBER, chat_type="supergroup")
        member_off = (await tg.wait_for("sendMessage", count=5))[4]
        tg.push_message(GROUP, "/schedule daily 25:00", user_id=ADMIN, chat_type="supergroup")
        usage = (await tg.wait_for("sendMessage", count=6))[5]
    assert refused.text == "Only the group's admins can change its summary schedule."
    assert refused_rows == []
    assert (stored.cadence, stored.at_time, stored.kind) == ("daily", "08:00", "summary")
    assert (stored.topic_id, stored.created_by) == (12, ADMIN)
    assert stored.next_run_at is not None
    assert stored.next_run_at == next_run("daily", "08:00", "Europe/Berlin", asked_at)
    assert f"{stored.next_run_at.astimezone(ZoneInfo('Europe/Berlin')):%H:%M}" == "08:00"
    assert confirmed.text is not None
    assert "daily at 08:00 (Europe/Berlin)" in confirmed.text
    assert "into this topic" in confirmed.text
    assert shown.text is not None
    assert "is scheduled: daily at 08:00" in shown.text
    assert member_off.text == "Only the group's admins can change its summary schedule."
    assert usage.text is not None
    assert usage.text.startswith("Give one time as HH:MM")


async def test_a_due_schedule_posts_once_into_its_topic(tmp_path: Path) -> None:
    """A due schedule is posted into its topic exactly once, even when the job runs again for the
    same run (a restart before `mark_run`), and then moves to its next run."""
    async with running_bot(tmp_path) as bot:
        tg, services = bot.telegram, bot.services
        store = services.store
        tg.set_chat_member(GROUP, ADMIN, "creator")
        tg.push_message(
            GROUP, "/schedule hourly", user_id=ADMIN, chat_type="supergroup", message_thread_id=12
        )
        await tg.wait_for("sendMessage")
        [scheduled] = await store.schedules.list_for_chat(GROUP)
        due = replace(scheduled, next_run_at=services.clock() - timedelta(minutes=2))
        await store.schedules.upsert(due)
        first = await services.summaries.post_due()
        await store.schedules.upsert(due)  # as if the first run crashed before mark_run
        again = await services.summaries.post_due()
        twice = await services.summaries.post_due()  # nothing due any more
        await eventually(lambda: len(tg.sent_messages(GROUP)) >= 2)
        [after] = await store.schedules.list_for_chat(GROUP)
        posts = tg.sent_messages(GROUP)[1:]
        await settled(lambda: _has(store.outbox.count("sent"), 1))
        summaries = [await store.outbox.count(status) for status in ("sent", "pending")]
    assert (first, again, twice) == (1, 0, 0)
    assert summaries == [1, 0]  # the one outbox row, sent
    [post] = posts
    assert post.text is not None
    assert post.text.startswith("📰 <b>Market desk</b>")
    assert post.params["message_thread_id"] == 12
    assert after.last_run_at is not None
    assert after.next_run_at is not None
    assert after.next_run_at > after.last_run_at
    assert after.next_run_at.minute == 0


async def test_channels_are_scheduled_from_a_private_chat_by_their_admins(tmp_path: Path) -> None:
    """A channel needs the bot and the user as admins; then its schedule is stored in the user's
    timezone, and an unknown channel or a plain group is refused."""
    channel, user = -100777, 9
    async with running_bot(tmp_path) as bot:
        tg, store = bot.telegram, bot.services.store
        tg.add_chat(channel, "channel", title="Liq Desk", username="liqdesk")
        answers: list[str] = []

        async def ask(text: str) -> str:
            tg.push_message(user, text, user_id=user)
            answers.append(
                (await tg.wait_for("sendMessage", count=len(answers) + 1))[-1].text or ""
            )
            return answers[-1]

        await ask("/alerts tz Asia/Tokyo")
        bot_refusal = await ask("/schedule @liqdesk daily 08:00")
        tg.set_chat_member(channel, tg.bot_id, "administrator")
        user_refusal = await ask("/schedule @liqdesk daily 08:00")
        tg.set_chat_member(channel, user, "creator")
        confirmed = await ask("/schedule -100777 daily 09:30 chart")
        unknown = await ask("/schedule @nosuchchannel daily 08:00")
        no_channel = await ask("/schedule daily 08:00")
        [stored] = await store.schedules.list_for_chat(channel)
        channel_row = await store.chats.get(channel)
    assert (
        bot_refusal
        == "I am not an admin of Liq Desk: add me as an admin who can post, then try again."
    )
    assert user_refusal == "Only admins of Liq Desk can schedule its summaries."
    assert (
        "Summary for Liq Desk scheduled: daily at 09:30 (Asia/Tokyo), with the map chart"
        in confirmed
    )
    assert unknown.startswith("I can't find @nosuchchannel.")
    assert no_channel.startswith("Name the channel: /schedule @mychannel daily 08:00")
    assert (stored.kind, stored.at_time, stored.created_by) == ("summary_chart", "09:30", user)
    assert stored.next_run_at is not None
    assert f"{stored.next_run_at.astimezone(ZoneInfo('Asia/Tokyo')):%H:%M}" == "09:30"
    assert channel_row is not None
    assert (channel_row.type, channel_row.title, channel_row.timezone) == (
        "channel", "Liq Desk", "Asia/Tokyo",
    )  # fmt: skip
