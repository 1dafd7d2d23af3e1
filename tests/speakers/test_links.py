"""The speaker-linking core: codes, hashes, expiry, single use, revocation, usernames."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.agenda.loaders import load_agenda
from bot.agenda.model import Conference
from bot.clock import ManualClock
from bot.speakers import (
    CODE_BYTES,
    CODE_PREFIX,
    RedeemResult,
    SpeakerLinks,
    hash_code,
    new_code,
    slots_of,
)
from bot.store import Store
from tests.conftest import BRUSSELS

HOURS = 72
INVALID = RedeemResult("invalid", None)


@pytest.fixture
def conference() -> Conference:
    conf = load_agenda(BRUSSELS, None).conference
    speakers = dict(conf.speakers)
    speakers["ophir-revach"] = dataclasses.replace(speakers["ophir-revach"], telegram="revach_t")
    return dataclasses.replace(conf, speakers=speakers)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    store = await Store.open(str(tmp_path / "db.sqlite3"))
    yield store
    await store.close()


@pytest.fixture
def svc(store: Store, clock: ManualClock, conference: Conference) -> SpeakerLinks:
    return SpeakerLinks(store.speakers, clock, lambda: conference, link_hours=HOURS)


# ---------------------------------------------------------------------- codes


def test_codes_are_random_url_safe_and_fit_a_deep_link() -> None:
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert CODE_BYTES * 8 >= 96
    for code in codes:
        assert code.startswith(CODE_PREFIX)
        assert len(code) <= 64  # Telegram's start parameter
        assert re.fullmatch(r"[A-Za-z0-9_-]+", code)  # the start parameter's alphabet
        assert len(code) - len(CODE_PREFIX) >= 16  # 96 bits in base64 = 16 characters


def test_hash_is_sha256_of_the_code() -> None:
    code = new_code()
    assert hash_code(code) == hashlib.sha256(code.encode()).hexdigest()
    assert hash_code(code) != hash_code(code + "x")


async def test_only_hashes_are_stored(svc: SpeakerLinks, store: Store) -> None:
    issued = await svc.issue()
    assert len(issued) == 9  # every speaker of the sample agenda
    rows = await store.db.fetchall("SELECT code_hash, speaker_id FROM speaker_codes")
    assert {r["code_hash"] for r in rows} == {hash_code(c.code) for c in issued}
    await store.db.execute("PRAGMA wal_checkpoint(FULL)")
    raw = b"".join(p.read_bytes() for p in store.db.path.parent.iterdir() if p.is_file())
    for c in issued:
        assert c.code.encode() not in raw
        assert c.code[len(CODE_PREFIX) :].encode() not in raw


# ---------------------------------------------------------------------- redeeming


async def test_right_code_links_once(svc: SpeakerLinks) -> None:
    code = next(c for c in await svc.issue() if c.speaker_id == "raya-kalenova").code
    assert await svc.redeem(code, 501) == RedeemResult("linked", "raya-kalenova")
    assert await svc.speaker_of(501) == "raya-kalenova"
    assert await svc.user_of("raya-kalenova") == 501
    # A second account cannot reuse it, and learns nothing.
    assert await svc.redeem(code, 502) == INVALID
    assert await svc.speaker_of(502) is None
    assert await svc.user_of("raya-kalenova") == 501
    # The account that used it hears that it is already linked.
    assert await svc.redeem(code, 501) == RedeemResult("already", "raya-kalenova")


async def test_guessed_altered_and_malformed_codes_link_nothing(svc: SpeakerLinks) -> None:
    code = (await svc.issue(["maram-stern"]))[0].code
    last = code[-1]
    altered = code[:-1] + ("A" if last != "A" else "B")
    for attempt in (new_code(), altered, code.upper(), code[:-1], "sp_", "hello", "", code + "="):
        assert await svc.redeem(attempt, 777) == INVALID, attempt
    assert await svc.speaker_of(777) is None
    assert await svc.user_of("maram-stern") is None
    assert await svc.redeem(code, 777) == RedeemResult("linked", "maram-stern")


async def test_expiry_follows_the_clock(svc: SpeakerLinks, clock: ManualClock) -> None:
    a, b = (c.code for c in await svc.issue(["balint-odor", "maram-stern"]))
    clock.advance(hours=HOURS, seconds=-1)
    assert await svc.redeem(a, 1) == RedeemResult("linked", "balint-odor")
    clock.advance(seconds=1)
    assert await svc.redeem(b, 2) == INVALID


async def test_issuing_again_revokes_the_unused_codes(svc: SpeakerLinks, store: Store) -> None:
    first = {c.speaker_id: c.code for c in await svc.issue()}
    assert await svc.redeem(first["andor-grosz"], 10) == RedeemResult("linked", "andor-grosz")
    second = {c.speaker_id: c.code for c in await svc.issue(["raya-kalenova"])}
    assert await svc.redeem(first["raya-kalenova"], 11) == INVALID  # revoked
    assert await svc.redeem(first["maram-stern"], 12) == RedeemResult("linked", "maram-stern")
    assert await svc.redeem(second["raya-kalenova"], 11) == RedeemResult("linked", "raya-kalenova")
    revoked = await store.db.scalar("SELECT count(*) FROM speaker_codes WHERE revoked = 1")
    assert revoked == 1


async def test_every_refusal_is_the_same_answer(svc: SpeakerLinks, clock: ManualClock) -> None:
    codes = {c.speaker_id: c.code for c in await svc.issue()}
    used = codes["raya-kalenova"]
    await svc.redeem(used, 1)
    old = codes["maram-stern"]
    await svc.issue(["maram-stern"])  # revokes old
    expiring = codes["balint-odor"]
    clock.advance(hours=HOURS + 1)
    answers = {
        "unknown": await svc.redeem(new_code(), 2),
        "used": await svc.redeem(used, 2),
        "revoked": await svc.redeem(old, 2),
        "expired": await svc.redeem(expiring, 2),
    }
    assert set(answers.values()) == {INVALID}, answers


async def test_two_accounts_racing_for_one_code(svc: SpeakerLinks) -> None:
    code = (await svc.issue(["peter-sztaray"]))[0].code
    results = await asyncio.gather(*(svc.redeem(code, uid) for uid in range(100, 110)))
    assert sum(r.outcome == "linked" for r in results) == 1


async def test_new_code_moves_a_link_to_a_new_account(svc: SpeakerLinks) -> None:
    old = (await svc.issue(["julien-mousnier"]))[0].code
    await svc.redeem(old, 1)
    new = (await svc.issue(["julien-mousnier"]))[0].code
    assert await svc.redeem(new, 2) == RedeemResult("linked", "julien-mousnier")
    assert await svc.speaker_of(1) is None
    assert await svc.user_of("julien-mousnier") == 2


async def test_code_for_a_speaker_no_longer_in_the_agenda(
    store: Store, clock: ManualClock, conference: Conference
) -> None:
    current = {"conf": conference}
    svc = SpeakerLinks(store.speakers, clock, lambda: current["conf"], link_hours=HOURS)
    code = (await svc.issue(["maram-stern"]))[0].code
    speakers = {k: v for k, v in conference.speakers.items() if k != "maram-stern"}
    current["conf"] = dataclasses.replace(conference, speakers=speakers)
    assert await svc.redeem(code, 1) == INVALID


# ---------------------------------------------------------------------- usernames


async def test_username_links_case_insensitively_once(svc: SpeakerLinks) -> None:
    assert await svc.link_by_username(900, None) is None
    assert await svc.link_by_username(900, "someone_else") is None
    assert await svc.link_by_username(900, "Revach_T") == "ophir-revach"
    assert await svc.speaker_of(900) == "ophir-revach"
    # A later account that takes the username over does not take the link.
    assert await svc.link_by_username(901, "revach_t") is None
    assert await svc.user_of("ophir-revach") == 900
    assert await svc.speaker_of(901) is None


async def test_ambiguous_username_links_nobody(
    store: Store, clock: ManualClock, conference: Conference
) -> None:
    speakers = dict(conference.speakers)
    speakers["maram-stern"] = dataclasses.replace(speakers["maram-stern"], telegram="revach_t")
    conf = dataclasses.replace(conference, speakers=speakers)
    svc = SpeakerLinks(store.speakers, clock, lambda: conf, link_hours=HOURS)
    assert await svc.link_by_username(900, "revach_t") is None


# ---------------------------------------------------------------------- unlinking


async def test_unlink_ends_link_revokes_codes_and_blocks_username_relink(
    svc: SpeakerLinks, store: Store
) -> None:
    assert await svc.link_by_username(900, "revach_t") == "ophir-revach"
    spare = (await svc.issue(["ophir-revach"]))[0].code
    assert await svc.unlink("ophir-revach", by=42) == 900
    assert await svc.speaker_of(900) is None
    assert await svc.unlink("ophir-revach", by=42) is None
    assert await svc.redeem(spare, 900) == INVALID  # unused codes revoked with the link
    assert await svc.link_by_username(900, "revach_t") is None  # not undone by a /start
    fresh = (await svc.issue(["ophir-revach"]))[0].code
    assert await svc.redeem(fresh, 900) == RedeemResult("linked", "ophir-revach")
    audit = await store.db.fetchall("SELECT user_id, action, detail FROM audit_log ORDER BY id")
    assert [(r["user_id"], r["action"]) for r in audit] == [(42, "speaker_unlink")]
    assert audit[0]["detail"] == "ophir-revach"


async def test_issue_by_an_organiser_is_audited(svc: SpeakerLinks, store: Store) -> None:
    await svc.issue(by=42)
    row = await store.db.fetchone("SELECT * FROM audit_log")
    assert row is not None
    assert (row["user_id"], row["action"], row["audience_size"]) == (42, "speakerlinks", 9)


# ---------------------------------------------------------------------- the speaker's view


def test_slots_have_co_speakers_and_moderator(conference: Conference) -> None:
    sessions = [s for s in conference.sessions if "ophir-revach" in s.speaker_ids]
    slots = slots_of(conference, reversed(sessions), "ophir-revach")
    assert [s.session.id for s in slots] == ["crisis-management", "panel-october-7"]
    panel = slots[1]
    assert panel.role == "moderator"
    assert [p.id for p in panel.co_speakers] == [
        "katharina-von-schnurbein",
        "bartjan-wegter",
        "andor-grosz",
    ]
    assert panel.moderators == ()
    kv = slots_of(conference, [panel.session], "bartjan-wegter")[0]
    assert [p.id for p in kv.moderators] == ["ophir-revach"]
