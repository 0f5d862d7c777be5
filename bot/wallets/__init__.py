"""Hyperliquid wallets watched by address: their positions kept in sync as watches."""
