"""Monthly monitoring data, and which value of a month counts.

A month's value reaches the fiscal year in one of two ways: a single entry (the
monitoring PUT, or an administrator's correction) or an import (a whole performance
sheet). Every write to a fiscal year advances the year's ``revision``; an import
becomes current in one write that records the revision it became current at. The
value that counts for a source-month is the later of the two:

- the entry, if it was written after the current import became current;
- otherwise the current import's value (the import replaces the year as a whole: an
  entry older than the current import does not count, even where the import has no
  value for that month);
- with no current import, the entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from chalicelib.emissions.domain.calculation import MonthlyValue

Cell = tuple[str, str]


@dataclass(frozen=True)
class StoredValue:
    source_id: str
    month: str
    #: The quantity exactly as given (a decimal string).
    quantity: str
    unit: str
    factor_version: str
    evidence_document_id: str | None
    #: The fiscal year's revision this value was written at.
    revision: int
    #: ``entry`` or ``import:<id>``.
    origin: str
    updated_by: str
    updated_at: str

    def value(self) -> MonthlyValue:
        return MonthlyValue(self.source_id, self.month, Decimal(self.quantity), self.unit, self.factor_version,
                            self.evidence_document_id)


@dataclass(frozen=True)
class FiscalYearData:
    """What the table holds for one organisation and fiscal year."""

    revision: int
    current_import: str | None
    import_revision: int
    entries: Mapping[Cell, StoredValue]
    imported: Mapping[Cell, StoredValue]


def effective(data: FiscalYearData) -> dict[Cell, StoredValue]:
    """The value that counts for each source-month (see the module's rule)."""
    if data.current_import is None:
        return dict(data.entries)
    cells = dict(data.imported)
    for cell, entry in data.entries.items():
        if entry.revision > data.import_revision:
            cells[cell] = entry
    return cells
