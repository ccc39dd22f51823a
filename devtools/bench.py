"""`make bench`: every benchmark of the project, one after the other.

Each module listed here has a ``main(argv) -> int`` that prints its table. Figures are
counts (DynamoDB requests and items, bytes) where the machine does not matter, and
medians over repeated fresh processes where time is the point. The soak runs 500
transfers here; ``make soak`` runs the full 2,000.
"""

from __future__ import annotations

import importlib
import inspect
import sys

MODULES: list[tuple[str, list[str]]] = [
    ("devtools.bench_ledger", []),
    ("devtools.bench_controls", []),
    ("devtools.bench_emissions", []),
    ("devtools.bench_compliance", []),
    ("devtools.bench_matching", []),
    ("devtools.bench_coldstart", []),
    ("devtools.soak", ["500", "8"]),
    ("devtools.bench_hot_receivers", ["16", "10"]),
    ("devtools.bench_side_by_side", ["30"]),
    ("devtools.bench_first_request", ["5"]),
    ("devtools.bench_emulation", ["--transfers", "10"]),
]


def main() -> int:
    failures = 0
    for name, args in MODULES:
        print(f"\n=== {name} {' '.join(args)} ===", flush=True)
        entry = importlib.import_module(name).main
        result = entry(args) if inspect.signature(entry).parameters else entry()
        failures += int(result != 0)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
