"""bot/vocabulary"""
