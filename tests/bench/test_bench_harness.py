"""The issue-13 benchmarks' harness: the bot in a child process, people driven through the
emulator. The figures belong to bench/ (docs/performance.md); these check that the harness
measures what it says, at a size that takes seconds."""

from __future__ import annotations

import importlib
import math

from bench.__main__ import QUICK
from bench.crowd import crowd_run
from bench.proc import max_in_window, percentile


def test_every_quick_benchmark_imports_and_has_a_main() -> None:
    for module in {m for m, _ in QUICK} | {"bench.bare"}:
        assert callable(importlib.import_module(module).main), module


def test_percentile_is_nearest_rank_and_counts_missing_replies() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50
    assert percentile(values, 0.99) == 99
    assert percentile(values, 1.0) == 100
    assert percentile([1.0, math.inf], 0.99) == math.inf


def test_max_in_window_slides() -> None:
    assert max_in_window([0.0, 0.5, 0.99, 1.0, 1.5]) == 3
    assert max_in_window([]) == 0


async def test_a_crowd_run_against_confbot_in_its_own_process() -> None:
    run = await crowd_run("confbot", 3, 0, timeout=60)
    assert run.answered == run.in_order == 3
    assert all(0 < t < 60 for t in run.first_reply)
    assert run.peak_rss_mb is not None
    assert run.peak_rss_mb > 20
