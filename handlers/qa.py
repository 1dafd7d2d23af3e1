"""Audience questions in Telegram: /ask, the draft with Post / Cancel, the queue with 👍, the
stage's /questions (answered, hide, restore, pause, top-three notices), the outbox messages of
the feature (top-three notice, speakers' follow-up) and the job that plans the follow-ups.

The rules live in ``bot.qa``; this module parses presses and texts and lays out messages.
Callback scheme (``handlers.callbacks``): ``qa:<session>`` asks, ``qp:<draft>:<n|a|x>`` posts
under the first name, anonymously, or cancels; ``qo:<session>`` opens a session's questions
(the stage's view for the stage, the audience's for everyone else) as a new message;
``qq:<session>:<page>`` pages the audience's queue in place; ``qv:<question>:<page>`` votes;
``qn:<session>`` opens the stage's view, ``qs:<session>:<w|d>:<page>`` pages it (waiting, or
answered and hidden); ``qx:<question>:<a|h|r>:<page>`` marks answered, hides, restores;
``qc:<session>:<p|o|n|f>`` pauses, reopens, turns top-three notices on or off. Every press is
checked by ``bot.qa`` against the agenda and the store: a forged, stale or unauthorised one
stores nothing and gets a polite answer.
"""

from __future__ import annotations

import asyncio
import html
import logging
import weakref
from collections.abc import Awaitable, Callable, Sequence

from telegram import Update
from telegram.ext import CommandHandler

from bot import texts
from bot.agenda.model import Session
from bot.outgoing import MAX_TEXT, Button, Keyboard, OutgoingMessage, clip, fits
from bot.qa import (
    MAX_LENGTH,
    MAX_PER_SESSION,
    QA_FOLLOWUP,
    QA_TOP,
    TICK_SECONDS,
    Draft,
    Phase,
    QaRefused,
    Queue,
    Refusal,
    StageQueue,
    closes_at,
    opens_at,
)
from bot.runtime import Runtime
from bot.store.records import QA_ANSWERED, QA_HIDDEN, QA_OPEN, OutboxRow, StoredQuestion
from handlers import render
from handlers.buttons import Press, button
from handlers.callbacks import BadCallback, encode, session_key
from handlers.common import Context, command_args, edit_or_send, is_private, reply, user_id
from handlers.context import BotContext, ConfApp
from handlers.feature import TICK_JOB_KWARGS, Feature

log = logging.getLogger("confbot.qa")

JOB_NAME = "qa-followups"
#: Questions on one page: the audience's (one 👍 each), the stage's (a row of two each).
AUDIENCE_PAGE = 8
STAGE_PAGE = 6
#: Room left for the page line and Telegram's count of the header (HTML is longer than text).
MARGIN = 120
#: Sessions offered by /ask or /questions when several fit.
CHOICES = 10
MAX_PAGE = 10_000
MAX_ID = 2**62
#: Telegram's limit on the answer to a button press.
TOAST_CHARS = 200


# ---------------------------------------------------------------------- layout
def _pack(blocks: Sequence[str], budget: int, most: int) -> list[list[int]]:
    """Pages of block indices: at most ``most`` blocks and ``budget`` characters each (a block
    longer than the budget gets a page of its own; ``fits`` guards the rest)."""
    pages: list[list[int]] = [[]]
    size = 0
    for i, block in enumerate(blocks):
        page = pages[-1]
        if page and (size + len(block) + 2 > budget or len(page) >= most):
            pages.append([])
            page, size = pages[-1], 0
        page.append(i)
        size += len(block) + 2
    return pages


def _status(session: Session, stage: Phase, paused: bool) -> str:
    if stage is Phase.NOT_YET:
        return texts.qa_status_not_yet(opens_at(session))
    if stage is Phase.CLOSED:
        return texts.qa_status_closed(closes_at(session))
    if paused:
        return texts.qa_status_paused()
    return texts.qa_status_open(closes_at(session))


def _asker(q: StoredQuestion, *, sees_names: bool) -> list[str]:
    """Who asked, as this reader may see it: the audience and speakers see "anonymous" for an
    anonymous question; moderators and organisers always see the name (and the username)."""
    if not sees_names:
        return [texts.qa_anonymous_label() if q.anonymous else q.asker_name]
    who = q.asker_name or texts.qa_anonymous_label()
    if q.username:
        who = f"{who} (@{q.username})"
    return [who, texts.qa_anonymous_to_audience_label()] if q.anonymous else [who]


def _page_of(
    head: list[str], blocks: list[str], page: int, most: int
) -> tuple[str, list[int], int, int]:
    """(text, indices shown, page, pages) of one page of a list under a header."""
    top = "\n".join(head)
    budget = MAX_TEXT - len(top) - MARGIN
    pages = _pack(blocks, max(budget, 500), most)
    page = min(max(page, 0), len(pages) - 1)
    shown = pages[page]
    parts = [top]
    if shown:
        parts.append("\n\n".join(blocks[i] for i in shown))
    if len(pages) > 1:
        parts.append(texts.qa_page(page + 1, len(pages)))
    return fits("\n\n".join(parts)), shown, page, len(pages)


def _nav(action: str, key: str, page: int, pages: int, *extra: str) -> tuple[Button, ...]:
    row: list[Button] = []
    if page > 0:
        row.append(Button(texts.previous_button(), encode(action, key, *extra, page - 1)))
    row.append(Button(texts.qa_refresh_button(), encode(action, key, *extra, page)))
    if page + 1 < pages:
        row.append(Button(texts.next_button(), encode(action, key, *extra, page + 1)))
    return tuple(row)


def _rows(buttons: list[Button], width: int) -> list[tuple[Button, ...]]:
    return [tuple(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def audience_view(queue: Queue, page: int) -> OutgoingMessage:
    """A session's questions for the audience: open ones by votes, answered ones after."""
    session = queue.session
    key = session_key(session.id)
    head = [texts.qa_queue_title(session), _status(session, queue.phase, queue.paused)]
    if queue.questions:
        head.append(texts.qa_queue_count(len(queue.questions)))
    elif queue.phase is Phase.OPEN:
        head.append(texts.qa_queue_empty())
    else:
        head.append(texts.qa_queue_none())
    blocks = []
    for rank, q in enumerate(queue.questions, start=1):
        details = _asker(q, sees_names=False)
        if q.state == QA_ANSWERED:
            details.append(texts.qa_answered_label())
        if q.user_id == queue.viewer:
            details.append(texts.qa_yours_label())
        blocks.append(texts.qa_item(rank, q.text, q.votes, details))
    text, shown, page, pages = _page_of(head, blocks, page, AUDIENCE_PAGE)
    votes: list[Button] = []
    if queue.phase is Phase.OPEN:
        for i in shown:
            q = queue.questions[i]
            if q.state != QA_OPEN:
                continue
            label = (
                texts.qa_own_button(i + 1)
                if q.user_id == queue.viewer
                else texts.qa_vote_button(i + 1, q.votes, voted=q.voted)
            )
            votes.append(Button(label, encode("qv", q.id, page)))
    rows = _rows(votes, 3)
    rows.append(_nav("qq", key, page, pages))
    if queue.phase is Phase.OPEN and not queue.paused:
        rows.append((Button(texts.qa_ask_button(), encode("qa", key)),))
    return OutgoingMessage(text, tuple(rows))


def stage_view(view: StageQueue, tab: str, page: int) -> OutgoingMessage:
    """A session's questions for the stage: waiting ones with ✅ / 🙈, or the answered and
    hidden ones with ↩️; pause or reopen, and top-three notices for moderators and organisers."""
    session = view.session
    key = session_key(session.id)
    done = tab == "d"
    listed = view.done if done else view.open
    answered = sum(q.state == QA_ANSWERED for q in view.done)
    head = [
        texts.qa_stage_title(session),
        _status(session, view.phase, view.paused),
        texts.qa_stage_counts(len(view.open), answered, len(view.done) - answered),
    ]
    if listed:
        head.append(texts.qa_stage_done_order() if done else texts.qa_stage_order())
    else:
        head.append(texts.qa_stage_done_empty() if done else texts.qa_stage_empty())
    blocks = []
    for rank, q in enumerate(listed, start=1):
        details = _asker(q, sees_names=view.role.sees_names)
        details.append(texts.qa_asked_at_label(q.created_at.astimezone(session.start.tzinfo)))
        if q.state == QA_ANSWERED:
            details.append(texts.qa_answered_label())
        elif q.state == QA_HIDDEN:
            details.append(texts.qa_hidden_label())
        blocks.append(texts.qa_item(rank, q.text, q.votes, details))
    text, shown, page, pages = _page_of(head, blocks, page, STAGE_PAGE)
    actions: list[Button] = []
    for i in shown:
        q = listed[i]
        if done:
            actions.append(Button(texts.qa_restore_button(i + 1), encode("qx", q.id, "r", page)))
        else:
            actions.append(Button(texts.qa_answered_button(i + 1), encode("qx", q.id, "a", page)))
            actions.append(Button(texts.qa_hide_button(i + 1), encode("qx", q.id, "h", page)))
    rows = _rows(actions, 3 if done else 2)
    rows.append(_nav("qs", key, page, pages, tab))
    controls: list[Button] = []
    if view.phase is not Phase.CLOSED:
        if view.paused:
            controls.append(Button(texts.qa_reopen_button(), encode("qc", key, "o")))
        else:
            controls.append(Button(texts.qa_pause_button(), encode("qc", key, "p")))
    if view.role.may_get_notices:
        flip = "f" if view.notices else "n"
        controls.append(Button(texts.qa_notices_button(view.notices), encode("qc", key, flip)))
    if controls:
        rows.append(tuple(controls))
    if done:
        other = Button(texts.qa_waiting_tab_button(len(view.open)), encode("qs", key, "w", 0))
    else:
        other = Button(texts.qa_done_tab_button(len(view.done)), encode("qs", key, "d", 0))
    rows.append((other,))
    return OutgoingMessage(text, tuple(rows))


def _choice(session: Session, action: str) -> Button:
    return Button(render.session_label(session), encode(action, session_key(session.id)))


def _choices(sessions: Sequence[Session], action: str) -> Keyboard:
    return tuple((_choice(s, action),) for s in sessions[:CHOICES])


# ---------------------------------------------------------------------- refusals
def refusal_toast(exc: QaRefused) -> str:
    """A refusal as a button's answer (plain text, within Telegram's 200 characters)."""
    return clip(_refusal_toast(exc), TOAST_CHARS)


def _refusal_toast(exc: QaRefused) -> str:
    session = exc.session
    title = clip(texts.title_of(session), 60) if session is not None else ""
    reason = exc.reason
    if session is not None and reason is Refusal.NOT_YET:
        return texts.qa_not_yet_toast(title, opens_at(session))
    if session is not None and reason is Refusal.CLOSED:
        return texts.qa_closed_toast(title, closes_at(session))
    if reason is Refusal.PAUSED:
        return texts.qa_paused_toast(title)
    if reason is Refusal.LIMIT:
        return texts.qa_limit_toast(title, MAX_PER_SESSION)
    if reason is Refusal.COOLDOWN:
        return texts.qa_cooldown_toast(exc.seconds)
    if reason is Refusal.DUPLICATE:
        return texts.qa_duplicate_toast()
    if reason is Refusal.STALE:
        return texts.qa_stale_toast()
    if reason is Refusal.OWN:
        return texts.qa_own_vote_toast()
    if reason is Refusal.NOT_OPEN:
        answered = exc.question is not None and exc.question.state == QA_ANSWERED
        return texts.qa_answered_toast() if answered else texts.qa_gone_toast()
    if reason is Refusal.NOT_ALLOWED:
        return texts.qa_not_allowed_toast()
    if reason is Refusal.BREAK:
        return texts.qa_break_toast()
    return texts.qa_unknown_toast()


def refusal_message(exc: QaRefused) -> OutgoingMessage:
    """A refusal as a reply to a text (HTML), with a way on where there is one."""
    session = exc.session
    reason = exc.reason
    if reason is Refusal.TOO_LONG:
        return OutgoingMessage(texts.qa_too_long(MAX_LENGTH, exc.length))
    if reason is Refusal.TOO_SHORT:
        return OutgoingMessage(texts.qa_too_short())
    if reason is Refusal.DUPLICATE and session is not None:
        earlier = exc.question
        if earlier is not None and earlier.state == QA_OPEN:
            label = texts.qa_upvote_it_button(earlier.votes)
            buttons: Keyboard = ((Button(label, encode("qv", earlier.id, 0)),),)
            return OutgoingMessage(texts.qa_duplicate(session, can_vote=True), buttons)
        return OutgoingMessage(texts.qa_duplicate(session, can_vote=False), _questions(session))
    if reason is Refusal.CLOSED and session is not None:
        return OutgoingMessage(
            texts.qa_closed_now(session, closes_at(session)), _questions(session)
        )
    if reason is Refusal.UNKNOWN:
        return OutgoingMessage(texts.qa_session_gone())
    return OutgoingMessage(html.escape(refusal_toast(exc), quote=False))


def _questions(session: Session) -> Keyboard:
    return ((Button(texts.qa_questions_button(), encode("qo", session_key(session.id))),),)


async def _in_private(press: Press) -> bool:
    """Questions live in private chats: a card shown in a group (or posted inline) may carry
    the buttons, and a press there is answered with where to go instead."""
    message = press.message
    if message is None or message.chat.type != "private":
        await press.answer(texts.qa_private_only_toast(), alert=True)
        return False
    return True


# ---------------------------------------------------------------------- asking
def draft_message(draft: Draft, first_name: str) -> OutgoingMessage:
    """The question shown back: post under the first name, anonymously, or cancel."""
    name = clip(" ".join(first_name.split()) or "…", 40)
    rows: Keyboard = (
        (Button(texts.qa_post_named_button(name), encode("qp", draft.token, "n")),),
        (Button(texts.qa_post_anonymous_button(), encode("qp", draft.token, "a")),),
        (Button(texts.cancel_button(), encode("qp", draft.token, "x")),),
    )
    return OutgoingMessage(texts.qa_draft(draft.session, draft.text), rows)


def prompt_message(session: Session, token: str) -> OutgoingMessage:
    cancel = Button(texts.cancel_button(), encode("qp", token, "x"))
    return OutgoingMessage(texts.qa_ask_prompt(session, MAX_LENGTH), ((cancel,),))


async def ask_command(update: Update, context: Context) -> None:
    """/ask: the session running now, or a choice when several run. ``/ask QUESTION`` with
    one session running goes straight to the draft."""
    rt = context.rt
    if not is_private(update):
        await reply(update, context, OutgoingMessage(texts.qa_private_only()))
        return
    sessions = rt.qa.asking_sessions()
    if len(sessions) > 1:
        msg = OutgoingMessage(texts.qa_choose_session(), _choices(sessions, "qa"))
        await reply(update, context, msg)
        return
    if not sessions:
        lines = [texts.qa_nothing_open()]
        upcoming = rt.qa.next_opening()
        if upcoming is not None:
            lines.append(texts.qa_next_opens(upcoming, opens_at(upcoming)))
        await reply(update, context, OutgoingMessage("\n".join(lines)))
        return
    uid = user_id(update)
    text = command_args(update)
    try:
        session, token = await rt.qa.begin(uid, session_key(sessions[0].id))
        draft = await rt.qa.take_text(uid, text) if text else None
    except QaRefused as exc:
        await reply(update, context, refusal_message(exc))
        return
    user = update.effective_user
    if draft is not None and user is not None:
        await reply(update, context, draft_message(draft, user.first_name))
        return
    await reply(update, context, prompt_message(session, token))


@button("qa", stale=texts.qa_unknown_toast)
async def on_ask(press: Press) -> None:
    """ "❓ Ask a question" on a card, a reminder, a queue or the /ask choice."""
    if not await _in_private(press):
        return
    try:
        session, token = await press.rt.qa.begin(press.user_id, press.args[0])
    except QaRefused as exc:
        await press.answer(refusal_toast(exc), alert=True)
        return
    await press.answer()
    await reply(press.update, press.context, prompt_message(session, token))


async def question_hook(update: Update, context: Context) -> bool:
    """The text after "Ask a question" is the question: shown back with Post / Cancel."""
    message = update.effective_message
    user = update.effective_user
    if message is None or message.text is None or user is None or not is_private(update):
        return False
    try:
        draft = await context.rt.qa.take_text(user.id, message.text)
    except QaRefused as exc:
        await reply(update, context, refusal_message(exc))
        return True
    if draft is None:
        return False
    await reply(update, context, draft_message(draft, user.first_name))
    return True


@button("qp", stale=texts.qa_stale_toast)
async def on_draft(press: Press) -> None:
    """Post (under the first name or anonymously) or Cancel; only the current draft's buttons
    do anything."""
    if not await _in_private(press):
        return
    rt = press.rt
    token, choice = press.args
    try:
        if choice == "x":
            await rt.qa.cancel(press.user_id, token)
            await press.answer(texts.qa_cancelled_toast())
            await edit_or_send(press.update, press.context, OutgoingMessage(texts.qa_cancelled()))
            return
        if choice not in ("n", "a"):
            raise QaRefused(Refusal.STALE)
        anonymous = choice == "a"
        posted = await rt.qa.post(
            press.user_id, token, anonymous=anonymous, name=press.query.from_user.first_name
        )
    except QaRefused as exc:
        await press.answer(refusal_toast(exc), alert=True)
        if exc.reason in (Refusal.DUPLICATE, Refusal.CLOSED, Refusal.UNKNOWN, Refusal.LIMIT):
            await edit_or_send(press.update, press.context, refusal_message(exc))
        return
    await press.answer(texts.qa_posted_toast())
    session = posted.session
    rows: list[tuple[Button, ...]] = [_questions(session)[0]]
    if posted.left > 0:
        rows.append((Button(texts.qa_ask_button(), encode("qa", session_key(session.id))),))
    text = texts.qa_posted(session, posted.left, anonymous=anonymous)
    await edit_or_send(press.update, press.context, OutgoingMessage(text, tuple(rows)))


# ---------------------------------------------------------------------- the queue
async def _open_view(rt: Runtime, uid: int, session: Session) -> OutgoingMessage:
    """The stage's view for the stage, the audience's for everyone else."""
    key = session_key(session.id)
    if await rt.qa.role(uid, session) is not None:
        return stage_view(await rt.qa.stage_queue(uid, key), "w", 0)
    return audience_view(await rt.qa.queue(key, uid), 0)


@button("qo", "qq", stale=texts.qa_unknown_toast)
async def on_queue(press: Press) -> None:
    """ "💬 Questions": opened as a new message (``qo``), paged and refreshed in place (``qq``)."""
    if not await _in_private(press):
        return
    rt = press.rt
    try:
        if press.action == "qo":
            session = rt.qa.session(press.args[0])
            msg = await _open_view(rt, press.user_id, session)
        else:
            page = press.callback.int_arg(1, 0, MAX_PAGE)
            msg = audience_view(await rt.qa.queue(press.args[0], press.user_id), page)
    except QaRefused as exc:
        await press.answer(refusal_toast(exc), alert=True)
        return
    await press.answer()
    if press.action == "qo":
        await reply(press.update, press.context, msg)
    else:
        await edit_or_send(press.update, press.context, msg)


@button("qv", stale=texts.qa_unknown_toast)
async def on_vote(press: Press) -> None:
    """👍: the vote is written, then answered (with the new count); the voter's own list is
    redrawn after that, off the update's path. Nobody else's message is edited."""
    if not await _in_private(press):
        return
    rt = press.rt
    question_id = press.callback.int_arg(0, 1, MAX_ID)
    page = press.callback.int_arg(1, 0, MAX_PAGE)
    async with _slots(press.context):
        try:
            voted = await rt.qa.vote(press.user_id, question_id)
        except QaRefused as exc:
            await press.answer(refusal_toast(exc), alert=True)
            return
        toast = (
            texts.qa_vote_added_toast(voted.votes)
            if voted.added
            else texts.qa_vote_removed_toast(voted.votes)
        )
        await press.answer(toast)
    message = press.message
    if message is None:
        return
    key = session_key(voted.session.id)
    uid = press.user_id

    async def redraw() -> None:
        view = audience_view(await rt.qa.queue(key, uid), page)
        await edit_or_send(press.update, press.context, view)

    _later(press.context, (message.chat.id, message.message_id), redraw)


#: True: a vote is an update like any other, in its person's order (a press twice: two toggles
#: answered in order), while the update processor (``handlers.updates``) runs different
#: people's votes side by side; before it, votes ran as tasks beside the other updates
#: (False) so that a crowd's votes did not wait for each other's round trips to Telegram.
#: ``bench.qa --detached`` measures False.
VOTES_BLOCK = True
#: Votes (and redraws) in flight at once: enough to overlap Telegram's round trips, few enough
#: that a crowd of hundreds queues here, cheaply, instead of in the HTTP connection pool
#: (PTB's holds 256 and gives up on a wait of a second).
VOTE_SLOTS = 32
_slots_of: weakref.WeakKeyDictionary[object, asyncio.Semaphore] = weakref.WeakKeyDictionary()


def _slots(context: BotContext) -> asyncio.Semaphore:
    app = context.application
    slots = _slots_of.get(app)
    if slots is None:
        slots = _slots_of[app] = asyncio.Semaphore(VOTE_SLOTS)
    return slots


#: Redraws waiting per (chat, message): a quick second press replaces the first one's redraw
#: instead of racing it, and the last one always shows the final state.
_waiting: dict[tuple[int, int], Callable[[], Awaitable[None]]] = {}
_drawing: set[tuple[int, int]] = set()


def _later(
    context: BotContext, target: tuple[int, int], redraw: Callable[[], Awaitable[None]]
) -> None:
    _waiting[target] = redraw
    if target in _drawing:
        return
    _drawing.add(target)
    context.application.create_task(_draw(target), name="qa-redraw")


async def _draw(target: tuple[int, int]) -> None:
    try:
        while target in _waiting:
            redraw = _waiting.pop(target)
            try:
                await redraw()
            except Exception:  # cosmetic: the vote is stored and was answered
                log.warning("could not redraw questions in %s", target, exc_info=True)
    finally:
        _drawing.discard(target)


# ---------------------------------------------------------------------- the stage
async def questions_command(update: Update, context: Context) -> None:
    """/questions [ID]: the stage's queue of the session running now (a choice when several),
    or of the one named; anyone else gets the audience's view."""
    rt = context.rt
    if not is_private(update):
        await reply(update, context, OutgoingMessage(texts.qa_private_only()))
        return
    uid = user_id(update)
    query = command_args(update)
    if query:
        session = rt.agenda.session_by_key(query)
        if session is None or session.is_break:
            await reply(update, context, OutgoingMessage(texts.no_such_session(query)))
            return
        await reply(update, context, await _open_view(rt, uid, session))
        return
    if await rt.qa.is_stage(uid):
        sessions = await rt.qa.stage_sessions(uid)
        action, empty = "qn", texts.qa_stage_nothing()
    else:
        sessions = rt.qa.asking_sessions()
        action, empty = "qo", texts.qa_audience_nothing()
    if not sessions:
        await reply(update, context, OutgoingMessage(empty))
    elif len(sessions) == 1:
        await reply(update, context, await _open_view(rt, uid, sessions[0]))
    else:
        await reply(
            update, context, OutgoingMessage(texts.qa_stage_choose(), _choices(sessions, action))
        )


@button("qn", "qs", stale=texts.qa_unknown_toast)
async def on_stage(press: Press) -> None:
    """The stage's view: opened as a new message (``qn``), paged and refreshed in place."""
    if not await _in_private(press):
        return
    rt = press.rt
    tab, page = "w", 0
    if press.action == "qs":
        tab = press.args[1]
        if tab not in ("w", "d"):
            raise BadCallback("unknown tab")
        page = press.callback.int_arg(2, 0, MAX_PAGE)
    try:
        view = await rt.qa.stage_queue(press.user_id, press.args[0])
    except QaRefused as exc:
        await press.answer(refusal_toast(exc), alert=True)
        return
    await press.answer()
    msg = stage_view(view, tab, page)
    if press.action == "qn":
        await reply(press.update, press.context, msg)
    else:
        await edit_or_send(press.update, press.context, msg)


_STATES = {"a": QA_ANSWERED, "h": QA_HIDDEN, "r": QA_OPEN}


@button("qx", stale=texts.qa_unknown_toast)
async def on_moderate(press: Press) -> None:
    """✅ answered, 🙈 hide, ↩️ restore: the stage only; the list is redrawn in place."""
    if not await _in_private(press):
        return
    rt = press.rt
    question_id = press.callback.int_arg(0, 1, MAX_ID)
    state = _STATES.get(press.args[1])
    if state is None:
        raise BadCallback("unknown moderation")
    page = press.callback.int_arg(2, 0, MAX_PAGE)
    try:
        done = await rt.qa.moderate(press.user_id, question_id, state)
        view = await rt.qa.stage_queue(press.user_id, session_key(done.session.id))
    except QaRefused as exc:
        await press.answer(refusal_toast(exc), alert=True)
        return
    if not done.changed:
        toast = texts.qa_already_toast()
    elif state == QA_ANSWERED:
        toast = texts.qa_marked_answered_toast()
    elif state == QA_HIDDEN:
        toast = texts.qa_hidden_toast()
    else:
        toast = texts.qa_restored_toast()
    await press.answer(toast)
    tab = "d" if state == QA_OPEN else "w"
    await edit_or_send(press.update, press.context, stage_view(view, tab, page))


@button("qc", stale=texts.qa_unknown_toast)
async def on_control(press: Press) -> None:
    """Pause or reopen a session's questions; top-three notices on or off."""
    if not await _in_private(press):
        return
    rt = press.rt
    key, op = press.args
    try:
        if op in ("p", "o"):
            session, _changed = await rt.qa.set_paused(press.user_id, key, op == "p")
            toast = texts.qa_paused_stage_toast() if op == "p" else texts.qa_reopened_toast()
        elif op in ("n", "f"):
            session = await rt.qa.set_notices(press.user_id, key, op == "n")
            toast = texts.qa_notices_toast(op == "n")
        else:
            raise BadCallback("unknown control")
        view = await rt.qa.stage_queue(press.user_id, session_key(session.id))
    except QaRefused as exc:
        await press.answer(refusal_toast(exc), alert=True)
        return
    await press.answer(toast)
    await edit_or_send(press.update, press.context, stage_view(view, "w", 0))


# ---------------------------------------------------------------------- outbox messages
def _open_stage_button(session: Session) -> Keyboard:
    return ((Button(texts.qa_open_queue_button(), encode("qn", session_key(session.id))),),)


async def render_top_notice(rt: Runtime, row: OutboxRow) -> OutgoingMessage | None:
    """At send time: skipped unless the question is still open and in the top three."""
    notice = await rt.qa.top_notice(row.payload, row.chat_id)
    if notice is None:
        return None
    q = notice.question
    item = texts.qa_item(notice.rank, q.text, q.votes, _asker(q, sees_names=True))
    text = texts.qa_top_notice(notice.session, notice.rank) + "\n" + item
    return OutgoingMessage(fits(text), _open_stage_button(notice.session))


async def render_followup(rt: Runtime, row: OutboxRow) -> OutgoingMessage | None:
    """At send time: the questions still unanswered, the most voted first, as many as fit in
    one message; the button opens them all. Skipped when none is left."""
    followup = await rt.qa.followup(row.payload, row.chat_id)
    if followup is None:
        return None
    session = followup.session
    questions = followup.questions
    head = texts.qa_followup(session, len(questions))
    blocks = [
        texts.qa_item(rank, q.text, q.votes, _asker(q, sees_names=followup.sees_names))
        for rank, q in enumerate(questions, start=1)
    ]
    budget = MAX_TEXT - len(head) - MARGIN
    shown = _pack(blocks, max(budget, 500), STAGE_PAGE * 2)[0]
    parts = [head, "\n\n".join(blocks[i] for i in shown)]
    more = len(blocks) - len(shown)
    if more:
        parts.append(texts.qa_followup_more(more))
    return OutgoingMessage(fits("\n\n".join(parts)), _open_stage_button(session))


async def tick_job(context: BotContext) -> None:
    await context.rt.qa.safe_tick()


# ---------------------------------------------------------------------- wiring
def routes(app: ConfApp) -> None:
    app.add_handler(CommandHandler("ask", ask_command))
    app.add_handler(CommandHandler("questions", questions_command))
    for handler in (on_ask, on_draft, on_queue, on_stage, on_moderate, on_control):
        app.add_handler(handler.handler())
    app.add_handler(on_vote.handler(block=VOTES_BLOCK))


async def startup(app: ConfApp, rt: Runtime) -> None:
    if app.job_queue is None:
        raise RuntimeError("Q&A follow-ups need PTB's JobQueue")
    await rt.qa.safe_tick()  # whatever closed while the bot was down
    app.job_queue.run_repeating(
        tick_job,
        interval=TICK_SECONDS,
        first=TICK_SECONDS,
        name=JOB_NAME,
        job_kwargs=TICK_JOB_KWARGS,
    )


FEATURE = Feature(
    "qa",
    routes=routes,
    renderers={QA_TOP: render_top_notice, QA_FOLLOWUP: render_followup},
    text_hooks=(question_hook,),
    startup=startup,
)
