"""Floor 3: the liquidation-map service (modeled maps per venue and symbol) and what /map shows."""
