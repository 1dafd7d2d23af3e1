"""The Mini App's HTTP side: statuses, caching, identity, and that it uses the bot's own rows."""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.agenda.loaders import LoadResult, load_agenda
from bot.agenda.model import Conference, Session, SessionType
from bot.clock import ManualClock
from bot.runtime import AgendaState, Runtime
from bot.store import Store
from bot.web.agenda_json import track_colours
from bot.web.initdata import make_init_data
from bot.web.miniapp import mount
from tests.conftest import BRUSSELS, BRUSSELS_TZ, brussels
from tests.web.server import TOKEN, RecordingBackend, web_runtime

USER = {"id": 42, "first_name": "Anna", "username": "anna_k", "language_code": "hu"}


def auth(user: dict[str, Any] = USER, *, age: float = 0, token: str = TOKEN) -> dict[str, str]:
    raw = make_init_data(user, token, auth_date=time.time() - age)
    return {"Authorization": f"tma {raw}"}


def forged() -> dict[str, str]:
    good = auth()["Authorization"]
    return {"Authorization": good.replace("%22id%22%3A42", "%22id%22%3A43")}


class Env:
    def __init__(self, rt: Runtime, backend: RecordingBackend, client: TestClient) -> None:
        self.rt = rt
        self.backend = backend
        self.client = client
        self.clock: ManualClock = rt.clock  # type: ignore[assignment]


async def make_env(tmp_path: Path, result: LoadResult, start: datetime) -> AsyncIterator[Env]:
    store = await Store.open(str(tmp_path / "web.sqlite3"))
    clock = ManualClock(start)
    rt = web_runtime(store, clock, result, TOKEN)
    backend = RecordingBackend(rt)
    parent = web.Application()
    mount(parent, backend, bot_token=TOKEN)
    async with TestClient(TestServer(parent)) as client:
        yield Env(rt, backend, client)
    await store.close()


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    async for e in make_env(tmp_path, load_agenda(BRUSSELS, None), brussels(9, 0)):
        yield e


# ------------------------------------------------------------------ page and files
async def test_page_and_versioned_assets(env: Env) -> None:
    c = env.client
    r = await c.get("/app", allow_redirects=False)
    assert r.status == 308
    assert r.headers["Location"] == "/app/"
    r = await c.get("/app/")
    assert r.status == 200
    assert r.content_type == "text/html"
    html = await r.text()
    assert "%VERSION%" not in html
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    src = html.split('<script type="module" src="')[1].split('"')[0]
    assert src.startswith("static/")
    assert src.endswith("/app.js")
    r = await c.get("/app/" + src, headers={"Accept-Encoding": "gzip"})
    assert r.status == 200
    assert r.headers["Content-Encoding"] == "gzip"
    assert "immutable" in r.headers["Cache-Control"]
    assert r.content_type == "text/javascript"
    etag = r.headers["ETag"]
    r = await c.get("/app/" + src, headers={"If-None-Match": etag})
    assert r.status == 304
    r = await c.get("/app/" + src, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in r.headers
    assert "import" in await r.text()
    # an old release's URL still works, but is not cached as if it were forever
    r = await c.get("/app/static/0123456789ab/app.js")
    assert r.status == 200
    assert r.headers["Cache-Control"] == "no-cache"
    for bad in ("../miniapp.py", "%2e%2e%2fminiapp.py", "nope.js", "index.html"):
        assert (await c.get(f"/app/static/{src.split('/')[1]}/{bad}")).status == 404


# ------------------------------------------------------------------ agenda
async def test_agenda_is_compressed_cached_and_revalidated(env: Env) -> None:
    c = env.client
    r = await c.get(
        "/app/api/agenda", headers={"Accept-Encoding": "gzip, deflate"}, auto_decompress=False
    )
    assert r.status == 200
    assert r.headers["Content-Encoding"] == "gzip"
    assert r.headers["Vary"] == "Accept-Encoding"
    body = json.loads(gzip.decompress(await r.read()))
    etag = r.headers["ETag"]
    assert body["conference"]["name"] == "Security and Resilience Challenges"
    assert body["conference"]["timezone"] == "Europe/Brussels"
    assert body["conference"]["days"] == ["2024-11-27"]
    assert body["rooms"] == ["Plenary Hall", "Room B", "Foyer"]
    by_id = {s["id"]: s for s in body["sessions"]}
    keynote = by_id["keynote-sztaray"]
    assert keynote["start"] == "2024-11-27T10:00+01:00"
    assert keynote["end"] == "2024-11-27T10:30+01:00"
    assert keynote["type"] == "keynote"
    assert keynote["room"] == "Plenary Hall"
    assert keynote["speakers"] == [
        {"id": "peter-sztaray", "name": "Dr Péter Sztáray", "role": "speaker"}
    ]
    assert body["speakers"]["peter-sztaray"]["affiliation"].startswith("Hungarian State Secretary")
    assert by_id["lunch"]["bookmarkable"] is False
    r = await c.get("/app/api/agenda", headers={"If-None-Match": etag})
    assert r.status == 304
    assert r.headers["ETag"] == etag
    r = await c.get("/app/api/agenda", headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in r.headers
    assert (await r.json())["version"] == body["version"]
    # a reload builds anew; the tag is the content's, so an unchanged programme stays 304
    env.rt.current.state = AgendaState(result=load_agenda(BRUSSELS, None), source="reload")
    r = await c.get("/app/api/agenda", headers={"If-None-Match": etag})
    assert r.status == 304
    moved = _moved(load_agenda(BRUSSELS, None), "closing", minutes=15)
    env.rt.current.state = AgendaState(result=moved, source="reload")
    r = await c.get("/app/api/agenda", headers={"If-None-Match": etag})
    assert r.status == 200
    assert r.headers["ETag"] != etag


def _moved(result: LoadResult, session_id: str, minutes: int) -> LoadResult:
    conf = result.conference
    shift = timedelta(minutes=minutes)
    sessions = tuple(
        Session(**{**_fields(s), "start": s.start + shift, "end": s.end + shift})
        if s.id == session_id
        else s
        for s in conf.sessions
    )
    return LoadResult(**{**vars_of(result), "conference": _replace(conf, sessions=sessions)})


def _fields(s: Session) -> dict[str, Any]:
    return {f: getattr(s, f) for f in Session.__dataclass_fields__}


def _replace(conf: Conference, **kw: Any) -> Conference:
    return Conference(**{**{f: getattr(conf, f) for f in Conference.__dataclass_fields__}, **kw})


def vars_of(result: LoadResult) -> dict[str, Any]:
    return {f: getattr(result, f) for f in result.__dataclass_fields__}


def test_track_colours_are_stable_and_distinct() -> None:
    a = track_colours(("Security", "Policy", "Community"))
    b = track_colours(("Security", "Policy", "Community", "Technology"))
    assert {k: b[k] for k in a} == a  # adding a track repaints nobody
    assert len(set(b.values())) == 4


# ------------------------------------------------------------------ public API
async def test_clock_search_and_ics(env: Env) -> None:
    c = env.client
    env.clock.set(brussels(10, 40))
    r = await c.get("/app/api/clock")
    assert await r.json() == {"now": "2024-11-27T10:40:00+01:00", "day": "2024-11-27"}
    r = await c.get("/app/api/search", params={"q": "crisis management"})
    assert (await r.json())["ids"][0] == "crisis-management"
    r = await c.get("/app/api/search", params={"q": "peter sztaray"})  # a speaker, accents off
    assert set((await r.json())["ids"]) == {"keynote-sztaray", "panel-security-landscape"}
    for bad in ({}, {"q": ""}, {"q": "   "}, {"q": "x" * 201}):
        r = await c.get("/app/api/search", params=bad)
        assert r.status == 400
        assert (await r.json())["error"] == "bad_query"
    r = await c.get("/app/api/search", params={"q": "<b>'; DROP TABLE users;--"})
    assert r.status == 200
    r = await c.get("/app/api/sessions/keynote-sztaray.ics")
    assert r.status == 200
    assert r.content_type == "text/calendar"
    text = await r.text()
    assert "SUMMARY:Keynote: security policy" in text
    assert "DTSTART;TZID=Europe/Brussels:20241127T100000" in text
    assert "attachment" in r.headers["Content-Disposition"]
    assert (await c.get("/app/api/sessions/nope.ics")).status == 404


async def test_search_lists_everything_the_chat_would_page_through(tmp_path: Path) -> None:
    """The chat shows five answers and "N more"; the grid wants all of them."""
    tz = BRUSSELS_TZ
    panels = [
        Session(
            id=f"p{i}",
            title=f"Panel on resilience {i}",
            start=datetime(2025, 3, 3, 9, tzinfo=tz) + timedelta(minutes=30 * i),
            end=datetime(2025, 3, 3, 9, 30, tzinfo=tz) + timedelta(minutes=30 * i),
            room="Hall",
            type=SessionType.PANEL,
        )
        for i in range(14)
    ]
    coffee = Session(
        id="other",
        title="Coffee",
        start=datetime(2025, 3, 3, 8, tzinfo=tz),
        end=datetime(2025, 3, 3, 9, tzinfo=tz),
        type=SessionType.BREAK,
    )
    sessions = (*panels, coffee)
    result = LoadResult(Conference(name="Many", timezone=tz, sessions=sessions), "test")
    async for e in make_env(tmp_path, result, datetime(2025, 3, 3, 8, tzinfo=tz)):
        r = await e.client.get("/app/api/search", params={"q": "resilience"})
        assert set((await r.json())["ids"]) == {f"p{i}" for i in range(14)}


# ------------------------------------------------------------------ identity
async def test_me_needs_a_valid_initdata(env: Env) -> None:
    c = env.client
    for headers in ({}, {"Authorization": "Bearer x"}, forged(), auth(age=3 * 86400),
                    auth(age=-3600), auth(token="1:other")):  # fmt: skip
        r = await c.get("/app/api/me", headers=headers)
        assert r.status == 401, headers
        assert r.headers["WWW-Authenticate"] == "tma"
        assert (await r.json())["error"] == "unauthorized"
    await env.rt.store.users.seen(42, "Anna", None, "hu", env.rt.now())
    await env.rt.store.bookmarks.add(42, "closing", env.rt.now())  # made in the chat
    await env.rt.store.users.set_reminder_minutes(42, 15)
    r = await c.get("/app/api/me", headers=auth())
    assert r.status == 200
    me = await r.json()
    assert me["bookmarks"] == ["closing"]
    assert me["ratings"] == {}
    assert me["now"] == "2024-11-27T09:00:00+01:00"
    assert me["reminder_minutes"] == 15
    assert me["user"]["id"] == 42
    assert me["user"]["language"] == "hu"  # no /language choice: what the app sends


async def test_me_speaks_the_language_chosen_with_slash_language(env: Env) -> None:
    """Telegram's app says Hungarian; the person chose English in the chat: the app follows."""
    await env.rt.store.users.seen(42, "Anna", None, "hu", env.rt.now())
    await env.rt.languages.choose(42, "en")
    me = await (await env.client.get("/app/api/me", headers=auth())).json()
    assert me["user"]["language_code"] == "hu"
    assert me["user"]["language"] == "en"


# ------------------------------------------------------------------ bookmarks
async def test_a_bookmark_is_the_bots_row_and_gets_planned(env: Env) -> None:
    c = env.client
    store = env.rt.store
    r = await c.post("/app/api/bookmarks/keynote-sztaray", headers=auth())
    assert r.status == 200
    assert await r.json() == {
        "session_id": "keynote-sztaray",
        "bookmarked": True,
        "reminder_minutes": 10,
    }
    assert await store.bookmarks.of_user(42) == ["keynote-sztaray"]
    user = await store.users.get(42)
    assert user is not None
    assert (user.first_name, user.username, user.language) == ("Anna", "anna_k", "hu")
    assert env.backend.planned == [(42, "keynote-sztaray", True)]
    r = await c.post("/app/api/bookmarks/keynote-sztaray", headers=auth())  # idempotent
    assert r.status == 200
    assert await store.bookmarks.of_user(42) == ["keynote-sztaray"]
    r = await c.delete("/app/api/bookmarks/keynote-sztaray", headers=auth())
    assert (await r.json())["bookmarked"] is False
    assert await store.bookmarks.of_user(42) == []


async def test_refused_bookmarks_change_nothing(env: Env) -> None:
    c = env.client
    store = env.rt.store
    for headers in ({}, forged(), auth(age=2 * 86400)):
        r = await c.post("/app/api/bookmarks/keynote-sztaray", headers=headers)
        assert r.status == 401
    assert await store.users.get(42) is None
    assert await store.users.get(43) is None
    assert await store.bookmarks.count() == 0
    assert env.backend.planned == []
    r = await c.post("/app/api/bookmarks/no-such-session", headers=auth())
    assert r.status == 404
    assert (await r.json())["error"] == "unknown_session"
    r = await c.post("/app/api/bookmarks/lunch", headers=auth())
    assert r.status == 400
    assert (await r.json())["error"] == "not_bookmarkable"
    assert await store.bookmarks.count() == 0


async def test_wrong_methods_paths_and_bodies(env: Env) -> None:
    c = env.client
    r = await c.get("/app/api/bookmarks/welcome", headers=auth())
    assert r.status == 405
    assert "POST" in r.headers["Allow"]
    assert (await r.json())["error"] == "method_not_allowed"
    r = await c.put("/app/api/agenda")
    assert r.status == 405
    r = await c.get("/app/api/nothing-here")
    assert r.status == 404
    assert (await r.json())["error"] == "not_found"
    assert (await c.get("/app/nothing-here")).status == 404
    r = await c.post("/app/api/ratings/welcome", data=b"x" * 10_000, headers=auth())
    assert r.status == 413
    assert (await r.json())["error"] == "too_large"

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"y" * 1000

    r = await c.post("/app/api/bookmarks/welcome", data=chunks(), headers=auth())
    assert r.status == 413  # not announced in Content-Length: still refused
    assert await env.rt.store.bookmarks.count() == 0


# ------------------------------------------------------------------ ratings
async def test_ratings_follow_the_chats_rules(env: Env) -> None:
    c = env.client
    store = env.rt.store
    env.clock.set(brussels(9, 59))
    r = await c.post("/app/api/ratings/keynote-sztaray", json={"rating": 4}, headers=auth())
    assert r.status == 409
    assert (await r.json())["error"] == "not_started"
    env.clock.set(brussels(10, 5))
    r = await c.post("/app/api/ratings/keynote-sztaray", json={"rating": 4}, headers=auth())
    assert r.status == 200
    assert await r.json() == {"session_id": "keynote-sztaray", "rating": 4, "previous": None}
    assert await store.feedback.get(42, "keynote-sztaray") == (4, None)
    # the chat's "your next message is a comment" window is not opened by the app
    assert await store.users.pending(42) is None
    r = await c.post("/app/api/ratings/keynote-sztaray", json={"rating": 5}, headers=auth())
    assert (await r.json())["previous"] == 4
    me = await (await c.get("/app/api/me", headers=auth())).json()
    assert me["ratings"] == {"keynote-sztaray": 5}
    for body in ({"rating": 0}, {"rating": 6}, {"rating": "5"}, {"rating": True}, {"rating": 4.5},
                 {}, [5]):  # fmt: skip
        r = await c.post("/app/api/ratings/keynote-sztaray", json=body, headers=auth())
        assert r.status == 400, body
        assert (await r.json())["error"] == "bad_rating"
    r = await c.post("/app/api/ratings/keynote-sztaray", data=b"{nope", headers=auth())
    assert r.status == 400
    assert (await r.json())["error"] == "bad_json"
    r = await c.post("/app/api/ratings/lunch", json={"rating": 3}, headers=auth())
    assert r.status == 400
    r = await c.post("/app/api/ratings/nope", json={"rating": 3}, headers=auth())
    assert r.status == 404
    r = await c.post("/app/api/ratings/welcome", json={"rating": 3}, headers=forged())
    assert r.status == 401
    assert await store.feedback.count() == 1


async def test_odd_session_ids_work_through_their_keys(tmp_path: Path) -> None:
    tz = BRUSSELS_TZ
    odd = Session(
        id="talk/42 über #1",
        title="Odd",
        start=datetime(2025, 3, 3, 9, tzinfo=tz),
        end=datetime(2025, 3, 3, 10, tzinfo=tz),
    )
    result = LoadResult(Conference(name="Odd ids", timezone=tz, sessions=(odd,)), "test")
    async for e in make_env(tmp_path, result, datetime(2025, 3, 3, 8, tzinfo=tz)):
        agenda = await (await e.client.get("/app/api/agenda")).json()
        key = agenda["sessions"][0]["key"]
        assert key != odd.id
        path = "/app/api/bookmarks/" + key.replace("#", "%23")
        r = await e.client.post(path, headers=auth())
        assert r.status == 200
        assert await e.rt.store.bookmarks.of_user(42) == [odd.id]
        r = await e.client.get("/app/api/sessions/" + key.replace("#", "%23") + ".ics")
        assert r.status == 200


async def test_a_failing_planner_does_not_lose_the_bookmark(env: Env) -> None:
    class Broken:
        async def tick(self, *_: Any, **__: Any) -> int:
            raise RuntimeError("planner down")

    env.rt.reminders.planner = Broken()  # type: ignore[assignment]
    r = await env.client.post("/app/api/bookmarks/closing", headers=auth())
    assert r.status == 200
    assert await env.rt.store.bookmarks.of_user(42) == ["closing"]
