"""The interface language each person is spoken to in: their /language choice, else Telegram's.

A person's language is negotiated against the catalogues every time it is used (``bot.i18n``),
so a catalogue added later is picked up by everyone whose Telegram speaks it. A choice is
stored as the catalogue code; choosing the language Telegram would have given anyway is stored
too (it keeps holding if the person changes their phone's language).
"""

from __future__ import annotations

from bot import i18n
from bot.store.protocols import UsersStore


class UnknownLanguage(ValueError):
    """Not one of the catalogues (a stale or forged button)."""


class Languages:
    def __init__(self, users: UsersStore) -> None:
        self.users = users

    @staticmethod
    def choices() -> list[tuple[str, str]]:
        """``(code, name in itself)`` of every catalogue, for the /language buttons."""
        return i18n.CATALOGUES.choices()

    @staticmethod
    def known(code: str) -> bool:
        return code in i18n.CATALOGUES.languages

    async def choose(self, user_id: int, code: str) -> str:
        """Store ``code`` as the person's language from now on (replies, outbox, menus)."""
        if not self.known(code):
            raise UnknownLanguage(code)
        await self.users.set_chosen_language(user_id, code)
        return code

    async def chosen(self, user_id: int) -> str | None:
        """Their /language choice (None: they follow their Telegram app's language)."""
        user = await self.users.get(user_id)
        return user.chosen_language if user is not None else None

    async def speaks(self, user_id: int) -> str | None:
        """The language to speak to a person (a code to negotiate; None: never seen)."""
        return await self.users.language_of(user_id)

    async def own_menu(self, user_id: int) -> str | None:
        """The catalogue of a chat menu of their own, or None when the menus Telegram shows by
        their app's language already speak it (no choice, or the choice Telegram would give)."""
        user = await self.users.get(user_id)
        if user is None or not user.chosen_language:
            return None
        negotiate = i18n.CATALOGUES.negotiate
        chosen = negotiate(user.chosen_language)
        return None if chosen == negotiate(user.language) else chosen
