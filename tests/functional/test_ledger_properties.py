"""Property test: random sequences of issuances, transfers, retirements, cancellations,
corrections and reserve changes, run through the real ledger on moto.

After every step each account's balance equals what a plain model of the completed
operations says, and every refusal is one the model justifies. After every sequence the
audit holds: chains intact, every serial in exactly one block, issued = held + retired
+ cancelled, balances equal their blocks.
"""

from __future__ import annotations

import uuid
from collections import defaultdict

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from chalicelib import container
from chalicelib.registry.domain import errors as e
from chalicelib.registry.service import Initiator, RetireCommand, TransferCommand
from devtools.approvals import executed as run_approved
from tests.conftest import admin, executed

UNIT_TYPES = ("JPA", "jCER")


@pytest.fixture(scope="module")
def participants(demo):
    admin("set_market", {"action": "force_open", "reason": "properties"})
    cancellation = admin("open_account", {"org_id": "moe", "type": 230})["number"]
    accounts = {user: {"number": demo[user]["accounts"][0], "org": demo[user]["org_id"]} for user in ("kanto", "minato", "aozora")}
    return accounts, cancellation


def test_random_ledger_histories_keep_every_invariant(participants):
    accounts, cancellation = participants
    names = sorted(accounts)

    class LedgerMachine(RuleBasedStateMachine):
        @initialize()
        def start(self):
            self.ledger = container.ledger()
            self.held = defaultdict(lambda: defaultdict(int))  # account -> unit type -> units
            self.reserve = defaultdict(int)
            for number in [accounts[name]["number"] for name in names] + [cancellation]:
                _, blocks = self.ledger.store.holdings(number)
                for block in blocks:
                    self.held[number][block.unit_type] += block.amount
                account = self.ledger.accounts.get_account(number)
                self.reserve[number] = account.commitment_reserve
            self.transfers = []

        def _balance(self, number):
            return sum(self.held[number].values())

        def _principal(self, name):
            return Initiator(username=name, org_id=accounts[name]["org"])

        @rule(name=st.sampled_from(names), unit_type=st.sampled_from(UNIT_TYPES), amount=st.integers(1, 40))
        def issue(self, name, unit_type, amount):
            number = accounts[name]["number"]
            event = {"account": number, "unit_type": unit_type, "issued_period": "01", "adopted_period": "01", "amount": amount, "reason": "property"}
            if unit_type == "jCER":
                event["project"] = "CDM-7"
            executed("issue_units", event)
            self.held[number][unit_type] += amount

        @rule(sender=st.sampled_from(names), receiver=st.sampled_from([*names, "cancellation"]),
              unit_type=st.sampled_from(UNIT_TYPES), amount=st.integers(1, 30))
        def transfer(self, sender, receiver, unit_type, amount):
            source = accounts[sender]["number"]
            target = cancellation if receiver == "cancellation" else accounts[receiver]["number"]
            if source == target:
                return
            body = {"from_account": source, "to_account": target, "lines": [{"unit_type": unit_type, "amount": amount}]}
            try:
                transaction = self.ledger.transfer(TransferCommand.from_request(body, f"prop-{uuid.uuid4()}", self._principal(sender))).transaction
            except e.InsufficientUnits:
                assert self.held[source][unit_type] < amount
                return
            except e.ReserveBreach:
                assert self._balance(source) - self.reserve[source] < amount
                return
            assert self.held[source][unit_type] >= amount and self._balance(source) - self.reserve[source] >= amount
            self.held[source][unit_type] -= amount
            self.held[target][unit_type] += amount
            self.transfers.append((transaction["id"], source, target, unit_type, amount))

        @rule(name=st.sampled_from(names), unit_type=st.sampled_from(UNIT_TYPES), amount=st.integers(1, 30))
        def retire(self, name, unit_type, amount):
            number = accounts[name]["number"]
            body = {"account": number, "compliance_period": "01", "lines": [{"unit_type": unit_type, "amount": amount}]}
            try:
                self.ledger.retire(RetireCommand.from_request(body, f"prop-{uuid.uuid4()}", self._principal(name)))
            except e.InsufficientUnits:
                assert self.held[number][unit_type] < amount
                return
            self.held[number][unit_type] -= amount

        @rule(index=st.integers(0, 50))
        def correct(self, index):
            if not self.transfers:
                return
            transaction_id, source, target, unit_type, amount = self.transfers[index % len(self.transfers)]
            result = run_approved("correct_transaction", {"transaction_id": transaction_id, "reason": "property"})
            if "error" in result:
                assert result["error"]["code"] in {"UNITS_NO_LONGER_HELD", "ALREADY_CORRECTED", "RESERVE_BREACH", "ACCOUNT_NOT_OPEN"}, result
                return
            self.held[target][unit_type] -= amount
            self.held[source][unit_type] += amount
            self.transfers.remove((transaction_id, source, target, unit_type, amount))

        @rule(name=st.sampled_from(names), reserve=st.integers(0, 60))
        def set_reserve(self, name, reserve):
            number = accounts[name]["number"]
            executed("set_commitment_reserve", {"account": number, "commitment_reserve": reserve})
            self.reserve[number] = reserve

        @invariant()
        def balances_match_the_model(self):
            if not hasattr(self, "ledger"):
                return
            for number in [accounts[name]["number"] for name in names] + [cancellation]:
                account = self.ledger.accounts.get_account(number)
                assert account.balance == self._balance(number), number

        def teardown(self):
            result = admin("audit_ledger", {})
            assert result["ok"], result["problems"]

    LedgerMachine.TestCase.settings = settings(max_examples=12, stateful_step_count=12, deadline=None,
                                               suppress_health_check=list(HealthCheck), database=None)
    LedgerMachine.TestCase().runTest()
