"""Floor 3: the durable outbox's payloads, its pacing within Telegram's limits, and the sender."""
