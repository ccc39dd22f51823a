"""The off switch of a moto patch (``devtools.moto_queries``, ``devtools.moto_scans``):
process-wide, because the server answers in its own threads, and a flag rather than a
swap of moto's methods, because several patches wrap the same ones."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


class Switch:
    def __init__(self) -> None:
        self.off = False

    @contextlib.contextmanager
    def disabled(self) -> Iterator[None]:
        """moto's own code for the duration (to compare answers, and to measure against)."""
        self.off = True
        try:
            yield
        finally:
            self.off = False
