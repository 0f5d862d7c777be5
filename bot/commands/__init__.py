"""Floor 3: command parsing: the words of /risk, /watch, /summary, /schedule and /alerts into requests."""
