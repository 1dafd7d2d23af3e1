"""``GET /cal/TOKEN.ics`` and ``GET /cal/conference.ics``: live calendar feeds over HTTP.

The feeds themselves (tokens, content, ETags) are ``bot.calendar.CalendarFeeds``; this is the
HTTP side: 404 for an unknown or revoked token (the same answer as for one that never
existed), ``ETag`` / ``Last-Modified``, and ``304`` to a conditional request, since calendar
apps poll every few minutes.
"""

from __future__ import annotations

from datetime import UTC
from email.utils import format_datetime

from aiohttp import web

from bot.calendar import CalendarFeeds, Feed
from bot.web.http import not_modified


def _respond(request: web.Request, feed: Feed, *, private: bool) -> web.StreamResponse:
    headers = {
        "ETag": feed.etag,
        "Last-Modified": format_datetime(feed.modified.astimezone(UTC), usegmt=True),
        # Revalidate on every poll (a 304 costs little); personal feeds never sit in a cache
        # shared between people.
        "Cache-Control": "private, no-cache" if private else "public, no-cache",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }
    if private:
        headers["X-Robots-Tag"] = "noindex, nofollow"
    if not_modified(request, feed.etag, feed.modified):
        return web.Response(status=304, headers=headers)
    headers["Content-Disposition"] = f'inline; filename="{feed.filename}"'
    return web.Response(
        body=feed.body, content_type="text/calendar", charset="utf-8", headers=headers
    )


class Feeds:
    def __init__(self, feeds: CalendarFeeds) -> None:
        self.feeds = feeds

    async def conference(self, request: web.Request) -> web.StreamResponse:
        return _respond(request, await self.feeds.conference(), private=False)

    async def personal(self, request: web.Request) -> web.StreamResponse:
        feed = await self.feeds.personal(request.match_info["token"])
        if feed is None:
            raise web.HTTPNotFound(text="No such calendar (the link may have been replaced).\n")
        return _respond(request, feed, private=True)

    def add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_get("/cal/conference.ics", self.conference)
        router.add_get(r"/cal/{token:[^/]{1,200}}.ics", self.personal)
