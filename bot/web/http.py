"""HTTP details every route of the web server shares: conditional requests, client addresses,
paths as logged."""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime

from aiohttp import web

#: Headers a reverse proxy adds: a request carrying one did not come from this machine,
#: whatever the socket says (the proxy itself is on loopback).
FORWARDING_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP", "X-Forwarded-Host")
_FEED_PATH = re.compile(r"^/cal/(?!conference\.ics$)[^/]*$")


def etag_matches(request: web.Request, etag: str) -> bool:
    """``If-None-Match`` against our ETag, weakly (as RFC 9110 says for this header)."""
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    if header.strip() == "*":
        return True
    ours = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == ours for tag in header.split(","))


def not_modified(request: web.Request, etag: str, modified: datetime) -> bool:
    """Whether a conditional GET may be answered 304 (RFC 9110 13.2.2: ``If-None-Match``
    decides when present; only without it is ``If-Modified-Since`` looked at)."""
    if "If-None-Match" in request.headers:
        return etag_matches(request, etag)
    try:
        since = request.if_modified_since
    except ValueError:  # a malformed date is ignored, as the RFC says
        return False
    return since is not None and modified.replace(microsecond=0) <= since


def is_loopback(request: web.Request) -> bool:
    """A client on this machine talking to us directly (not through a reverse proxy)."""
    if any(h in request.headers for h in FORWARDING_HEADERS):
        return False
    remote = request.remote
    if not remote:
        return False
    try:
        return ipaddress.ip_address(remote.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def loggable_path(path: str) -> str:
    """The path with secrets taken out: a personal feed's token never reaches a log line."""
    if _FEED_PATH.match(path):
        return "/cal/[token].ics" if path.endswith(".ics") else "/cal/[token]"
    if len(path) > 200:
        return path[:200] + "…"
    return path
