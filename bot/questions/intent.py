"""What kind of question this is, from the ordered rule table of the question's language.

Rules look at the folded question (lower case, no accents). The first rule that matches wins,
except that "what's on" and "about" are settled later by what is left once times, rooms and
names are taken out ("anything on the western balkans" is a topic, "anything in room b this
afternoon" is a listing).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.questions.answer import Intent
from bot.questions.lang import Language


@dataclass(frozen=True, slots=True)
class Cues:
    """The intent words found in a question."""

    intent: Intent | None
    #: the role asked for ("moderator") in "who moderates ..."
    role: str | None = None
    #: "who is X" / "tell me about X": a person may be meant
    who_is: bool = False
    #: both a listing cue and a topic cue were seen ("anything on ...")
    also_about: bool = False
    #: "who is the ...": a description of a person rather than of a session
    who_is_the: bool = False
    #: a yes/no question: "is the go devroom today", "is there a keynote now"
    yes_no: bool = False


def detect(folded: str, lang: Language) -> Cues:
    """The first matching rule, plus role, "who is" and yes/no flags."""
    intent: Intent | None = None
    for candidate, pattern in lang.rules:
        if pattern.search(folded):
            intent = candidate
            break
    role = next((name for pattern, name in lang.roles if pattern.search(folded)), None)
    also_about = intent is Intent.WHAT_ON and bool(lang.about.search(folded))
    if intent is None and role is not None:
        intent = Intent.WHO
    who_is_the = bool(lang.who_is_the.search(folded)) and role is None
    yes_no = bool(lang.yes_no.search(folded)) and intent not in (Intent.WHO,)
    return Cues(intent, role, bool(lang.who_is.search(folded)), also_about, who_is_the, yes_no)


def is_conference_question(folded: str, content: list[str], lang: Language) -> bool:
    """ "where is the venue", "what are the dates", "when does the conference start"."""
    if lang.conference_strong.search(folded):
        return True
    return bool(lang.conference_words.search(folded)) and not content
