"""``make bench``: every benchmark at a size that finishes in a few minutes.

Run a module alone (``python -m bench.NAME --help``) for the full sizes quoted in
docs/performance.md.
"""

from __future__ import annotations

import importlib
import subprocess
import sys

#: (module, arguments) for the quick run; a module may appear more than once.
QUICK: list[tuple[str, list[str]]] = [
    ("bench.agenda", []),
    ("bench.questions", []),
    ("bench.inline", ["--rounds", "3"]),
    ("bench.replies", ["--users", "200", "--rounds", "50"]),
    ("bench.feedback", []),
    ("bench.reminders", ["--users", "500"]),
    ("bench.broadcast", ["--users", "600"]),
    ("bench.speakers", []),
    ("bench.live_agenda", []),
    ("bench.languages", ["--reps", "500"]),
    ("bench.qa", ["--voters", "200", "--spread", "10", "0"]),
    # Issue 13: the bot in its own process, at 0 and 100 ms round trips.
    ("bench.crowd", ["--users", "30", "--latency", "0", "100", "--reps", "1"]),
    ("bench.delivery", ["broadcast", "--users", "250", "--latency", "100"]),
    ("bench.delivery", ["alert", "--users", "2000", "--timeout", "60"]),
]


def main() -> int:
    failed = 0
    for module, args in QUICK:
        importlib.import_module(module)  # a benchmark listed but missing is an error
        print(f"\n## {module} {' '.join(args)}\n", flush=True)
        failed += subprocess.call([sys.executable, "-m", module, *args]) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
