"""The composition root: every feature listed, every outbox kind rendered, nothing skipped."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bot.app import FEATURES, wire_renderers
from bot.store.keys import KINDS
from handlers.feature import Feature

ROOT = Path(__file__).resolve().parents[2]


def test_every_feature_module_is_listed_once() -> None:
    declared = []
    for path in sorted((ROOT / "handlers").glob("*.py")):
        module = importlib.import_module(f"handlers.{path.stem}")
        feature = getattr(module, "FEATURE", None)
        if isinstance(feature, Feature):
            declared.append(feature)
    assert sorted(f.name for f in declared) == sorted(f.name for f in FEATURES)
    assert len({f.name for f in FEATURES}) == len(FEATURES)
    assert FEATURES[-1].name == "questions", "plain text no hook claimed is a question: last"


def test_every_outbox_kind_has_exactly_one_renderer() -> None:
    owners: dict[str, list[str]] = {}
    for feature in FEATURES:
        for kind in feature.renderers:
            owners.setdefault(kind, []).append(feature.name)
    assert sorted(owners) == sorted(KINDS)
    assert all(len(names) == 1 for names in owners.values()), owners


class FakeDelivery:
    def __init__(self) -> None:
        self.renderers: dict[str, Any] = {}

    def register_renderer(self, kind: str, renderer: Any) -> None:
        self.renderers[kind] = renderer


def test_a_missing_feature_stops_the_start() -> None:
    rt = SimpleNamespace(delivery=FakeDelivery())
    without_reminders = [f for f in FEATURES if f.name != "reminders"]
    with pytest.raises(RuntimeError, match="no outbox renderer for reminder"):
        wire_renderers(rt, without_reminders)  # type: ignore[arg-type]
    rt = SimpleNamespace(delivery=FakeDelivery())
    wire_renderers(rt, FEATURES)  # type: ignore[arg-type]
    assert sorted(rt.delivery.renderers) == sorted(KINDS)


def test_a_missing_loader_module_is_an_error_not_a_skipped_format(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.agenda import loaders

    monkeypatch.setattr(loaders, "_MODULES", (*loaders._MODULES, "not_written_yet"))
    with pytest.raises(ModuleNotFoundError):
        loaders.loaders()
