"""What the registry's use cases need from storage, as protocols.

The adapters (``chalicelib.registry.adapters``) implement them on DynamoDB; the unit
tests implement them in memory (``tests/unit/fakes``), so the ledger's rules are tested
at the service level without moto. A store refuses a write whose conditions fail by
raising ``CommitFailed`` naming them; it never writes part of a movement.
"""

from __future__ import annotations

from typing import Any, Protocol

from chalicelib.core.organisations import Organisation
from chalicelib.registry.domain.accounts import Account, AccountType
from chalicelib.registry.domain.blocks import Block
from chalicelib.registry.domain.calendar import MarketState
from chalicelib.registry.domain.invariants import Snapshot
from chalicelib.registry.domain.movements import Movement


class StoredTransaction(Protocol):
    """A transaction record as stored: its hashed core, chain links and marks (read only)."""

    @property
    def transaction_id(self) -> str: ...

    @property
    def core(self) -> str: ...

    @property
    def chain(self) -> str: ...

    @property
    def fingerprint(self) -> str: ...

    @property
    def corrected_by(self) -> str | None: ...


class AccountsPort(Protocol):
    def get_account(self, number: str) -> Account | None: ...

    def accounts_of(self, org_id: str) -> list[Any]: ...

    def open_account(self, holder: Organisation, account_type: AccountType, period: int, now: str) -> Account: ...

    def close_account(self, number: str) -> Account: ...

    def set_account_status(self, number: str, status: str) -> Account: ...

    def set_commitment_reserve(self, number: str, reserve: int) -> Account: ...


class LedgerPort(Protocol):
    def holdings(self, number: str) -> tuple[Account | None, list[Block]]: ...

    def block_page(self, number: str, prefix: tuple[str, ...], after: str | None, limit: int) -> tuple[list[Block], str | None]: ...

    def blocks_held(self, number: str, wanted: list[Block]) -> list[Block]: ...

    def counter(self, name: str) -> int: ...

    def transaction(self, transaction_id: str) -> StoredTransaction | None: ...

    def history_page(
        self, number: str, first: str, last: str, limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]: ...

    def day_totals(self, number: str, first: str, last: str) -> tuple[int, int]: ...

    def market(self) -> MarketState: ...

    def put_market(self, state: MarketState, expected_mode: str | None = None) -> bool: ...

    def snapshot(self) -> Snapshot: ...

    def commit(self, movement: Movement, linked: tuple[Any, ...] = ()) -> None: ...


class OrganisationsPort(Protocol):
    def get(self, org_id: str) -> Organisation | None: ...


class DealSettlement(Protocol):
    """The notice board's side of a transfer that settles a deal: the deal reference and
    the ``LinkedWrite``s to add to the transfer's one transaction (they raise a typed
    refusal when the deal cannot be settled by this transfer)."""

    def settlement(self, deal_id: str, *, initiator_org: str, receiver: str, lines: list[tuple[str, int]],
                   transaction_id: str) -> tuple[str, tuple[Any, ...]]: ...
