"""Floor 3: the risk desk, which prices a position against the live market into a risk card."""
