"""bot/market"""
