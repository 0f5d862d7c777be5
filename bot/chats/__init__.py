"""bot/chats"""
