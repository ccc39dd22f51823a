"""The second pair of eyes, for local tools and tests: approve a proposal as another
administrator, in-process, on the same service the API's approval route runs.

The demo loader and the tests propose with the console functions (which may only
propose) and approve here as ``APPROVER`` (the demo's second administrator, who signs
in with TOTP like every administrator). Over HTTP the same approval is
``POST /proposals/{id}/approve`` with that administrator's MFA token.
"""

from __future__ import annotations

from typing import Any

APPROVER = "admin2"


def approve(proposal_id: str, approver: str = APPROVER, reason: str = "") -> dict[str, Any]:
    """Approve as ``approver``; returns ``{"proposal", "result"}`` or ``{"error": ...}``."""
    from chalicelib import container
    from chalicelib.core.errors import JvetsError
    from chalicelib.registry.proposals import DecideCommand

    try:
        decision = container.proposals().approve(DecideCommand(proposal_id, approver, mfa=True, reason=reason))
    except JvetsError as error:
        return {"error": error.to_dict()}
    return {"proposal": decision.proposal, "result": decision.result}


def executed(function: str, event: dict[str, Any], approver: str = APPROVER) -> dict[str, Any]:
    """Run a console function that proposes, then approve its proposal as ``approver``:
    the action's result (what the function itself returned before four eyes), or the
    ``{"error": ...}`` of the proposal or of the approval."""
    from chalicelib.admin import FUNCTIONS

    proposed = FUNCTIONS[function](event, None)
    if "error" in proposed:
        return proposed
    approved = approve(proposed["proposal"]["id"], approver)
    if "error" in approved:
        return approved
    return dict(approved["result"] or {})
