"""The broadcast state machine and its progress ticker, without Telegram: a real store, a fake
display, a recording outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot import texts
from bot.broadcasts import (
    ALERT,
    EVERYONE,
    Audience,
    BroadcastGone,
    BroadcastProgress,
    Broadcasts,
    DraftRefused,
    ProgressNote,
    Request,
    envelopes,
    max_stars,
    render_alert,
)
from bot.i18n import use_locale
from bot.outgoing import MAX_TEXT
from tests.conftest import brussels
from tests.core_env import Core

ORG, OTHER_ORG = 9000, 9001


class RecordingDisplay:
    def __init__(self) -> None:
        self.notes: list[ProgressNote] = []
        self.told: list[tuple[int, str]] = []

    async def show(self, note: ProgressNote) -> None:
        self.notes.append(note)

    async def tell(self, chat_id: int, html: str) -> None:
        self.told.append((chat_id, html))


def service(core: Core, paid_rate: float | None = None) -> tuple[Broadcasts, RecordingDisplay]:
    display = RecordingDisplay()
    progress = BroadcastProgress(
        core.store.outbox,
        display,
        core.clock,
        lambda: core.outbox.rate,
        interval=0.01,
        language_of=core.store.users.language_of,
        paid_rate=paid_rate,
    )
    svc = Broadcasts(
        core.store.outbox,
        core.store.audiences,
        core.store.users,
        core.store.audit,
        core.outbox,
        core.current,
        progress,
    )
    return svc, display


def now_request(audience: Audience = EVERYONE) -> Request:
    return Request(audience, None, 0)


async def actions(core: Core) -> list[str]:
    return [e.action for e in reversed(await core.store.audit.recent())]


async def test_draft_send_run_done(core: Core) -> None:
    await core.users(1, 2, 3, ORG)
    svc, display = service(core)
    draft = await svc.draft(ORG, "<b>Hi</b>", "Hi", now_request())
    assert (draft.size, draft.when) == (4, None)
    assert (await core.store.outbox.batch(draft.batch_id)).state == "draft"  # type: ignore[union-attr]
    assert core.outbox.added == []  # a preview queues nothing

    launched = await svc.send(draft.batch_id, ORG, progress_at=(ORG, 77))
    assert launched.total == 4
    assert launched.eta_seconds == pytest.approx(4 / 25)
    batch = await core.store.outbox.batch(draft.batch_id)
    assert batch is not None
    assert (batch.state, batch.total, batch.progress_message_id) == ("running", 4, 77)
    assert sorted(e.chat_id for e in core.outbox.added) == [1, 2, 3, ORG]
    assert {e.payload["html"] for e in core.outbox.added} == {"<b>Hi</b>"}

    await svc.progress.tick()  # running: the note says how far it got, with Stop
    assert display.notes[-1].stoppable
    assert display.notes[-1].html == texts.broadcast_progress(batch.id, 0, 0, 0, 4, 4 / 25)
    shown = len(display.notes)
    await svc.progress.tick()  # nothing changed: the message is not edited again
    assert len(display.notes) == shown

    await core.outbox.deliver_all()
    await svc.progress.tick()
    assert (await core.store.outbox.batch(batch.id)).state == "done"  # type: ignore[union-attr]
    final = display.notes[-1]
    assert not final.stoppable
    assert final.html == texts.broadcast_done(batch.id, 4, 0, 0, 0)
    assert await actions(core) == ["broadcast_preview", "broadcast_send"]


async def test_send_happens_once_and_only_for_the_author(core: Core) -> None:
    await core.users(1, ORG)
    svc, _ = service(core)
    draft = await svc.draft(ORG, "x", "x", now_request())
    with pytest.raises(BroadcastGone):
        await svc.send(draft.batch_id, OTHER_ORG)  # another organiser's draft
    await svc.send(draft.batch_id, ORG)
    with pytest.raises(BroadcastGone):
        await svc.send(draft.batch_id, ORG)  # a double tap
    with pytest.raises(BroadcastGone):
        await svc.discard(draft.batch_id, ORG)  # no longer a draft
    with pytest.raises(BroadcastGone):
        await svc.send(12345, ORG)  # no such batch
    assert len(core.outbox.added) == 2


async def test_discard_and_stop(core: Core) -> None:
    await core.users(1, 2, ORG)
    svc, display = service(core)
    draft = await svc.draft(ORG, "x", "x", now_request())
    with pytest.raises(BroadcastGone):
        await svc.stop(draft.batch_id, ORG)  # a draft is cancelled, not stopped
    await svc.discard(draft.batch_id, ORG)
    assert (await core.store.outbox.batch(draft.batch_id)).state == "cancelled"  # type: ignore[union-attr]

    second = await svc.draft(ORG, "y", "y", now_request())
    await svc.send(second.batch_id, ORG, progress_at=(ORG, 5))
    assert await svc.stop(second.batch_id, OTHER_ORG) == 3  # any organiser may stop
    assert core.outbox.cancelled == [second.batch_id]
    assert display.notes[-1].html == texts.broadcast_stopped(second.batch_id, 0, 0, 0, 3)
    with pytest.raises(BroadcastGone):
        await svc.stop(second.batch_id, ORG)
    assert await actions(core) == [
        "broadcast_preview",
        "broadcast_discard",
        "broadcast_preview",
        "broadcast_send",
        "broadcast_cancel",
    ]


async def test_scheduled_runs_when_due(core: Core) -> None:
    await core.users(1, ORG)
    svc, _ = service(core)
    when = brussels(12, 0)
    draft = await svc.draft(ORG, "x", "x", Request(EVERYONE, when, 0))
    launched = await svc.send(draft.batch_id, ORG)
    assert launched.when == when
    assert all(e.due_at == when for e in core.outbox.added)
    assert [b.batch.state for b in await svc.listing()] == ["scheduled"]
    await svc.progress.tick()
    assert [b.batch.state for b in await svc.listing()] == ["scheduled"]
    core.clock.set(when + timedelta(seconds=1))
    await svc.progress.tick()
    assert [b.batch.state for b in await svc.listing()] == ["running"]


async def test_refusals_make_no_draft(core: Core) -> None:
    await core.users(1)
    svc, _ = service(core)
    with pytest.raises(DraftRefused) as too_long:
        await svc.draft(ORG, "x", "x" * (MAX_TEXT + 1), now_request())
    assert too_long.value.html == texts.broadcast_too_long(MAX_TEXT)
    with pytest.raises(DraftRefused, match="Nobody"):
        await svc.draft(ORG, "x", "x", now_request(Audience("session", "closing")))
    assert await core.store.outbox.batches(["draft"]) == []


async def test_audiences(core: Core) -> None:
    await core.users(1, 2, 3, 4)
    svc, _ = service(core)
    now = core.clock.now()
    await core.store.bookmarks.add(1, "crisis-management", now)
    await core.store.bookmarks.add(2, "crisis-management", now)
    await core.store.bookmarks.add(2, "keynote-mousnier", now)
    await core.store.users.set_active(2, False)  # blocked the bot: left out
    track = core.current.index.session("crisis-management").track  # type: ignore[union-attr]
    assert await svc.recipients(EVERYONE) == [1, 3, 4]
    assert await svc.recipients(Audience("session", "crisis-management")) == [1]
    assert await svc.recipients(Audience("track", str(track))) == [1]
    assert await svc.recipients(Audience("speakers")) == []


async def test_a_bare_broadcast_waits_for_its_text_once(core: Core) -> None:
    await core.users(ORG)
    svc, _ = service(core)
    when = brussels(17, 30)
    await svc.await_text(ORG, Request(Audience("speakers"), when, 0))
    got = await svc.awaited(ORG)
    assert got == Request(Audience("speakers"), when, 0)
    assert await svc.awaited(ORG) is None


async def test_an_interrupted_send_is_finished_at_start(core: Core) -> None:
    await core.users(1, 2, ORG)
    svc, _ = service(core)
    draft = await svc.draft(ORG, "x", "x", now_request())
    await core.store.outbox.set_batch_state(draft.batch_id, "sending", only_from="draft")
    rows = envelopes(draft.batch_id, "x", await svc.recipients(EVERYONE), core.clock.now())
    await core.outbox.enqueue(rows[:1])  # the crash came after one row was written
    assert await svc.resume_interrupted() == [draft.batch_id]
    assert (await core.store.outbox.progress(draft.batch_id)).total == 3  # no duplicate
    assert (await core.store.outbox.batch(draft.batch_id)).state == "running"  # type: ignore[union-attr]


# ---------------------------------------------------------------------------- urgent alerts
async def test_an_alert_is_a_batch_of_its_own_kind_at_the_paid_rate(core: Core) -> None:
    await core.users(1, 2, ORG)
    svc, display = service(core, paid_rate=1000)
    draft = await svc.draft(ORG, "Evacuate <b>B</b>", "Evacuate B", now_request(), ALERT)
    assert (draft.kind, draft.size, draft.max_stars) == (ALERT, 3, 1)
    assert draft.eta_seconds == pytest.approx(3 / 1000)
    launched = await svc.send(draft.batch_id, ORG, progress_at=(ORG, 7))
    assert launched.kind == ALERT
    assert launched.eta_seconds == pytest.approx(3 / 1000)
    assert {e.kind for e in core.outbox.added} == {ALERT}
    listed = await svc.listing()
    assert [item.batch.kind for item in listed] == [ALERT]
    await svc.progress.tick()
    assert display.notes[-1].html == texts.broadcast_progress(
        draft.batch_id, 0, 0, 0, 3, 3 / 1000, alert=True
    )
    assert await actions(core) == ["alert_preview", "alert_send"]


async def test_a_free_alert_costs_nothing_and_goes_at_the_broadcast_rate(core: Core) -> None:
    await core.users(1, ORG)
    svc, _ = service(core)
    draft = await svc.draft(ORG, "x", "x", now_request(), ALERT)
    assert draft.max_stars is None
    assert draft.eta_seconds == pytest.approx(2 / 25)


async def test_an_alert_is_not_scheduled_and_keeps_room_for_its_frame(core: Core) -> None:
    await core.users(1)
    svc, _ = service(core)
    with pytest.raises(DraftRefused, match="cannot be scheduled"):
        await svc.draft(ORG, "x", "x", Request(EVERYONE, brussels(12, 0), 0), ALERT)
    with pytest.raises(DraftRefused):
        await svc.draft(ORG, "x", "x" * MAX_TEXT, now_request(), ALERT)
    assert await core.store.outbox.batches(["draft"]) == []


def test_the_most_an_alert_costs_is_a_tenth_of_a_star_a_message_rounded_up() -> None:
    assert [max_stars(n) for n in (0, 1, 10, 11, 20_000, 20_001)] == [0, 1, 1, 2, 2000, 2001]


async def test_the_alert_frame_is_in_the_recipients_language(core: Core) -> None:
    await core.users(1)
    svc, _ = service(core)
    draft = await svc.draft(ORG, "Evacuate &lt;B&gt;", "Evacuate <B>", now_request(), ALERT)
    await svc.send(draft.batch_id, ORG)
    (row,) = await core.store.outbox.due(core.clock.now(), 10)
    with use_locale("hu"):
        message = await render_alert(row)
    assert message is not None
    assert message.html == "🚨 <b>Sürgős üzenet a szervezőktől</b>\n\nEvacuate &lt;B&gt;"


async def test_a_refused_paid_alert_tells_its_organiser_once(core: Core) -> None:
    """The hook exactly as ``Delivery`` calls it: (batch id, Telegram's description)."""
    await core.users(1, 2, 3, ORG)
    await core.store.users.set_chosen_language(ORG, "hu")
    svc, display = service(core, paid_rate=1000)
    plain = await svc.draft(ORG, "x", "x", now_request())
    await svc.send(plain.batch_id, ORG)
    draft = await svc.draft(ORG, "y", "y", now_request(), ALERT)
    await svc.send(draft.batch_id, ORG, progress_at=(ORG, 9))
    assert svc.pace.rate(ALERT, draft.batch_id) == 1000

    await svc.on_paid_refused(None, "no batch")  # not about an alert: nobody is told
    await svc.on_paid_refused(plain.batch_id, "a broadcast is never paid")
    assert display.told == []

    reason = "Bad Request: not enough <stars> & such"
    await svc.on_paid_refused(draft.batch_id, reason)
    await svc.on_paid_refused(draft.batch_id, reason)  # once per batch
    assert len(display.told) == 1
    chat, html = display.told[0]
    assert chat == ORG
    with use_locale("hu"):
        assert html == texts.alert_paid_refused(draft.batch_id, reason, 4, 4 / 25)
    assert "&lt;stars&gt; &amp; such" in html
    # The rest goes at the free rate: the progress note's ETA says so.
    assert svc.pace.rate(ALERT, draft.batch_id) == 25
    await svc.progress.tick()
    with use_locale("hu"):
        expected = texts.broadcast_progress(draft.batch_id, 0, 0, 0, 4, 4 / 25, alert=True)
    assert display.notes[-1].html == expected
    assert (await actions(core))[-1] == "alert_paid_refused"
