"""Trade figures from settled deals: number, volume and volume-weighted average price."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class SettledTrade:
    """One settled deal as the statistics read it (settlement date in JST)."""

    deal_id: str
    settled_on: date
    quantity: int
    price_yen: int

    @property
    def amount_yen(self) -> int:
        return self.quantity * self.price_yen


@dataclass(frozen=True)
class TradeFigures:
    deals: int
    volume_t: int
    amount_yen: int

    @property
    def average_price_yen(self) -> int | None:
        """Volume-weighted average price, rounded half up; ``None`` with no volume."""
        if self.volume_t == 0:
            return None
        return (2 * self.amount_yen + self.volume_t) // (2 * self.volume_t)

    @classmethod
    def of(cls, trades: Iterable[SettledTrade]) -> TradeFigures:
        listed = list(trades)
        return cls(len(listed), sum(t.quantity for t in listed), sum(t.amount_yen for t in listed))


@dataclass(frozen=True)
class Period:
    """A span of days the statistics group by (a day, or a trading phase)."""

    key: str
    start: date
    end: date


def grouped(trades: Iterable[SettledTrade], periods: Iterable[Period]) -> list[tuple[Period, TradeFigures]]:
    listed = list(trades)
    return [(period, TradeFigures.of(t for t in listed if period.start <= t.settled_on <= period.end)) for period in periods]
