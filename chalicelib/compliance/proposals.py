"""A phase's allocation under four eyes: ``allocate_phase`` (a console function, which may
only propose) proposes one allocation per target with its figures pinned; a different
administrator approves each through ``POST /proposals/{id}/approve``, and the approval
issues that target's JPAs, the allocation marker and the proposal's mark in ONE
transaction (``ComplianceService.allocate_one``). The registry's proposals service runs
this executor; the container registers it under the kind ``allocation``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.compliance.service import ComplianceService

KIND = "allocation"


@dataclass
class AllocationExecutor:
    service: ComplianceService
    payload_model: str = "chalicelib.compliance.schemas:AllocationPayload"

    def check(self, payload: dict[str, Any]) -> None:
        """Refuse at once a proposal whose figures are not today's (or already issued)."""
        self.service.check_allocation(payload["phase_id"], payload["org_id"], payload["assigned_t"])

    def execute(self, proposal: Any, mark: Any) -> dict[str, Any]:
        payload = proposal.payload
        tx_id = self.service.issuance_id(payload["phase_id"], payload["org_id"])
        return self.service.allocate_one(payload["phase_id"], payload["org_id"], payload["assigned_t"],
                                         by=proposal.proposed_by, linked=(mark(tx_id),))
