"""Regenerate the Mini App screenshots in docs/: ``.venv/bin/python -m tests.web.screenshots``.

The sample conference with the clock at 10:40 on its day, signed in as an attendee with two
bookmarks, in Telegram's light and dark themes at phone width (390 px), at desktop width, and
a session's details. Needs Debian's chromium (``apt-get install chromium``).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from bot.clock import ManualClock
from bot.web.initdata import make_init_data
from tests.conftest import BRUSSELS, ROOT, brussels
from tests.web.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.web.server import DARK_THEME, LIGHT_THEME, TOKEN, MiniAppServer, launch_url

DOCS = ROOT / "docs"
USER = {"id": 4242, "first_name": "Anna", "language_code": "en"}


def main(out: Path = DOCS) -> list[Path]:
    from playwright.sync_api import sync_playwright

    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        clock = ManualClock(brussels(10, 40))
        server = MiniAppServer(Path(tmp) / "shots.sqlite3", clock, agenda=BRUSSELS).start()
        store = server.rt.store
        server.call(store.users.seen(USER["id"], "Anna", None, "en", clock.now()))
        for sid in ("panel-security-landscape", "crisis-management"):
            server.call(store.bookmarks.add(USER["id"], sid, clock.now()))
        init = make_init_data(USER, TOKEN)
        shots = [
            ("miniapp-light.png", LIGHT_THEME, 390, 844, None),
            ("miniapp-dark.png", DARK_THEME, 390, 844, None),
            ("miniapp-details.png", LIGHT_THEME, 390, 844, "panel-security-landscape"),
            ("miniapp-details-dark.png", DARK_THEME, 390, 844, "keynote-sztaray"),
            ("miniapp-desktop.png", LIGHT_THEME, 1280, 800, None),
        ]
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
                )
                for name, theme, width, height, open_key in shots:
                    scale = 2 if width < 600 else 1
                    page = browser.new_page(
                        viewport={"width": width, "height": height}, device_scale_factor=scale
                    )
                    page.goto(launch_url(server.url, init, theme=theme))
                    page.wait_for_selector("body[data-ready='1']")
                    if open_key:
                        page.click(f".s[data-key='{open_key}']")
                        time.sleep(0.3)  # the sheet's slide-in
                    path = out / name
                    page.screenshot(path=str(path))
                    written.append(path)
                    page.close()
                browser.close()
        finally:
            server.stop()
    return written


if __name__ == "__main__":
    for path in main(Path(sys.argv[1]) if len(sys.argv) > 1 else DOCS):
        print(path)
