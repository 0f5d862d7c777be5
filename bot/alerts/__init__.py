"""bot/alerts"""
