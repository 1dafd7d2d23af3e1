"""What kind of question this is, from a small, ordered rule table.

Rules look at the folded question (lower case, no accents). The first rule that matches wins,
except that "what's on" and "about" are settled later by what is left once times, rooms and
names are taken out ("anything on the western balkans" is a topic, "anything in room b this
afternoon" is a listing).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.questions.answer import Intent

#: (intent, pattern): checked in order.
RULES: tuple[tuple[Intent, re.Pattern[str]], ...] = (
    (Intent.WHO, re.compile(r"\bwho(?:s|se|m)?\b")),
    (Intent.WHERE, re.compile(r"\bwhere(?:s)?\b|\b(?:which|what) (?:room|hall|floor|stage)\b")),
    (
        Intent.WHEN,
        re.compile(
            r"\bwhen(?:s)?\b|\b(?:what|which) (?:time|day|hour)\b|\bwhat date\b|\bhow long\b"
            r"|\bstart(?:s|ing)? at what\b"
        ),
    ),
    (
        Intent.WHAT_ON,
        re.compile(
            r"\bwhat(?:'s| is|s| are)? (?:on|happening|running|going on|there|scheduled|planned)\b"
            r"|\bwhat(?:'s| is|s)? next\b|\banything\b|\bsomething\b|\bwhat can i (?:see|attend)\b"
            r"|\b(?:agenda|schedule|programme|program)\b|\bnow\b|\bnext\b"
        ),
    ),
    (
        Intent.ABOUT,
        re.compile(
            r"\babout\b|\bregarding\b|\bconcerning\b|\brelated to\b|\btopics?\b"
            r"|\b(?:session|sessions|talk|talks|panel|panels|workshops?|lectures?|keynotes?) on\b"
            r"|\b(?:anything|something|everything) (?:on|about)\b"
        ),
    ),
)

#: Questions about the conference itself; strong words decide on their own.
_CONFERENCE_STRONG = re.compile(
    r"\b(?:venue|address|wi ?fi|wifi|organi[sz](?:e|es|ed|er|ers|ing|ation|ations)"
    r"|how do i get there|how to get there|directions|dress code|registration desk)\b"
    r"|\bwhat are the dates\b|\bwhich dates\b|\bwhere is (?:it|this)\b"
)
#: "the conference" words: a conference question only if nothing else is asked about.
_CONFERENCE_WORDS = re.compile(r"\b(?:conference|event|summit|forum|congress|meeting)\b")
CONFERENCE_STOP = frozenset(
    {
        "conference",
        "event",
        "summit",
        "forum",
        "congress",
        "meeting",
        "dates",
        "date",
        "held",
        "take",
        "place",
        "end",
        "ends",
        "finish",
        "last",
        "long",
        "how",
        "begin",
    }
)

#: Role words in "who moderates ...", mapped to the role they ask for.
_ROLES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bmoderat\w*"), "moderator"),
    (re.compile(r"\bchair\w*"), "chair"),
    (re.compile(r"\bhost(?:s|ed|ing)?\b"), "host"),
    (re.compile(r"\bfacilitat\w*"), "facilitator"),
    (re.compile(r"\bintroduc\w*"), "introduction"),
)
_WHO_IS = re.compile(
    r"\bwho(?:s| is| was| are)\b|\btell me about\b|\b(?:profile|bio|biography) of\b|\bwho'?s\b"
)
_WHO_IS_THE = re.compile(r"\bwho(?:s| is| was)(?: the| a| an| our)\b")

#: Words that say what is asked, not what about: removed before topic matching.
_QUESTION_WORDS_TEXT = """
    moderate moderates moderated moderating moderator moderators chair chairs chaired chairing
    chairman chairperson host hosts hosted hosting facilitate facilitates facilitator introduce
    introduces introducing bio biography profile happening running going scheduled planned
    day days date dates hour hours long located location floor attend see present
    agenda whose whom who where when right conference summit congress
    """
QUESTION_WORDS = frozenset(_QUESTION_WORDS_TEXT.split())


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


def detect(folded: str) -> Cues:
    """The first matching rule, plus role and "who is" flags."""
    intent: Intent | None = None
    for candidate, pattern in RULES:
        if pattern.search(folded):
            intent = candidate
            break
    role = next((name for pattern, name in _ROLES if pattern.search(folded)), None)
    also_about = intent is Intent.WHAT_ON and bool(RULES[-1][1].search(folded))
    if intent is None and role is not None:
        intent = Intent.WHO
    who_is_the = bool(_WHO_IS_THE.search(folded)) and role is None
    return Cues(intent, role, bool(_WHO_IS.search(folded)), also_about, who_is_the)


def is_conference_question(folded: str, content: list[str]) -> bool:
    """ "where is the venue", "what are the dates", "when does the conference start"."""
    if _CONFERENCE_STRONG.search(folded):
        return True
    return bool(_CONFERENCE_WORDS.search(folded)) and not content
