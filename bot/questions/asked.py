"""Questions whose answer has more pages, remembered so their "N more" button answers them.

The question itself would not fit in a button's 64 bytes, so the button carries a short key.
Each key belongs to the person who asked (someone else's key is refused), keeps the moment
it was asked (the list does not shift under the reader), and is forgotten after
``capacity`` newer questions: an older button is then stale, answered politely.
"""

from __future__ import annotations

import base64
import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

#: How many questions with more pages are kept (a few MB at most).
CAPACITY = 10_000


@dataclass(frozen=True, slots=True)
class Asked:
    user_id: int
    text: str
    at: datetime


class AskedQuestions:
    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self._asked: OrderedDict[str, Asked] = OrderedDict()

    def remember(self, user_id: int, text: str, at: datetime) -> str:
        """A callback-safe key (12 characters of ``A-Za-z0-9``) for this question."""
        raw = f"{user_id}\n{at.isoformat()}\n{text}".encode()
        key = base64.urlsafe_b64encode(hashlib.blake2b(raw, digest_size=9).digest()).decode()
        key = key.replace("-", "0").replace("_", "1")
        self._asked[key] = Asked(user_id, text, at)
        self._asked.move_to_end(key)
        while len(self._asked) > self.capacity:
            self._asked.popitem(last=False)
        return key

    def recall(self, key: str, user_id: int) -> Asked | None:
        """The question behind ``key`` if ``user_id`` asked it, else None."""
        asked = self._asked.get(key)
        return asked if asked is not None and asked.user_id == user_id else None
