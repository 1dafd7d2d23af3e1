"""The real bot with its web server (tests/web/bots.py) serves the live feeds."""

from tests.web.bots import web_bot, web_emulator  # noqa: F401
