"""An in-process transport: PTB talks to the emulator without sockets or an HTTP client.

Everything the emulator does (latency, flood control, faults, validation, recording) still
applies, and PTB still encodes each request and parses each answer; only httpx, httpcore and
the loopback sockets are skipped. Their cost is real in production: in-process, PTB's HTTP
client caps this 2-core machine at roughly 400-800 calls a second (httpcore scans its whole
connection pool on every request), well below what the emulator and the bot can do. Use it
for benchmarks whose subject is the bot's own work at high rates, and say so next to the
figures; keep the default HTTP path for end-to-end tests.

    request = EmulatorRequest(emu)
    app = (Application.builder().token(T).base_url(emu.base_url)
           .request(request).get_updates_request(EmulatorRequest(emu)).build())
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from telegram.request import BaseRequest, RequestData

from bot.emulator.server import UploadedFile, _coerce

if TYPE_CHECKING:
    from bot.emulator.server import BotApiEmulator

JsonDict = dict[str, Any]


class EmulatorRequest(BaseRequest):
    """A ``telegram.request.BaseRequest`` that hands each call to an emulator directly."""

    def __init__(self, emulator: BotApiEmulator) -> None:
        self.emulator = emulator

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Timeouts are ignored: the emulator's round trip and faults decide the timing."""
        path = unquote(urlsplit(url).path)
        if path.startswith("/file/bot"):
            token, _, file_path = path[len("/file/bot") :].partition("/")
            stored = self.emulator.file_bytes(token, file_path)
            if stored is None:
                return 404, b'{"ok":false,"error_code":404,"description":"Not Found"}'
            return 200, stored.data
        token, _, api_method = path.rpartition("/")
        token = token.rsplit("/bot", 1)[-1]

        async def read() -> tuple[JsonDict, dict[str, UploadedFile]]:
            params: JsonDict = {}
            files: dict[str, UploadedFile] = {}
            if request_data is not None:
                for name, value in request_data.parameters.items():
                    params[name] = _coerce(name, value)
                for name, (filename, content, mime) in request_data.multipart_data.items():
                    data = content if isinstance(content, bytes) else content.read()
                    files[name] = UploadedFile(str(filename), data, mime or None)
            return params, files

        status, body = await self.emulator.process(token, api_method, read)
        return status, json.dumps(body).encode()
