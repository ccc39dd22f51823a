"""The registry's schedules: the trading window follows the calendar.

Both runs do the same idempotent thing (derive the status from the calendar and write
it only if it differs), so a missed run is corrected by the next one; transfers are in
any case conditioned on the stored closing time, so a missed close cannot leave the
window open.
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Cron, Rate

from chalicelib import container
from chalicelib.core.observability import logger

blueprint = Blueprint(__name__)


def sync_trading_window(event: Any = None) -> dict[str, Any]:
    from chalicelib.registry.service import sync_window

    result = sync_window(container.ledger_store())
    logger.info("trading window synchronised", extra={"status": result["status"], "changed": result["changed"]})
    return result


# 10:00 and 18:00 JST are 01:00 and 09:00 UTC; holidays are decided by the calendar.
@blueprint.schedule(Cron(0, 1, "?", "*", "MON-FRI", "*"), name="open_trading_window")
def open_trading_window(event: Any) -> dict[str, Any]:
    return sync_trading_window(event)


@blueprint.schedule(Cron(0, 9, "?", "*", "MON-FRI", "*"), name="close_trading_window")
def close_trading_window(event: Any) -> dict[str, Any]:
    return sync_trading_window(event)


def run_controls(event: Any = None) -> dict[str, Any]:
    """Complete the held transfers whose delay is over (while the window is open) and
    write ``expired`` on proposals past their time. Idempotent: each write is conditioned
    on the pending status, so overlapping or repeated runs do each thing once."""
    completed = container.transfers().complete_due()
    expired = container.proposals().expire_due()
    logger.info("registry controls ran", extra={**completed, **expired})
    return {"delayed_transfers": completed, "proposals": expired}


@blueprint.schedule(Rate(5, unit=Rate.MINUTES), name="registry_controls")
def registry_controls(event: Any) -> dict[str, Any]:
    return run_controls(event)
