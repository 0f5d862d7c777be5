"""Floor 3: market summaries composed, rendered, and posted on their timetables."""
