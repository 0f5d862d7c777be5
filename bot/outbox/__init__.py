"""bot/outbox"""
