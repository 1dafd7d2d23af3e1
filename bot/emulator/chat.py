"""``confbot chat``: the real bot, in the terminal, with no token and no network.

It starts the local Bot API emulator and the same Application ``confbot run`` builds, then
plays one Telegram user: each input line is sent as a message, a bare number presses the
button with that number, and the bot's messages are printed with their buttons numbered.
Input is read line by line, so a script can be piped in; end of input ends the chat.
"""

from __future__ import annotations

import asyncio
import re
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from typing import TextIO

from bot.agenda.errors import AgendaError
from bot.app import load_configured_agenda
from bot.clock import Clock, ShiftedClock, SystemClock, make_clock
from bot.config import Settings
from bot.emulator.harness import BotHarness, settings_for
from bot.emulator.server import BotApiEmulator
from bot.emulator.users import BotMessage, CallbackAnswer, FakeUser
from bot.web.initdata import launch_url, make_init_data

_STYLES = {
    "b": ("\033[1m", "\033[22m"),
    "strong": ("\033[1m", "\033[22m"),
    "i": ("\033[3m", "\033[23m"),
    "em": ("\033[3m", "\033[23m"),
    "u": ("\033[4m", "\033[24m"),
    "code": ("\033[36m", "\033[39m"),
    "pre": ("\033[36m", "\033[39m"),
    "s": ("\033[9m", "\033[29m"),
}


class _Terminal(HTMLParser):
    """Telegram HTML to terminal text: styles as ANSI codes (or nothing), links with their URL."""

    def __init__(self, color: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.color = color
        self.out: list[str] = []
        self._href: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href.append(dict(attrs).get("href"))
        elif self.color and tag in _STYLES:
            self.out.append(_STYLES[tag][0])

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            href = self._href.pop() if self._href else None
            if href:
                self.out.append(f" <{href}>")
        elif self.color and tag in _STYLES:
            self.out.append(_STYLES[tag][1])

    def handle_data(self, data: str) -> None:
        self.out.append(data)


def to_terminal(text: str, *, color: bool) -> str:
    parser = _Terminal(color)
    parser.feed(text)
    parser.close()
    return "".join(parser.out)


class ChatSession:
    """Prints what the bot sends and maps button numbers to the buttons last shown."""

    def __init__(self, user: FakeUser, out: TextIO, *, color: bool) -> None:
        self.user = user
        self.out = out
        self.color = color
        self.buttons: dict[int, tuple[int, str]] = {}
        self._fresh = True

    def on_event(self, event: str, message: BotMessage) -> None:
        if message.chat_id != self.user.id or event == "deleted":
            return
        if self._fresh:  # the first bot message after an input starts a new numbering
            self.buttons = {}
            self._fresh = False
        self.show(message, edited=event == "edited")

    def show(self, message: BotMessage, *, edited: bool) -> None:
        dim = ("\033[2m", "\033[22m") if self.color else ("", "")
        head = "bot (edited)" if edited else "bot"
        self.out.write(f"\n{dim[0]}── {head} ──{dim[1]}\n")
        text = message.text or ""
        if text:
            body = to_terminal(text, color=self.color) if message.parse_mode else text
            self.out.write(body.rstrip() + "\n")
        if message.document_name:
            size = len(message.document_bytes or b"")
            self.out.write(f"[document: {message.document_name}, {size} bytes]\n")
        if message.photo_bytes:
            self.out.write(f"[picture, {len(message.photo_bytes)} bytes]\n")
        for row in message.buttons:
            cells = []
            for label, data in row:
                if data and re.match(r"^https?://", data):
                    cells.append(f"[{label} → {data}]")
                    continue
                if not data:  # a Mini App or inline-query button: nothing to press here
                    cells.append(f"[{label}]")
                    continue
                number = len(self.buttons) + 1
                self.buttons[number] = (message.message_id, data or "")
                cells.append(f"[{number}] {label}")
            self.out.write("  ".join(cells) + "\n")
        self.out.flush()

    def show_answers(self, answers: list[CallbackAnswer]) -> None:
        """Telegram shows a button's answer as a toast or an alert: print it the same way."""
        for answer in answers:
            if answer.text:
                kind = "alert" if answer.show_alert else "toast"
                self.out.write(f"\n({kind}: {answer.text})\n")
        self.out.flush()

    async def handle_line(self, line: str) -> None:
        line = line.strip()
        if not line:
            return
        self._fresh = True
        if line.isdigit() and int(line) in self.buttons:
            message_id, data = self.buttons[int(line)]
            self._fresh = False  # a press usually edits the message it sits on: keep numbers
            await self.user.press_data(message_id, data)
        else:
            await self.user.send(line)


def timetable_line(harness: BotHarness, user: FakeUser) -> str:
    """The Mini App's local address, with initData signed for ``user`` in its hash."""
    app_url = f"{harness.web_url}/app/"
    token = harness.settings.TELEGRAM_BOT_TOKEN
    assert token is not None
    person = {k: v for k, v in user.as_user().items() if k != "is_bot"}
    init_data = make_init_data(person, token.get_secret_value())
    return (
        "Timetable (Mini App) as you, in a browser on this machine "
        f"(valid 24 h):\n  {launch_url(app_url, init_data)}"
    )


async def run_chat(
    settings: Settings,
    *,
    now: str | None = None,
    user_id: int = 1001,
    organiser: bool = False,
    language: str = "en",
    demo: bool = False,
    latency_ms: float = 0.0,
    web: bool = True,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
) -> int:
    """Chat with the bot; ``latency_ms`` answers every Bot API call after that round trip,
    so a demo shows how the bot feels on a real network; ``language`` is the pretend user's
    Telegram ``language_code`` (``hu``: a demo in Hungarian). With ``web`` the bot's web server
    listens on 127.0.0.1 and the timetable Mini App's address is printed, signed for the
    chat's user, so a browser opens it as Telegram would."""
    stdin = stdin or sys.stdin
    out = stdout or sys.stdout
    try:
        agenda = load_configured_agenda(settings)
    except AgendaError as exc:
        print(f"confbot: {exc}", file=sys.stderr)
        return 1
    tz = agenda.conference.timezone
    clock: Clock
    if now:
        clock = make_clock(now, tz)  # a naive --now: the served agenda's zone
    elif demo and agenda.conference.start is not None:
        clock = ShiftedClock(agenda.conference.start, tz)
    else:
        clock = SystemClock(tz)
    color = out.isatty()
    with tempfile.TemporaryDirectory(prefix="confbot-chat-") as tmp:
        async with BotApiEmulator(latency_ms=latency_ms) as emu:
            organisers = set(settings.ORGANISER_IDS) | ({user_id} if organiser else set())
            chat_settings = settings_for(
                emu,
                Path(tmp) / "chat.sqlite3",
                AGENDA_PATH=settings.AGENDA_PATH,
                AGENDA_TIMEZONE=settings.AGENDA_TIMEZONE,
                ORGANISER_IDS=",".join(map(str, sorted(organisers))),
                REMINDER_MINUTES=settings.REMINDER_MINUTES,
                SPEAKER_REMINDER_MINUTES=settings.SPEAKER_REMINDER_MINUTES,
                FEEDBACK_DELAY_MINUTES=settings.FEEDBACK_DELAY_MINUTES,
                LOG_LEVEL="WARNING",
                # The timetable Mini App on this machine only, on a free port.
                WEB_LISTEN="127.0.0.1:0" if web else None,
            )
            harness = BotHarness(emu, chat_settings, clock)
            user = emu.user(user_id, "You", username="you", language_code=language)
            session = ChatSession(user, out, color=color)
            emu.listeners.append(session.on_event)
            conf = agenda.conference
            network = f", {latency_ms:g} ms round trip" if latency_ms > 0 else ""
            out.write(
                f"confbot chat: {conf.name} — clock at "
                f"{clock.now().astimezone(tz):%a %d %b %Y %H:%M} ({tz.key}){network}\n"
                "Type a message or a command (/help); a number presses a button; "
                "Ctrl-D ends.\n"
            )
            out.flush()
            async with harness:
                if web:
                    out.write(timetable_line(harness, user) + "\n")
                    out.flush()
                await emu.wait_call("getUpdates")
                loop = asyncio.get_running_loop()
                while True:
                    if stdin.isatty():
                        out.write("\n> ")
                        out.flush()
                    line = await loop.run_in_executor(None, stdin.readline)
                    if not line:
                        break
                    if not stdin.isatty():
                        out.write(f"\n> {line.rstrip()}\n")
                    answered = len(emu.callback_answers)
                    await session.handle_line(line)
                    await emu.wait_idle(quiet=0.3, timeout=10)
                    session.show_answers(emu.callback_answers[answered:])
    out.write("\nbye\n")
    return 0
