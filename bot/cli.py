"""``confbot run | chat | check | convert | backup``: the verbs deployment scripts and people
rely on."""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import sys
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from bot.agenda.errors import AgendaError
from bot.agenda.loaders import LoadResult, load_agenda
from bot.config import DEFAULT_AGENDA, Settings

log = logging.getLogger("confbot")


def describe_errors(exc: ValidationError) -> str:
    """Each problem as ``VARIABLE: why`` (a check across variables names them in its text)."""
    problems = []
    for error in exc.errors():
        where = ".".join(map(str, error["loc"]))
        why = str(error["msg"]).removeprefix("Value error, ")
        problems.append(f"{where}: {why}" if where else why)
    return "; ".join(problems)


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        raise SystemExit(f"confbot: configuration error: {describe_errors(exc)}") from None


def _zone(value: str | None, settings_zone: ZoneInfo | None) -> ZoneInfo | None:
    if not value:
        return settings_zone
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise SystemExit(f"confbot: {value!r} is not an IANA time zone name") from None


def cmd_run(args: argparse.Namespace) -> int:
    settings = _settings()
    if settings.TELEGRAM_BOT_TOKEN is None:
        print("confbot: TELEGRAM_BOT_TOKEN is not set (get one from @BotFather)", file=sys.stderr)
        return 2
    from bot.app import StartupError, build_application, configure_logging, run_application

    configure_logging(settings)
    try:
        app = build_application(settings)
    except AgendaError as exc:
        print(f"confbot: {exc}", file=sys.stderr)
        return 1
    log.info(
        "serving %s via %s (%s)",
        settings.AGENDA_PATH,
        settings.TELEGRAM_API_URL,
        settings.UPDATE_MODE,
    )
    # SIGINT/SIGTERM stop receiving, let handlers finish what was received, then shut down.
    from telegram.error import TelegramError

    try:
        asyncio.run(run_application(app))
    except StartupError as exc:
        print(f"confbot: {exc}", file=sys.stderr)
        return 1
    except TelegramError as exc:  # at start: a wrong token, the Bot API unreachable
        print(f"confbot: the Bot API at {settings.TELEGRAM_API_URL} said: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from bot.store.backup import BackupError, backup

    settings = _settings()
    try:
        info = backup(settings.DATABASE_PATH, Path(args.file))
    except BackupError as exc:
        print(f"confbot: {exc}", file=sys.stderr)
        return 1
    counts = ", ".join(f"{n} {table}" for table, n in info.counts.items())
    print(
        f"backed up {settings.DATABASE_PATH} to {info.path} ({info.size // 1024} KB,"
        f" schema {info.version}: {counts})"
    )
    return 0


def _load(args: argparse.Namespace) -> LoadResult | None:
    """The agenda named on the command line, or None after printing why it is unusable."""
    tz = _zone(args.timezone, _settings().default_tz)
    try:
        return load_agenda(args.file, tz)
    except AgendaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None


def cmd_check(args: argparse.Namespace) -> int:
    result = _load(args)
    if result is None:
        return 1
    from bot.agenda.summary import summarize

    print(summarize(result, Path(args.file)))
    return 0


def cmd_convert(args: argparse.Namespace) -> int:
    result = _load(args)
    if result is None:
        return 1
    from bot.agenda.writer import to_yaml

    text = to_yaml(result.conference, source=Path(args.file).name)
    if args.output and args.output != "-":
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output} ({len(result.conference.sessions)} sessions)", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from bot.emulator.chat import run_chat

    settings = _settings()
    if args.demo:  # the sample conference, whatever a developer's .env points at
        settings = settings.model_copy(update={"AGENDA_PATH": DEFAULT_AGENDA})
    return asyncio.run(
        run_chat(
            settings,
            now=args.now,
            user_id=args.user_id,
            organiser=args.organiser,
            language=args.language,
            demo=args.demo,
            latency_ms=args.latency,
            web=not args.no_web,
        )
    )


def _language_code(value: str) -> str:
    """A language tag as Telegram sends it ("hu", "pt-br"); anything else is refused."""
    code = value.strip()
    if not re.fullmatch(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*", code):
        raise argparse.ArgumentTypeError(f"{value!r} is not a language code (such as en, hu)")
    return code


def _milliseconds(value: str) -> float:
    try:
        ms = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of milliseconds") from None
    if not 0 <= ms <= 60_000:
        raise argparse.ArgumentTypeError("the round trip must be between 0 and 60000 ms")
    return ms


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="confbot", description="A Telegram assistant for conferences.")
    sub = p.add_subparsers(dest="verb", required=True)
    run = sub.add_parser("run", help="serve Telegram (long polling, or webhooks: UPDATE_MODE)")
    run.set_defaults(func=cmd_run)
    chat = sub.add_parser("chat", help="talk to the bot in the terminal, no token needed")
    chat.add_argument("--now", help="start the clock at this time (ISO 8601)")
    chat.add_argument("--user-id", type=int, default=1001, help="your pretend Telegram user id")
    chat.add_argument("--organiser", action="store_true", help="be an organiser")
    chat.add_argument(
        "--language",
        type=_language_code,
        default="en",
        metavar="CODE",
        help="your Telegram app's language (language_code), e.g. hu: the bot speaks it "
        "when it has a catalogue for it (default: en)",
    )
    chat.add_argument(
        "--demo",
        action="store_true",
        help="the sample conference, clock at its opening (a fresh database, as always)",
    )
    chat.add_argument(
        "--latency",
        type=_milliseconds,
        default=0.0,
        metavar="MS",
        help="answer every Bot API call after MS milliseconds, as a real network does (e.g. 100)",
    )
    chat.add_argument(
        "--no-web",
        action="store_true",
        help="no local web server (by default the timetable Mini App is served on 127.0.0.1)",
    )
    chat.set_defaults(func=cmd_chat)
    check = sub.add_parser("check", help="validate an agenda file and summarise it")
    check.add_argument("file")
    check.add_argument("--timezone", help="zone for formats without one (AGENDA_TIMEZONE)")
    check.set_defaults(func=cmd_check)
    convert = sub.add_parser("convert", help="write any agenda format as native YAML")
    convert.add_argument("file")
    convert.add_argument("-o", "--output", help="output file (default: standard output)")
    convert.add_argument("--timezone", help="zone for formats without one (AGENDA_TIMEZONE)")
    convert.set_defaults(func=cmd_convert)
    backup = sub.add_parser(
        "backup", help="a consistent copy of the database (DATABASE_PATH), even while the bot runs"
    )
    backup.add_argument("file", help="where to write the copy (replaced if it exists)")
    backup.set_defaults(func=cmd_backup)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
