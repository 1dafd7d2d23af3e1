"""The real bot with its web server (tests/web/bots.py), to run the image's health check on."""

from tests.web.bots import web_bot, web_emulator  # noqa: F401
