"""Live feeds in the core: tokens, content hashes, Last-Modified, the HTTP rules they follow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiohttp.test_utils import make_mocked_request

from bot.calendar import CalendarFeeds, token_hash
from bot.web.http import is_loopback, loggable_path, not_modified
from tests.core_env import Core


def feeds(core: Core) -> CalendarFeeds:
    store = core.store
    return CalendarFeeds(store.calendar_feeds, store.kv, core.current)


async def test_tokens_are_long_random_stored_hashed_and_replaced(core: Core) -> None:
    f = feeds(core)
    await core.users(1)
    token = await f.issue(1)
    assert len(token) == 32  # 24 random bytes, URL-safe
    found = await core.store.calendar_feeds.by_hash(token_hash(token))
    assert found is not None
    assert found.token_hash != token  # only the hash is stored
    assert await f.personal(token) is not None
    second = await f.issue(1)
    assert second != token
    assert await f.personal(token) is None  # revoked
    assert await f.personal(second) is not None
    for forged in ("", "x" * 31, token[:-1] + "!", "../../etc/passwd", second.upper()):
        assert await f.personal(forged) is None
    assert await f.turn_off(1)
    assert await f.personal(second) is None
    assert not await f.turn_off(1)


async def test_the_same_content_is_the_same_bytes_and_a_change_moves_last_modified(
    core: Core,
) -> None:
    f = feeds(core)
    await core.users(1)
    token = await f.issue(1)
    first = await f.personal(token)
    assert first is not None
    again = await f.personal(token)
    assert again == first  # bytes, ETag and time: unchanged content is byte-identical
    await core.store.bookmarks.add(1, "keynote-sztaray", core.clock.now())
    changed = await f.personal(token)
    assert changed is not None
    assert changed.etag != first.etag
    assert changed.modified > first.modified  # even with the clock standing still
    assert b"keynote-sztaray" in changed.body
    await core.store.bookmarks.remove(1, "keynote-sztaray")
    back = await f.personal(token)
    assert back is not None
    assert back.etag == first.etag  # the content is what it was...
    assert back.modified > changed.modified  # ...but it changed again since


async def test_a_users_feed_is_named_and_worded_in_their_language(core: Core) -> None:
    f = feeds(core)
    await core.store.users.seen(2, "Éva", None, "hu", core.clock.now())
    await core.store.bookmarks.add(2, "keynote-sztaray", core.clock.now())
    token = await f.issue(2)
    feed = await f.personal(token)
    assert feed is not None
    assert "saját programom".encode() in feed.body.replace(b"\r\n ", b"")
    # The language chosen with /language wins over the Telegram app's.
    await core.store.users.seen(3, "Ann", None, "en", core.clock.now())
    await core.store.users.set_chosen_language(3, "hu")
    chosen = await f.personal(await f.issue(3))
    assert chosen is not None
    assert "saját programom".encode() in chosen.body.replace(b"\r\n ", b"")


async def test_the_conference_feed_keeps_its_time_until_its_content_changes(core: Core) -> None:
    f = feeds(core)
    first = await f.conference()
    assert first.body.count(b"BEGIN:VEVENT") == len(core.current.conference.sessions)
    core.clock.advance(timedelta(hours=1))
    assert (await f.conference()).modified == first.modified


def _request(headers: dict[str, str], peer: str = "127.0.0.1") -> object:
    class Transport:
        def get_extra_info(self, name: str, default: object = None) -> object:
            return (peer, 5555) if name == "peername" else default

    return make_mocked_request("GET", "/x", headers=headers, transport=Transport())


def test_conditional_requests_follow_rfc_9110() -> None:
    modified = datetime(2024, 11, 27, 9, 0, 0, tzinfo=UTC)
    http_date = "Wed, 27 Nov 2024 09:00:00 GMT"
    later = "Wed, 27 Nov 2024 09:00:01 GMT"
    earlier = "Wed, 27 Nov 2024 08:59:59 GMT"

    def check(headers: dict[str, str]) -> bool:
        return not_modified(_request(headers), '"abc"', modified)  # type: ignore[arg-type]

    assert check({"If-None-Match": '"abc"'})
    assert check({"If-None-Match": 'W/"abc"'})
    assert check({"If-None-Match": '"x", "abc"'})
    assert check({"If-None-Match": "*"})
    assert not check({"If-None-Match": '"x"'})
    assert not check({"If-None-Match": '"x"', "If-Modified-Since": later})  # ETag decides
    assert check({"If-Modified-Since": http_date})
    assert check({"If-Modified-Since": later})
    assert not check({"If-Modified-Since": earlier})
    assert not check({"If-Modified-Since": "yesterday-ish"})  # malformed: ignored
    assert not check({})


def test_loopback_means_this_machine_and_not_through_a_proxy() -> None:
    assert is_loopback(_request({}))  # type: ignore[arg-type]
    assert is_loopback(_request({}, "::1"))  # type: ignore[arg-type]
    assert not is_loopback(_request({}, "192.0.2.10"))  # type: ignore[arg-type]
    for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP"):
        assert not is_loopback(_request({header: "198.51.100.4"}))  # type: ignore[arg-type]


def test_logged_paths_hide_feed_tokens() -> None:
    assert loggable_path("/cal/Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MDEy.ics") == "/cal/[token].ics"
    assert loggable_path("/cal/anything") == "/cal/[token]"
    assert loggable_path("/cal/conference.ics") == "/cal/conference.ics"
    assert loggable_path("/healthz") == "/healthz"
    assert len(loggable_path("/" + "a" * 500)) < 210
