"""bot/maps"""
