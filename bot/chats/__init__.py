"""Floor 3: chats, their settings and timezones, watched positions and summary schedules."""
