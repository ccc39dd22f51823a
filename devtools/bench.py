"""`make bench`: every benchmark of the project, one after the other.

Each module listed here has a ``main() -> int`` that prints its table. Figures are
counts (DynamoDB requests and items, bytes) where the machine does not matter, and
medians over repeated fresh processes where time is the point.
"""

from __future__ import annotations

import importlib
import sys

MODULES: list[str] = ["devtools.bench_ledger", "devtools.bench_coldstart"]


def main() -> int:
    failures = 0
    for name in MODULES:
        print(f"\n=== {name} ===", flush=True)
        failures += int(importlib.import_module(name).main() != 0)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
