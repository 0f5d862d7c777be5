"""bot/desk"""
