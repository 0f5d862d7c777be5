"""bot/summaries"""
