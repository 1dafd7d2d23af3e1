"""The one opening of every button handler: a bad press is answered once, politely."""

from __future__ import annotations

import itertools
from types import SimpleNamespace
from typing import Any

import pytest

from bot import texts
from bot.config import Settings
from handlers.buttons import Press, button
from handlers.callbacks import BadCallback
from handlers.context import BotData

ORG = 9
_IDS = itertools.count(1)


class FakeQuery:
    def __init__(self, data: str | None, user_id: int) -> None:
        self.id = str(next(_IDS))
        self.data = data
        self.from_user = SimpleNamespace(id=user_id)
        self.message = None
        self.answers: list[tuple[str | None, bool]] = []

    async def answer(self, text: str | None = None, show_alert: bool = False) -> None:
        self.answers.append((text, show_alert))


async def press(handler: Any, data: str | None, user_id: int = 1) -> FakeQuery:
    query = FakeQuery(data, user_id)
    update = SimpleNamespace(callback_query=query)
    settings = Settings(_env_file=None, ORGANISER_IDS=str(ORG))  # type: ignore[call-arg]
    context = SimpleNamespace(rt=SimpleNamespace(settings=settings), bot_data=BotData())
    await handler(update, context)
    return query


STALE = (texts.stale_button(), True)


async def test_a_good_press_reaches_the_handler_decoded() -> None:
    seen: list[tuple[str, tuple[str, ...], int]] = []

    @button("bm", "ics")
    async def handler(p: Press) -> None:
        seen.append((p.action, p.args, p.user_id))
        await p.answer("done")

    query = await press(handler, "ics:keynote", user_id=5)
    assert seen == [("ics", ("keynote",), 5)]
    assert query.answers == [("done", False)]


@pytest.mark.parametrize("data", [None, "", "bm", "bm:a:b", "zz:1", "ics:<x>", "bm:" + "x" * 70])
async def test_forged_or_malformed_data_is_answered_as_stale(data: str | None) -> None:
    @button("bm")
    async def handler(p: Press) -> None:
        raise AssertionError("must not be called")

    assert (await press(handler, data)).answers == [STALE]


async def test_another_features_button_is_not_taken() -> None:
    @button("bm")
    async def handler(p: Press) -> None:
        raise AssertionError("must not be called")

    assert (await press(handler, "ics:keynote")).answers == [STALE]


async def test_organiser_buttons_refuse_everyone_else_alike() -> None:
    calls: list[int] = []

    @button("st", organisers=True)
    async def handler(p: Press) -> None:
        calls.append(p.user_id)
        await p.answer()

    assert (await press(handler, "st:1", user_id=1)).answers == [STALE]
    assert (await press(handler, "st:1", user_id=ORG)).answers == [(None, False)]
    assert calls == [ORG]


async def test_bad_arguments_found_by_the_handler_are_answered_once() -> None:
    @button("d")
    async def early(p: Press) -> None:
        p.callback.int_arg(1, 0, 10)  # out of range: BadCallback before any answer

    @button("d")
    async def late(p: Press) -> None:
        await p.answer("first")
        raise BadCallback("found out after answering")

    assert (await press(early, "d:20241127:99")).answers == [STALE]
    assert (await press(late, "d:20241127:1")).answers == [("first", False)]


async def test_a_custom_stale_text() -> None:
    @button("rt", stale=texts.feedback_stale_toast)
    async def handler(p: Press) -> None:
        raise BadCallback("no such session")

    got = await press(handler, "rt:nope:3")
    assert got.answers == [(texts.feedback_stale_toast(), True)]


def test_the_route_is_derived_from_the_actions() -> None:
    @button("s", "sp")
    async def handler(p: Press) -> None: ...

    route = handler.handler()
    assert route.pattern is not None
    assert route.pattern.match("s:key")
    assert route.pattern.match("sp:ada")
    assert not route.pattern.match("spl:1")
    assert not route.pattern.match("st:1")


def test_an_action_outside_the_scheme_is_a_programming_error() -> None:
    async def handler(p: Press) -> None: ...

    with pytest.raises(ValueError, match="ACTIONS"):
        button("nope")(handler)
