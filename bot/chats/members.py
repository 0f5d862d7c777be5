"""Who is asking: the member behind a command, and what a group lets them change.

In a private chat its one user may change everything. In a group what is shared (its alert settings,
schedules, topic, /stop) is for its admins, and a watch belongs to the member who set it: only they
or an admin remove it. The front end says who the member is and whether they administer the chat
(handlers/chats.py asks Telegram once, the same way for every command); the rules live here.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.vocabulary.records import Watch

__all__ = ["Member", "may_remove"]


@dataclass(frozen=True, slots=True)
class Member:
    """The user acting in a chat: `admin` is True for a private chat's own user and a group's admins."""

    user_id: int | None
    name: str | None
    admin: bool
    group: bool = False

    @classmethod
    def private(cls, user_id: int | None = None, name: str | None = None) -> Member:
        """The one user of a private chat (or the terminal's)."""
        return cls(user_id, name, admin=True)


def may_remove(member: Member, watch: Watch) -> bool:
    """Whether `member` may remove `watch`: its owner, or whoever administers the chat."""
    if member.admin:
        return True
    return watch.owner_id is not None and watch.owner_id == member.user_id
