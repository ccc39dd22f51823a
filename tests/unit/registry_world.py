"""A small registry on the in-memory fakes: the demo's organisations and accounts, a
clock that ticks, an open market, and short verbs for the ledger's use cases.

``World.audit()`` runs the ledger audit over the fake's snapshot; the ``world`` fixture
(``tests/unit/conftest.py``) asserts it is clean after every test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

import pytest

from chalicelib.core.clock import JST
from chalicelib.core.organisations import Organisation, OrganisationKind
from chalicelib.core.principal import Principal, Role
from chalicelib.registry import service
from chalicelib.registry.domain.accounts import AccountNumber, AccountType
from chalicelib.registry.domain.blocks import Line
from chalicelib.registry.domain.calendar import derive
from chalicelib.registry.domain.invariants import audit
from chalicelib.registry.service import (
    CorrectCommand,
    Initiator,
    IssueCommand,
    Ledger,
    OpenAccountCommand,
    Receipt,
    RetireCommand,
    TransferCommand,
)
from tests.unit.fakes import FakeAccounts, FakeLedgerStore, FakeOrganisations, Memory

E = TypeVar("E", bound=BaseException)

#: A Wednesday, a business day, inside the trading window.
START = datetime(2026, 4, 1, 11, 0, tzinfo=JST)

ORGANISATIONS = (
    Organisation("jvets", "JVETS Secretariat", "JVETS事務局", OrganisationKind.ADMINISTRATOR),
    Organisation("kanto-steel", "Kanto Steelworks Co., Ltd.", "関東製鋼株式会社", OrganisationKind.TARGET),
    Organisation("minato-foods", "Minato Foods Co., Ltd.", "みなと食品株式会社", OrganisationKind.TARGET_SUBSIDISED),
    Organisation("aozora-trading", "Aozora Trading Co., Ltd.", "青空トレーディング株式会社", OrganisationKind.TRADING),
    Organisation("tokai-verification", "Tokai Verification", "東海検証", OrganisationKind.VERIFICATION_BODY),
)

#: Account name -> (holder, type)
ACCOUNTS = {
    "retirement": ("jvets", AccountType.RETIREMENT),
    "cancellation": ("jvets", AccountType.VOLUNTARY_CANCELLATION),
    "kanto": ("kanto-steel", AccountType.OPERATOR_HOLDING),
    "minato": ("minato-foods", AccountType.OPERATOR_HOLDING),
    "aozora": ("aozora-trading", AccountType.PERSON_HOLDING),
}

#: A well-formed number no account has.
UNKNOWN = str(AccountNumber.build(AccountType.PERSON_HOLDING, 424242))

USERS = {
    "admin": Principal("admin", Role.ADMIN, "jvets", mfa=True),
    "kanto": Principal("kanto", Role.PARTICIPANT, "kanto-steel"),
    "minato": Principal("minato", Role.PARTICIPANT, "minato-foods"),
    "aozora": Principal("aozora", Role.PARTICIPANT, "aozora-trading"),
    "verifier": Principal("verifier", Role.VERIFIER, "tokai-verification"),
}


@dataclass
class Clock:
    """Each reading is one millisecond after the last, so every write has its own instant."""

    now: datetime = START
    tick: timedelta = timedelta(milliseconds=1)

    def __call__(self) -> datetime:
        self.now += self.tick
        return self.now


@dataclass
class World:
    memory: Memory = field(default_factory=Memory)
    clock: Clock = field(default_factory=Clock)
    numbers: dict[str, str] = field(default_factory=dict)
    _keys: int = 0

    def __post_init__(self) -> None:
        self.organisations = FakeOrganisations(*ORGANISATIONS)
        self.accounts = FakeAccounts(self.memory, self.organisations)
        self.store = FakeLedgerStore(self.memory)
        self.ledger = Ledger(self.accounts, self.store, self.clock)
        for name, (org_id, account_type) in ACCOUNTS.items():
            self.open(name, org_id, account_type)
        self.store.put_market(derive("auto", self.clock.now))

    # --- set-up ---------------------------------------------------------------------------

    def open(self, name: str, org_id: str, account_type: AccountType) -> str:
        view = service.open_account(OpenAccountCommand(org_id, account_type), accounts=self.accounts,
                                    organisations=self.organisations, now=self.clock.now.isoformat())
        self.numbers[name] = view["number"]
        return view["number"]

    def key(self) -> str:
        self._keys += 1
        return f"test-key-{self._keys:04d}"

    def n(self, name: str) -> str:
        """An account's number by its name here, or the text itself."""
        return self.numbers.get(name, name)

    # --- the use cases --------------------------------------------------------------------

    def issue(self, name: str, amount: int, unit_type: str = "JPA", period: str = "01", project: str | None = None,
              key: str | None = None, reason: str = "allocation") -> Receipt:
        return self.ledger.issue(IssueCommand(account=self.n(name), unit_type=unit_type, issued_period=period,
                                              adopted_period=period, amount=amount, reason=reason,
                                              idempotency_key=key or self.key(), initiated_by="admin", project=project))

    def transfer(self, sender: str, receiver: str, *lines: int | Line, who: str | None = None, key: str | None = None,
                 linked: tuple[Any, ...] = (), deal_ref: str | None = None) -> Receipt:
        return self.ledger.transfer(self.transfer_command(sender, receiver, *lines, who=who, key=key, linked=linked,
                                                          deal_ref=deal_ref))

    def transfer_command(self, sender: str, receiver: str, *lines: int | Line, who: str | None = None,
                         key: str | None = None, linked: tuple[Any, ...] = (), deal_ref: str | None = None) -> TransferCommand:
        return TransferCommand(sender=self.n(sender), receiver=self.n(receiver), lines=_lines(lines),
                               idempotency_key=key or self.key(), initiator=self.initiator(who or sender),
                               deal_ref=deal_ref, linked=linked)

    def retire(self, name: str, *lines: int | Line, who: str | None = None, key: str | None = None,
               period: str = "01") -> Receipt:
        return self.ledger.retire(RetireCommand(account=self.n(name), compliance_period=period, lines=_lines(lines),
                                                idempotency_key=key or self.key(), initiator=self.initiator(who or name)))

    def correct(self, transaction_id: str, reason: str = "sent to the wrong account", to: str | None = None) -> Receipt:
        return self.ledger.correct(CorrectCommand(transaction_id=transaction_id, reason=reason, initiated_by="admin",
                                                  to_account=self.n(to) if to else None))

    def initiator(self, who: str) -> Initiator:
        """A user of the organisation holding account ``who`` (or the user named ``who``)."""
        if who in USERS:
            return Initiator.of(USERS[who])
        org_id = ACCOUNTS[who][0] if who in ACCOUNTS else self.accounts.get_account(self.n(who)).holder_org_id
        return Initiator(f"user-of-{org_id}", org_id)

    # --- what is held -----------------------------------------------------------------------

    def balance(self, name: str) -> int:
        return self.accounts.get_account(self.n(name)).balance

    def serials(self, name: str) -> list[tuple[str, int, int]]:
        """(unit type, first serial, last serial) of each block held, in the balance screen's order."""
        view = self.ledger.balance(USERS["admin"], self.n(name))
        return [(h["unit_type"], h["serial_start"], h["serial_end"]) for h in view["holdings"]]

    def units(self) -> dict[str, Any]:
        """What movements change: blocks, history, records, counters, linked items and each
        account's balance and chain (not its version or status, which others may change
        meanwhile)."""
        state = self.memory.state()
        state["accounts"] = {number: (a.balance, a.cum_in, a.cum_out, a.seq, a.last_hash) for number, a in state["accounts"].items()}
        return state

    def refused(self, error: type[E], action: Callable[[], object]) -> E:
        """The error ``action`` is refused with; no unit may have moved."""
        before = self.units()
        with pytest.raises(error) as refusal:
            action()
        assert self.units() == before, "a refused movement wrote something"
        return refusal.value

    def audit(self) -> dict[str, Any]:
        return audit(self.store.snapshot())


def _lines(lines: tuple[int | Line, ...]) -> tuple[Line, ...]:
    return tuple(Line("JPA", line) if isinstance(line, int) else line for line in lines)
