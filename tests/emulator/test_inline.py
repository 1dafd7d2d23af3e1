"""Inline mode: queries, answers validated like Telegram, picked results and their buttons."""

from __future__ import annotations

import json
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.ext import CallbackQueryHandler, ContextTypes, InlineQueryHandler

from bot.emulator import BotApiEmulator, FakeUser
from tests.emulator.conftest import kinds, polling_app, raw_call

KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Open", callback_data="open:s1")]])


async def _answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.inline_query
    assert query is not None
    start = int(query.offset or 0)
    results = [
        InlineQueryResultArticle(
            f"s{n}",
            f"Talk {n}",
            InputTextMessageContent(f"<b>Talk {n}</b> &amp; more", parse_mode="HTML"),
            reply_markup=KEYBOARD if n % 2 else None,
            description=f"Room {n}",
        )
        for n in range(start, start + 3)
    ]
    await query.answer(results, next_offset=str(start + 3), cache_time=5, is_personal=True)


async def _open(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("opening")
    await query.edit_message_text("<b>Talk 1</b>: opened", parse_mode="HTML")


def _article(rid: str = "a", **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "type": "article",
        "id": rid,
        "title": "Keynote",
        "input_message_content": {"message_text": "Keynote at 9"},
    }
    item.update(extra)
    return item


async def _refusal(emu: BotApiEmulator, qid: str, **params: Any) -> str:
    if "results" in params and not isinstance(params["results"], str):
        params["results"] = json.dumps(params["results"])
    status, body = await raw_call(emu, "answerInlineQuery", inline_query_id=qid, **params)
    assert status == 400, body
    return str(body["description"])


async def test_inline_query_answer_pick_press_and_edit(emu: BotApiEmulator, ada: FakeUser) -> None:
    seen: list[Update] = []
    async with polling_app(
        emu, InlineQueryHandler(_answer), CallbackQueryHandler(_open), seen=seen
    ):
        qid = await ada.inline_query("talk")
        answer = await ada.inline_answer(qid)
        assert answer.ids == ["s0", "s1", "s2"]
        assert (answer.next_offset, answer.cache_time, answer.is_personal) == ("3", 5, True)
        assert answer.result("s1")["reply_markup"]["inline_keyboard"][0][0]["text"] == "Open"
        page = await ada.inline_query("talk", offset=answer.next_offset)
        assert (await ada.inline_answer(page)).ids == ["s3", "s4", "s5"]

        posted = await ada.choose_inline_result(qid, "s1")
        assert posted.is_inline
        assert posted.inline_message_id
        assert posted.plain_text == "Talk 1 & more"
        assert posted.raw["via_bot"] == emu.bot_user
        assert posted.raw["from"]["id"] == ada.id
        cid = await ada.press(posted, "Open")
        assert (await ada.callback_answer(cid)).text == "opening"
        await emu.wait_idle()
        plain = await ada.choose_inline_result(qid, "s0")  # no keyboard: no inline_message_id
        await emu.wait_idle()
    assert posted.edited
    assert posted.plain_text == "Talk 1: opened"
    assert posted.history[0].text == "<b>Talk 1</b> &amp; more"
    assert plain.inline_message_id is None
    assert kinds(seen) == [
        "inline_query",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "chosen_inline_result",
    ]
    raw_query = emu.update_log[0]["inline_query"]
    assert list(raw_query) == ["id", "from", "chat_type", "query", "offset"]
    assert (raw_query["chat_type"], raw_query["query"], raw_query["offset"]) == (
        "sender",
        "talk",
        "",
    )
    chosen = emu.update_log[2]["chosen_inline_result"]
    assert chosen == {
        "from": ada.as_user(),
        "inline_message_id": posted.inline_message_id,
        "query": "talk",
        "result_id": "s1",
    }
    callback = emu.update_log[3]["callback_query"]
    assert "message" not in callback
    assert callback["inline_message_id"] == posted.inline_message_id
    assert set(callback) == {"id", "from", "inline_message_id", "chat_instance", "data"}
    assert "inline_message_id" not in emu.update_log[4]["chosen_inline_result"]
    edit = emu.calls_of("editMessageText")[0]
    assert edit.response == {"ok": True, "result": True}  # inline edits answer True
    query = seen[3].callback_query
    assert query is not None
    assert query.message is None
    assert query.inline_message_id == posted.inline_message_id


async def test_chat_type_follows_where_the_query_is_typed(
    emu: BotApiEmulator, ada: FakeUser
) -> None:
    group = emu.group("Hallway")
    bob = emu.user(1002, "Bob")
    await ada.inline_query("x", chat=group)
    await ada.inline_query("x", chat=bob)
    await ada.inline_query("x", chat_type=None)
    types = [u["inline_query"].get("chat_type") for u in emu.update_log]
    assert types == ["supergroup", "private", None]


async def test_picked_results_reach_the_bot_where_it_is(emu: BotApiEmulator, ada: FakeUser) -> None:
    group = emu.group("Hallway", creator=ada)
    await group.add_bot(by=ada)  # a plain member: privacy mode applies
    qid = await ada.inline_query("k")
    status, _ = await raw_call(
        emu, "answerInlineQuery", inline_query_id=qid, results=json.dumps([_article()])
    )
    assert status == 200
    before = len(emu.update_log)
    in_group = await ada.choose_inline_result(qid, "a", chat=group)
    in_own_chat = await ada.choose_inline_result(qid, "a", chat=ada)
    elsewhere = await ada.choose_inline_result(qid, "a")
    delivered = [u for u in emu.update_log[before:] if "message" in u]
    assert [u["message"]["chat"]["id"] for u in delivered] == [group.id, ada.id]
    assert all(u["message"]["via_bot"]["id"] == emu.bot_user["id"] for u in delivered)
    assert in_group.chat_id == group.id
    assert in_own_chat.chat_id == ada.id
    assert elsewhere.chat_id == 0
    assert len(ada.inline_messages) == 3


async def test_inline_feedback_can_be_off() -> None:
    async with BotApiEmulator(inline_feedback=False) as emu:
        ada = emu.user(1001, "Ada")
        qid = await ada.inline_query("k")
        await raw_call(
            emu, "answerInlineQuery", inline_query_id=qid, results=json.dumps([_article()])
        )
        await ada.choose_inline_result(qid, "a")
        assert [next(k for k in u if k != "update_id") for u in emu.update_log] == ["inline_query"]


async def test_answers_are_validated_like_telegram(emu: BotApiEmulator, ada: FakeUser) -> None:
    qid = await ada.inline_query("k")
    too_many = [_article(f"r{n}") for n in range(51)]
    assert await _refusal(emu, qid, results=too_many) == (
        "Bad Request: too many inline query results specified"
    )
    assert await _refusal(emu, qid, results=[_article("same"), _article("same")]) == (
        "Bad Request: RESULT_ID_DUPLICATE"
    )
    assert (
        await _refusal(emu, qid, results=[_article("x" * 65)]) == "Bad Request: RESULT_ID_INVALID"
    )
    assert await _refusal(emu, qid, results=[_article()], next_offset="9" * 65) == (
        "Bad Request: NEXT_OFFSET_INVALID"
    )
    no_title = _article()
    del no_title["title"]
    assert await _refusal(emu, qid, results=[no_title]) == (
        "Bad Request: can't parse inline query result: Can't find field \"title\""
    )
    assert (
        await _refusal(emu, qid, results=[_article(title="")]) == "Bad Request: ARTICLE_TITLE_EMPTY"
    )
    no_content = _article()
    del no_content["input_message_content"]
    assert await _refusal(emu, qid, results=[no_content]) == (
        "Bad Request: can't parse inline query result: Can't find field \"message_text\""
    )
    bad_html = _article(input_message_content={"message_text": "<b>x", "parse_mode": "HTML"})
    assert (await _refusal(emu, qid, results=[bad_html])).startswith(
        "Bad Request: can't parse inline query result: Can't parse entities:"
    )
    long_text = _article(input_message_content={"message_text": "x" * 4097})
    assert await _refusal(emu, qid, results=[long_text]) == "Bad Request: MESSAGE_TOO_LONG"
    reply_keyboard = _article(reply_markup={"keyboard": [["a"]]})
    assert (
        await _refusal(emu, qid, results=[reply_keyboard])
        == "Bad Request: inline keyboard expected"
    )
    long_data = _article(
        reply_markup={"inline_keyboard": [[{"text": "x", "callback_data": "d" * 65}]]}
    )
    assert await _refusal(emu, qid, results=[long_data]) == "Bad Request: BUTTON_DATA_INVALID"
    assert await _refusal(emu, qid, results=[{"type": "poll", "id": "p"}]) == (
        'Bad Request: can\'t parse inline query result: type "poll" is unsupported for the '
        "inline query result"
    )
    assert await _refusal(emu, qid, results=[{"type": "photo", "id": "p"}]) == (
        "Bad Request: can't parse inline query result: Can't find field \"photo_file_id\""
    )
    assert await _refusal(emu, qid, results="[not json") == (
        "Bad Request: can't parse JSON encoded inline query results: Expecting value: line 1 "
        "column 2 (char 1)"
    )
    button = json.dumps({"text": "Open the bot", "start_parameter": "has spaces"})
    assert await _refusal(emu, qid, results=[_article()], button=button) == (
        "Bad Request: unallowed characters in start_parameter are used"
    )
    web_app = json.dumps({"text": "App", "web_app": {"url": "http://example.org/app"}})
    assert await _refusal(emu, qid, results=[_article()], button=web_app) == (
        "Bad Request: inline query button Web App URL 'http://example.org/app' is invalid: "
        "Only HTTPS links are allowed"
    )
    # None of the refusals used the query up.
    good = json.dumps({"text": "Open the bot", "start_parameter": "s_keynote"})
    status, body = await raw_call(
        emu,
        "answerInlineQuery",
        inline_query_id=qid,
        results=json.dumps(
            [
                _article(),
                {
                    "type": "photo",
                    "id": "p",
                    "photo_url": "https://x.org/a.jpg",
                    "thumbnail_url": "https://x.org/t.jpg",
                },
            ]
        ),
        button=good,
    )
    assert (status, body["result"]) == (200, True)
    answer = emu.inline.answers[-1]
    assert answer.button == {"text": "Open the bot", "start_parameter": "s_keynote"}
    assert answer.cache_time == 300
    too_late = "Bad Request: query is too old and response timeout expired or query ID is invalid"
    assert await _refusal(emu, qid, results=[_article()]) == too_late  # answered already
    assert await _refusal(emu, "12345", results=[_article()]) == too_late
    emu.inline.answer_timeout = -1.0
    stale = await ada.inline_query("k")
    assert await _refusal(emu, stale, results=[_article()]) == too_late


async def test_editing_inline_messages_by_id(emu: BotApiEmulator, ada: FakeUser) -> None:
    qid = await ada.inline_query("k")
    keyboard = {"inline_keyboard": [[{"text": "Open", "callback_data": "o"}]]}
    await raw_call(
        emu,
        "answerInlineQuery",
        inline_query_id=qid,
        results=json.dumps([_article(reply_markup=keyboard)]),
    )
    posted = await ada.choose_inline_result(qid, "a")
    assert posted.inline_message_id is not None
    status, body = await raw_call(
        emu,
        "editMessageText",
        inline_message_id=posted.inline_message_id,
        text="Keynote at 9",
        reply_markup=keyboard,
    )
    assert (status, body["description"]) == (
        400,
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message",
    )
    status, body = await raw_call(
        emu,
        "editMessageText",
        inline_message_id=posted.inline_message_id,
        text="Moved to 10",
        reply_markup=keyboard,
    )
    assert (status, body) == (200, {"ok": True, "result": True})
    assert posted.plain_text == "Moved to 10"
    status, body = await raw_call(
        emu, "editMessageReplyMarkup", inline_message_id=posted.inline_message_id
    )
    assert status == 200
    assert posted.buttons == []
    status, body = await raw_call(emu, "editMessageText", inline_message_id="nonsense!", text="x")
    assert body["description"] == "Bad Request: invalid inline message identifier specified"
    unknown = emu.inline._new_inline_id(ada.id)
    status, body = await raw_call(emu, "editMessageText", inline_message_id=unknown, text="x")
    assert body["description"] == "Bad Request: MESSAGE_ID_INVALID"
    status, body = await raw_call(emu, "editMessageText", text="x")
    assert body["description"] == "Bad Request: message identifier is not specified"


async def test_press_inline_with_arbitrary_data(emu: BotApiEmulator, ada: FakeUser) -> None:
    cid = await ada.press_inline("AgAAAOkDAAAAAAAAAQAAALF5N54AAAAA", "v0:old")
    query = emu.update_log[-1]["callback_query"]
    assert query["id"] == cid
    assert query["data"] == "v0:old"
    assert "message" not in query
    status, body = await raw_call(emu, "answerCallbackQuery", callback_query_id=cid)
    assert (status, body["result"]) == (200, True)
