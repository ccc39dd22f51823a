"""The trading window: what it is now, the administrator's overrides, and the
scheduled synchronisation from the calendar (idempotent; any run corrects a missed one)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable

from chalicelib.clock import now_jst
from chalicelib.registry.domain import calendar

if TYPE_CHECKING:  # adapters are imported where they are used: cold start
    from chalicelib.registry.adapters.ledger_store import LedgerStore

#: Administrator actions and the mode each one sets.
ACTIONS = {"halt": "halted", "resume": "auto", "auto": "auto", "force_open": "force_open", "force_close": "force_close"}


def market_view(store: LedgerStore, clock: Callable[[], datetime] = now_jst) -> dict[str, Any]:
    return calendar.view(store.market(), clock())


def set_market(action: str, reason: str, store: LedgerStore, clock: Callable[[], datetime] = now_jst) -> dict[str, Any]:
    now = clock()
    state = calendar.derive(ACTIONS[action], now, reason)
    changed = store.put_market(state)
    return {**calendar.view(state, now), "changed": changed}


def sync_window(store: LedgerStore, clock: Callable[[], datetime] = now_jst) -> dict[str, Any]:
    """Bring the stored status in line with the calendar (modes other than auto stay)."""
    now = clock()
    current = store.market()
    state = calendar.derive(current.mode, now, current.reason)
    changed = store.put_market(state)
    return {**calendar.view(state, now), "changed": changed}
