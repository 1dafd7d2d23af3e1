"""Plain-language questions about the agenda: intent, time expressions and fuzzy search.

Imports nothing from telegram: handlers render the ``Answer`` this package returns.
"""

from bot.questions.answer import Answer, Intent, TimeWindow, WindowKind
from bot.questions.engine import QuestionEngine

__all__ = ["Answer", "Intent", "QuestionEngine", "TimeWindow", "WindowKind"]
