"""The compliance system's items in the table (``chalicelib.core.table``), its store, and
the bridge to the registry's use cases.

Key design (``pk`` / ``sk``):

- ``CPHASE`` / ``PHASE#<id>``: a phase's definition (timeline, deadlines, participants) as
  JSON, created once (``attribute_not_exists``). Every phase is one query of ``CPHASE``.
- ``CPHASE#<id>`` / ``ALLOC#<org>``: a target's allocation, written ONLY as a linked write
  inside the registry's issuance transaction, on condition that it does not exist.
- ``CPHASE#<id>`` / ``TRUEUP#<org>``: a target's true-up result: written if none exists, or
  over a stored ``no_accepted_emissions`` (conditioned on that outcome); a decision stays.

A phase's allocations and results are one query each.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import GetError, PutError, QueryError

from chalicelib.compliance.domain.phases import Phase
from chalicelib.compliance.domain.trueup import Decision, Outcome
from chalicelib.compliance.ports import AllocationRecord, Issued, IssueRequest, StoredDecision
from chalicelib.core.principal import Principal, Role
from chalicelib.core.table import LinkedWrite, TableItem, response_code, unavailable
from chalicelib.core.transactions import CommitFailed

PHASES_PK = "CPHASE"


class PhaseItem(TableItem, discriminator="compliance_phase"):
    phase_id = UnicodeAttribute()
    definition = UnicodeAttribute()
    defined_at = UnicodeAttribute()
    defined_by = UnicodeAttribute()

    @staticmethod
    def key(phase_id: str) -> tuple[str, str]:
        return PHASES_PK, f"PHASE#{phase_id}"


class AllocationItem(TableItem, discriminator="compliance_allocation"):
    phase_id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    account = UnicodeAttribute()
    base_year_emissions_t = NumberAttribute()
    committed_reduction_t = NumberAttribute()
    assigned_t = NumberAttribute()
    issuance_key = UnicodeAttribute()
    allocated_at = UnicodeAttribute()

    @staticmethod
    def key(phase_id: str, org_id: str) -> tuple[str, str]:
        return f"CPHASE#{phase_id}", f"ALLOC#{org_id}"


class DecisionItem(TableItem, discriminator="compliance_true_up"):
    phase_id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    outcome = UnicodeAttribute()
    emissions_t = NumberAttribute(null=True)
    retired_t = NumberAttribute()
    shortfall_t = NumberAttribute()
    subsidy_to_return_yen = NumberAttribute()
    decided_at = UnicodeAttribute()

    @staticmethod
    def key(phase_id: str, org_id: str) -> tuple[str, str]:
        return f"CPHASE#{phase_id}", f"TRUEUP#{org_id}"


def _query(pk: str, prefix: str) -> list[TableItem]:
    try:
        return list(TableItem.query(pk, TableItem.sk.startswith(prefix), consistent_read=True))
    except QueryError as error:
        raise unavailable(error) from error


class ComplianceStore:
    def define(self, phase: Phase, at: str, by: str) -> None:
        item = PhaseItem(*PhaseItem.key(phase.phase_id), phase_id=phase.phase_id,
                         definition=json.dumps(phase.to_record(), ensure_ascii=False, sort_keys=True), defined_at=at, defined_by=by)
        try:
            # Create-only: a phase is defined once.
            item.save(condition=PhaseItem.pk.does_not_exist())
        except PutError as error:
            if response_code(error) == "ConditionalCheckFailedException":
                raise CommitFailed(("phase",)) from error
            raise unavailable(error) from error

    def phase(self, phase_id: str) -> Phase | None:
        try:
            item = PhaseItem.get(*PhaseItem.key(phase_id), consistent_read=True)
        except PhaseItem.DoesNotExist:
            return None
        except GetError as error:
            raise unavailable(error) from error
        return Phase.from_record(json.loads(item.definition))

    def phases(self) -> list[Phase]:
        return [Phase.from_record(json.loads(item.definition)) for item in _query(PHASES_PK, "PHASE#") if isinstance(item, PhaseItem)]

    def allocations(self, phase_id: str) -> dict[str, AllocationRecord]:
        return {
            item.org_id: AllocationRecord(item.phase_id, item.org_id, item.account, int(item.base_year_emissions_t),
                                          int(item.committed_reduction_t), int(item.assigned_t), "", item.allocated_at)
            for item in _query(f"CPHASE#{phase_id}", "ALLOC#") if isinstance(item, AllocationItem)
        }

    def allocation_marker(self, record: AllocationRecord) -> LinkedWrite:
        item = AllocationItem(*AllocationItem.key(record.phase_id, record.org_id), phase_id=record.phase_id, org_id=record.org_id,
                              account=record.account, base_year_emissions_t=record.base_year_emissions_t,
                              committed_reduction_t=record.committed_reduction_t, assigned_t=record.assigned_t,
                              issuance_key=f"allocation:{record.phase_id}:{record.org_id}", allocated_at=record.allocated_at)
        # One allocation per phase and participant, written with the units or not at all.
        return LinkedWrite.put(f"allocation:{record.org_id}", item, condition=AllocationItem.pk.does_not_exist())

    def decisions(self, phase_id: str) -> dict[str, StoredDecision]:
        found: dict[str, StoredDecision] = {}
        for item in _query(f"CPHASE#{phase_id}", "TRUEUP#"):
            if isinstance(item, DecisionItem):
                decision = Decision(item.org_id, Outcome(item.outcome), None if item.emissions_t is None else int(item.emissions_t),
                                    int(item.retired_t), int(item.shortfall_t), int(item.subsidy_to_return_yen))
                found[item.org_id] = StoredDecision(decision, item.decided_at)
        return found

    def record_decision(self, phase_id: str, decision: StoredDecision, replaces_undecided: bool) -> None:
        d = decision.decision
        item = DecisionItem(*DecisionItem.key(phase_id, d.org_id), phase_id=phase_id, org_id=d.org_id, outcome=d.outcome.value,
                            emissions_t=d.emissions_t, retired_t=d.retired_t, shortfall_t=d.shortfall_t,
                            subsidy_to_return_yen=d.subsidy_to_return_yen, decided_at=decision.decided_at)
        # A decision is final: a result is written new, or only over "nothing decided yet".
        condition = (DecisionItem.outcome == Outcome.NO_ACCEPTED_EMISSIONS.value if replaces_undecided
                     else DecisionItem.pk.does_not_exist())
        try:
            item.save(condition=condition)
        except PutError as error:
            if response_code(error) == "ConditionalCheckFailedException":
                raise CommitFailed(("decision",)) from error
            raise unavailable(error) from error


#: Retirements are read through the registry's own history and transaction views, as an
#: administrator sees them (the true-up is an administrator function).
_READER = Principal(username="compliance", role=Role.ADMIN, org_id="", mfa=True)
_PAGE = "200"


class LedgerBridge:
    """The registry's use cases as compliance needs them (the container wires it)."""

    def __init__(self, ledger: Any, accounts: Any) -> None:
        self.ledger = ledger
        self.accounts = accounts

    def operator_account(self, org_id: str) -> str | None:
        for account in self.accounts.accounts_of(org_id):
            if int(account["type"]) == 120 and account["status"] == "open":
                return str(account["number"])
        return None

    def issue(self, request: IssueRequest, linked: tuple[Any, ...]) -> Issued:
        from chalicelib.registry.service import IssueCommand

        command = IssueCommand(account=request.account, unit_type="JPA", issued_period=request.period,
                               adopted_period=request.period, amount=request.amount, reason=request.reason,
                               idempotency_key=request.idempotency_key, initiated_by=request.initiated_by, linked=linked)
        receipt = self.ledger.issue(command)
        return Issued(str(receipt.transaction["id"]), bool(receipt.replayed))

    def issuance_id(self, idempotency_key: str) -> str:
        from chalicelib.registry.domain.blocks import transaction_id
        from chalicelib.registry.service import ISSUANCE_NAMESPACE

        return transaction_id(ISSUANCE_NAMESPACE, idempotency_key)

    def retired(self, org_id: str, compliance_period: str, first: date, last: date) -> int:
        """Units retired from the organisation's accounts toward the period: its history's
        retirement rows in the date range, each transaction read for its period (a
        retirement corrected afterwards does not count)."""
        from chalicelib.registry.service import HistoryQuery

        total = 0
        for account in self.accounts.accounts_of(org_id):
            cursor: str | None = None
            while True:
                page = self.ledger.history(_READER, HistoryQuery(str(account["number"]), first.isoformat(), last.isoformat(),
                                                                 cursor, _PAGE))
                for row in page["items"]:
                    if row["type"] != "retirement" or not row["out"]:
                        continue
                    transaction = self.ledger.transaction(_READER, row["id"])
                    if transaction.get("compliance_period") == compliance_period and not transaction.get("corrected_by"):
                        total += int(row["out"])
                cursor = page["next_cursor"]
                if not cursor:
                    break
        return total
