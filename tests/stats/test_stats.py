"""/stats without Telegram: counts, sections joined while they fit, pages, a failing section."""

from __future__ import annotations

from collections.abc import Sequence

from bot.outgoing import MAX_TEXT
from bot.stats import Stats, page_of
from tests.core_env import Core


def stats(core: Core) -> Stats:
    return Stats(
        core.store.users, core.store.bookmarks, core.store.outbox, core.store.audit, core.clock
    )


async def test_counts_then_sections_on_as_few_pages_as_fit(core: Core) -> None:
    await core.users(1, 2)
    await core.store.users.set_active(2, False)
    svc = stats(core)

    async def small() -> str:
        return "<b>small</b>"

    async def broken() -> str:
        raise RuntimeError("one feature's bug")

    async def big() -> Sequence[str]:
        return ["x" * 3000, "", "y" * 3000]

    svc.sections += [small, broken, big]
    pages = await svc.pages()
    assert len(pages) == 2
    assert "Users: <b>2</b> (1 active, 1 blocked the bot)" in pages[0]
    # Joined onto the counts while they fit (the broken section left out), then a new page.
    assert pages[0].endswith("\n\n<b>small</b>\n\n" + "x" * 3000)
    assert pages[1] == "y" * 3000
    assert all(len(p) <= MAX_TEXT for p in pages)


async def test_a_section_longer_than_a_message_is_cut_to_fit(core: Core) -> None:
    svc = stats(core)

    async def huge() -> str:
        return "\n".join(["line"] * 2000)

    svc.sections.append(huge)
    pages = await svc.pages()
    assert len(pages) == 2
    assert len(pages[1]) <= MAX_TEXT
    assert pages[1].endswith("\n…")


async def test_opening_stats_is_audited_paging_is_not(core: Core) -> None:
    svc = stats(core)
    await svc.opened_by(9000)
    await svc.pages()
    assert [(e.user_id, e.action) for e in await core.store.audit.recent()] == [(9000, "stats")]


def test_page_of_clamps_and_says_where_it_is() -> None:
    pages = ["a", "b", "c"]
    first, middle, last = page_of(pages, 0), page_of(pages, 1), page_of(pages, 2)
    assert (first.has_previous, first.has_next) == (False, True)
    assert (middle.html, middle.has_previous, middle.has_next) == ("b", True, True)
    assert (last.has_previous, last.has_next) == (True, False)
    assert page_of(pages, 99) == last  # an old button past the end
    assert page_of(pages, -5) == first
    assert page_of(["only"], 0).count == 1
