"""The bot's web side that needs no Telegram library: the timetable Mini App (``/app/``).

The web server (webhooks, health, metrics, feeds) mounts what this package builds; nothing here
imports telegram, so the Mini App runs and is tested without a bot.
"""
