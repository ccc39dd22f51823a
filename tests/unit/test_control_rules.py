"""The controls' pure rules: the status machine, who may decide a proposal and when,
which transfers need no trust, and the settings' delays."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.registry.domain.accounts import Account
from chalicelib.registry.domain.control_errors import OwnProposal, ProposalExpired, ProposalNotPending
from chalicelib.registry.domain.proposals import Proposal, ensure_decidable, proposal_id
from chalicelib.registry.domain.statuses import TransactionStatus as S
from chalicelib.registry.domain.statuses import is_pending, may_become
from chalicelib.registry.domain.trust import TrustedReceiver, trust_exemption
from chalicelib.registry.proposals import ControlSettings


def _proposal(status: S = S.PROPOSED, lapses_at: str = "2026-06-03T10:00:00+09:00", by: str = "admin") -> Proposal:
    return Proposal(proposal_id="PR" + "0" * 18, kind="issuance", payload={}, reason="r", status=status, proposed_by=by,
                    channel="api", proposed_at="2026-06-01T10:00:00+09:00", lapses_at=lapses_at)


@pytest.mark.parametrize(("current", "wanted", "allowed"), [
    (S.PROPOSED, S.APPROVED, True), (S.PROPOSED, S.REJECTED, True), (S.PROPOSED, S.EXPIRED, True),
    (S.APPROVED, S.REJECTED, False), (S.REJECTED, S.APPROVED, False), (S.EXPIRED, S.APPROVED, False),
    (S.PROPOSED, S.COMPLETED, False), (S.DELAYED, S.COMPLETED, True), (S.DELAYED, S.CANCELLED, True),
    (S.DELAYED, S.FAILED, True), (S.CANCELLED, S.COMPLETED, False), (S.COMPLETED, S.CANCELLED, False),
    (S.FAILED, S.COMPLETED, False), (S.DELAYED, S.APPROVED, False),
])
def test_only_a_pending_status_moves_and_only_to_a_final_one(current, wanted, allowed):
    assert may_become(current, wanted) is allowed
    assert is_pending(current) is (current in {S.PROPOSED, S.DELAYED})


def test_a_proposal_is_decided_by_another_administrator_before_it_lapses():
    now = "2026-06-02T10:00:00+09:00"
    ensure_decidable(_proposal(), "admin2", now)
    with pytest.raises(OwnProposal):
        ensure_decidable(_proposal(), "admin", now)
    with pytest.raises(ProposalExpired):
        ensure_decidable(_proposal(), "admin2", "2026-06-03T10:00:00+09:00")  # at the instant it lapses
    for status in (S.APPROVED, S.REJECTED, S.EXPIRED):
        with pytest.raises(ProposalNotPending):
            ensure_decidable(_proposal(status), "admin2", now)
    assert _proposal().status_at("2026-06-04T00:00:00+09:00") is S.EXPIRED
    assert _proposal(S.APPROVED).status_at("2026-06-04T00:00:00+09:00") is S.APPROVED


def test_a_proposal_id_is_the_proposers_key_and_kind():
    assert proposal_id("admin", "issuance", "k1") == proposal_id("admin", "issuance", "k1")
    assert len({proposal_id("admin", "issuance", "k1"), proposal_id("admin2", "issuance", "k1"),
                proposal_id("admin", "correction", "k1"), proposal_id("admin", "issuance", "k2")}) == 4


def _account(number: str, org: str, account_type: int) -> Account:
    return Account(number=number, type=account_type, holder_org_id=org, holder_name=org, holder_name_ja=org, created_at="")


def test_own_accounts_and_the_cancellation_account_need_no_trust():
    sender = _account("JP-120-1-0-56", "kanto", 120)
    assert trust_exemption(sender, _account("JP-120-9-0-00", "kanto", 120)) is not None
    assert trust_exemption(sender, _account("JP-230-1-0-00", "moe", 230)) is not None
    assert trust_exemption(sender, _account("JP-121-1-0-47", "aozora", 121)) is None


def test_a_trusted_receiver_counts_from_its_effective_time():
    entry = TrustedReceiver("A", "B", "h", "h", "u", "2026-06-01T10:00:00+09:00", "2026-06-08T10:00:00+09:00")
    assert not entry.effective("2026-06-08T09:59:59+09:00")
    assert entry.effective("2026-06-08T10:00:00+09:00")


def test_the_delays_come_from_the_settings_with_the_eu_registrys_defaults():
    defaults = ControlSettings.from_environment({})
    assert (defaults.proposal_ttl, defaults.trust_delay, defaults.transfer_delay) == (
        timedelta(hours=72), timedelta(days=7), timedelta(hours=26))
    demo = ControlSettings.from_environment({"TRUSTED_RECEIVER_DELAY_HOURS": "0.1", "TRANSFER_DELAY_HOURS": "1",
                                             "PROPOSAL_TTL_HOURS": "24"})
    assert (demo.proposal_ttl, demo.trust_delay, demo.transfer_delay) == (
        timedelta(hours=24), timedelta(minutes=6), timedelta(hours=1))
