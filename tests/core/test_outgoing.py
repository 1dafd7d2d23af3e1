"""Every message fits Telegram's limit once parsed, and the cut never breaks the HTML."""

from __future__ import annotations

import html

import pytest

from bot.emulator.markup import parse_html
from bot.outgoing import MAX_CAPTION, MAX_TEXT, fits, quoted, visible_length

CASES = {
    "entities": "<b>" + html.escape("&<>\"'" * 2000) + "</b>",
    "one long line": "<i>" + "x" * 9000 + "</i>",
    "many lines": "\n".join(f"<b>{i}</b> · <i>{html.escape('Q&A')}</i> line" for i in range(900)),
    "nested": '<blockquote expandable><a href="https://e.org/?a=1&amp;b=2">'
    + "🎤 speaker &amp; co " * 600
    + "</a></blockquote>",
    "pre": '<pre><code class="language-python">'
    + html.escape("if a < b:\n") * 900
    + "</code></pre>",
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("limit", [MAX_TEXT, MAX_CAPTION])
def test_a_long_message_is_cut_into_valid_html_under_the_limit(name: str, limit: int) -> None:
    text = CASES[name]
    assert visible_length(text) > limit
    cut = fits(text, limit)
    plain, _ = parse_html(cut, strict_entities=True)  # raises on broken tags or entities
    assert len(plain) <= limit
    assert visible_length(cut) == len(plain)
    assert plain.endswith("…")
    assert len(plain) > limit * 0.45, "a cut keeps most of what fits"


def test_entities_count_once_so_an_entity_heavy_message_is_not_cut() -> None:
    text = "<b>" + html.escape("&" * 4000) + "</b>"  # 20,000 characters of HTML, 4,000 shown
    assert fits(text) is text


def test_a_message_that_fits_is_untouched() -> None:
    text = "<b>Hello</b>\n" + "x" * 4000
    assert fits(text) is text


def test_quoted_input_is_short_and_on_one_line() -> None:
    assert quoted("x" * 5000) == "x" * 199 + "…"
    assert quoted("  two\nlines  ") == "two lines"
