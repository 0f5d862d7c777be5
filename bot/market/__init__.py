"""Floor 3: market state and its ingest from the venues' feeds, tier tables, liquidation windows."""
