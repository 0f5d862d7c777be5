"""Floor 4, the terminal front end: the risk CLI and the offline demo chat."""
