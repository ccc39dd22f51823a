"""Trusted receivers: a new trusted account counts only after its delay, removing one is
immediate, and a transfer outside the list is held ``delayed``, then completed once by
the schedule (every ledger condition checked then), cancelled by the holder, or failed
with the ledger's code. Cancel and complete race; exactly one wins.

Through the app on the moto server; the passing of time is the services' clock (the
same services the routes and the schedule run, on the same table).
"""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest

from chalicelib import container
from chalicelib.core.clock import now_jst
from chalicelib.registry.service import Initiator, TransferCommand
from chalicelib.registry.trusted import Held, TrustedTransfers
from tests.conftest import admin, executed, scan_registry


def _service(shift: timedelta) -> TrustedTransfers:
    """The trusted-transfers use cases as of ``now + shift``."""
    moment = now_jst() + shift
    return TrustedTransfers(container.ledger(), container.transfers().store, container.control_settings(), clock=lambda: moment)


LATER = timedelta(hours=26, minutes=1)


@pytest.fixture(scope="module")
def world(api, demo):
    admin("set_market", {"action": "force_open", "reason": "trusted receivers"})
    kanto = demo["kanto"]["accounts"][0]
    executed("issue_units", {"account": kanto, "unit_type": "JPA", "issued_period": "01", "adopted_period": "01", "amount": 500,
                             "reason": "trusted receivers"})
    tokens = {name: api.login(demo[name]) for name in ("kanto", "minato", "aozora", "admin")}
    return {"tokens": tokens, "kanto": kanto, "minato": demo["minato"]["accounts"][0], "aozora": demo["aozora"]["accounts"][0]}


def _fresh() -> str:
    """An account of another holder that nobody trusts yet."""
    return admin("open_account", {"org_id": "aozora-trading", "type": 121})["number"]


def _send(api, world, receiver, amount=1, key=None, sender="kanto"):
    return api.call("POST", "/transfers", {"from_account": world[sender], "to_account": receiver,
                                           "lines": [{"unit_type": "JPA", "amount": amount}]},
                    token=world["tokens"][sender], headers={"Idempotency-Key": key or f"trust-{uuid.uuid4()}"})


def _balance(api, world, account):
    return api.call("GET", f"/accounts/{account}/balance", token=world["tokens"]["admin"])[1]["balance"]


def test_a_transfer_to_an_untrusted_account_is_held_and_replayed_by_its_key(api, world):
    receiver, key = _fresh(), f"held-{uuid.uuid4()}"
    before = _balance(api, world, world["kanto"])
    status, body = _send(api, world, receiver, 4, key)
    assert status == 202, body
    held = body["delayed_transfer"]
    assert (held["status"], held["amount"], held["to_account"], held["status_ja"]) == ("delayed", 4, receiver, "保留中")
    assert held["due_at"] > held["created_at"]
    assert _balance(api, world, world["kanto"]) == before  # nothing moved yet
    again = api.client.http.post("/transfers", headers={"Content-Type": "application/json", "Idempotency-Key": key,
                                                        "Authorization": f"Bearer {world['tokens']['kanto']}"},
                                 body=(b'{"from_account": "%s", "to_account": "%s", "lines": [{"unit_type": "JPA", "amount": 4}]}'
                                       % (world["kanto"].encode(), receiver.encode())))
    assert (again.status_code, again.headers["Idempotent-Replayed"]) == (202, "true")
    other = _send(api, world, receiver, 5, key)
    assert (other[0], other[1]["error"]["code"]) == (409, "IDEMPOTENCY_MISMATCH")
    listed = api.call("GET", "/delayed-transfers", token=world["tokens"]["kanto"])[1]
    assert held["id"] in [item["id"] for item in listed["items"]] and listed["delay_hours"] == 26
    assert held["id"] not in str(api.call("GET", "/delayed-transfers", token=world["tokens"]["minato"])[1])


def test_a_new_trusted_account_counts_only_after_the_delay_and_removal_is_immediate(api, world):
    receiver = _fresh()
    status, entry = api.call("POST", f"/accounts/{world['kanto']}/trusted", {"account": receiver}, token=world["tokens"]["kanto"])
    assert (status, entry["effective"], entry["holder"]) == (201, False, "Aozora Trading Co., Ltd."), entry
    assert entry["effective_at"] > entry["added_at"]
    again = api.call("POST", f"/accounts/{world['kanto']}/trusted", {"account": receiver}, token=world["tokens"]["kanto"])
    assert (again[0], again[1]["error"]["code"]) == (409, "ALREADY_TRUSTED")
    assert _send(api, world, receiver)[0] == 202  # not yet

    def command() -> TransferCommand:
        return TransferCommand.from_request({"from_account": world["kanto"], "to_account": receiver,
                                             "lines": [{"unit_type": "JPA", "amount": 1}]}, f"later-{uuid.uuid4()}",
                                            Initiator("kanto", "kanto-steel"))

    assert isinstance(_service(timedelta(days=6, hours=23)).submit(command()), Held)
    done = _service(timedelta(days=7, minutes=1)).submit(command())
    assert not isinstance(done, Held) and done.transaction["to_account"] == receiver
    listed = api.call("GET", f"/accounts/{world['kanto']}/trusted", token=world["tokens"]["kanto"])[1]
    assert receiver in [item["account"] for item in listed["items"]] and listed["delay_hours"] == 168

    status, removed = api.call("DELETE", f"/accounts/{world['kanto']}/trusted/{receiver}", token=world["tokens"]["kanto"])
    assert (status, removed["account"]) == (200, receiver)
    assert isinstance(_service(timedelta(days=8)).submit(command()), Held)  # at once
    gone = api.call("DELETE", f"/accounts/{world['kanto']}/trusted/{receiver}", token=world["tokens"]["kanto"])
    assert (gone[0], gone[1]["error"]["code"]) == (404, "TRUSTED_ACCOUNT_NOT_FOUND")


def test_own_accounts_and_retirements_need_no_trust(api, world):
    own = admin("open_account", {"org_id": "kanto-steel", "type": 120})["number"]
    assert _send(api, world, own)[0] == 201
    refused = api.call("POST", f"/accounts/{world['kanto']}/trusted", {"account": own}, token=world["tokens"]["kanto"])
    assert (refused[0], refused[1]["error"]["code"]) == (422, "TRUST_NOT_NEEDED")
    retired = api.call("POST", "/retirements", {"account": world["kanto"], "compliance_period": "01",
                                                "lines": [{"unit_type": "JPA", "amount": 1}]},
                       token=world["tokens"]["kanto"], headers={"Idempotency-Key": f"ret-{uuid.uuid4()}"})
    assert retired[0] == 201


def test_what_could_not_complete_now_is_refused_at_once_and_nothing_is_held(api, world, local_aws):
    receiver = _fresh()
    before = scan_registry(local_aws)
    status, answer = _send(api, world, receiver, 10**8)
    assert (status, answer["error"]["code"]) == (409, "INSUFFICIENT_UNITS"), answer
    assert scan_registry(local_aws) == before


def test_a_delayed_transfer_completes_once_at_the_end_of_its_delay(api, world):
    receiver = _fresh()
    key = f"complete-{uuid.uuid4()}"
    held = _send(api, world, receiver, 6, key)[1]["delayed_transfer"]
    before = _balance(api, world, receiver)
    assert _service(timedelta(hours=25)).complete_due()["completed"] == 0  # not due yet
    assert _service(LATER).complete_due()["completed"] >= 1
    assert _balance(api, world, receiver) == before + 6
    assert _service(LATER).complete_due()["completed"] == 0  # once
    view = api.call("GET", f"/delayed-transfers/{held['id']}", token=world["tokens"]["kanto"])[1]["delayed_transfer"]
    assert (view["status"], view["decided_by"]) == ("completed", "scheduler")
    transaction = api.call("GET", f"/transactions/{held['id']}", token=world["tokens"]["kanto"])[1]
    assert (transaction["amount"], transaction["to_account"]) == (6, receiver)
    replay = _send(api, world, receiver, 6, key)
    assert (replay[0], replay[1]["transaction"]["id"]) == (201, held["id"])
    cancel = api.call("POST", f"/delayed-transfers/{held['id']}/cancel", token=world["tokens"]["kanto"])
    assert (cancel[0], cancel[1]["error"]["code"]) == (409, "DELAYED_TRANSFER_NOT_PENDING")


def test_the_holder_cancels_during_the_delay_and_nothing_moves(api, world):
    receiver = _fresh()
    held = _send(api, world, receiver, 2)[1]["delayed_transfer"]
    other = api.call("POST", f"/delayed-transfers/{held['id']}/cancel", token=world["tokens"]["aozora"])
    assert (other[0], other[1]["error"]["code"]) == (404, "DELAYED_TRANSFER_NOT_FOUND")
    status, body = api.call("POST", f"/delayed-transfers/{held['id']}/cancel", token=world["tokens"]["kanto"])
    assert (status, body["delayed_transfer"]["status"], body["delayed_transfer"]["decided_by"]) == (200, "cancelled", "kanto")
    _service(LATER).complete_due()
    assert _balance(api, world, receiver) == 0


def test_a_completion_that_no_longer_fits_is_kept_failed_with_the_ledgers_code(api, world):
    sender = admin("open_account", {"org_id": "minato-foods", "type": 120})["number"]
    executed("issue_units", {"account": sender, "unit_type": "JPA", "issued_period": "01", "adopted_period": "01", "amount": 10,
                             "reason": "to fail"})
    receiver = _fresh()
    held = api.call("POST", "/transfers", {"from_account": sender, "to_account": receiver, "lines": [{"unit_type": "JPA", "amount": 8}]},
                    token=world["tokens"]["minato"], headers={"Idempotency-Key": f"fail-{uuid.uuid4()}"})
    assert held[0] == 202, held
    # Meanwhile the holder moves 5 of the 10 to its own account: 8 no longer fit.
    assert api.call("POST", "/transfers", {"from_account": sender, "to_account": world["minato"],
                                           "lines": [{"unit_type": "JPA", "amount": 5}]},
                    token=world["tokens"]["minato"], headers={"Idempotency-Key": f"fail-{uuid.uuid4()}"})[0] == 201
    outcome = _service(LATER).complete_due()
    assert outcome["failed"] >= 1
    view = api.call("GET", f"/delayed-transfers/{held[1]['delayed_transfer']['id']}", token=world["tokens"]["minato"])[1]
    failure = view["delayed_transfer"]["failure"]
    assert view["delayed_transfer"]["status"] == "failed" and failure["code"] == "INSUFFICIENT_UNITS" and failure["message_ja"]
    assert _balance(api, world, receiver) == 0 and _balance(api, world, sender) == 5


def test_a_held_transfer_waits_while_the_window_is_closed(api, world):
    receiver = _fresh()
    _send(api, world, receiver, 1)
    admin("set_market", {"action": "force_close", "reason": "night"})
    try:
        assert _service(LATER).complete_due()["window"] == "closed"
        assert _balance(api, world, receiver) == 0
    finally:
        admin("set_market", {"action": "force_open", "reason": "trusted receivers"})
    assert _service(LATER).complete_due()["completed"] >= 1
    assert _balance(api, world, receiver) == 1


def test_cancel_and_complete_race_and_exactly_one_wins(api, world):
    receivers = [_fresh() for _ in range(6)]
    held = [_send(api, world, receiver, 1)[1]["delayed_transfer"]["id"] for receiver in receivers]
    later = _service(LATER)
    from chalicelib.core.principal import Principal, Role

    holder = Principal("kanto", Role.PARTICIPANT, "kanto-steel")
    outcomes: dict[str, list[str]] = {transfer_id: [] for transfer_id in held}
    lock = threading.Lock()

    def complete(transfer_id: str, start: threading.Barrier) -> None:
        start.wait()
        stored = later.store.delayed_transfer(transfer_id)
        result = later.complete(stored) if stored is not None else "gone"
        with lock:
            outcomes[transfer_id].append(f"complete:{result}")

    def cancel(transfer_id: str, start: threading.Barrier) -> None:
        start.wait()
        try:
            later.cancel(holder, transfer_id)
            result = "cancelled"
        except Exception as error:  # noqa: BLE001 - the refusal's code is the outcome
            result = getattr(error, "code", repr(error))
        with lock:
            outcomes[transfer_id].append(f"cancel:{result}")

    for transfer_id in held:
        start = threading.Barrier(2)
        threads = [threading.Thread(target=complete, args=(transfer_id, start)), threading.Thread(target=cancel, args=(transfer_id, start))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    for transfer_id, receiver in zip(held, receivers, strict=True):
        results = set(outcomes[transfer_id])
        status = later.store.delayed_transfer(transfer_id).status.value
        if status == "completed":
            assert results == {"complete:completed", "cancel:DELAYED_TRANSFER_NOT_PENDING"}, results
            assert _balance(api, world, receiver) == 1
        else:
            assert status == "cancelled" and results == {"complete:gone", "cancel:cancelled"}, results
            assert _balance(api, world, receiver) == 0


def test_the_audit_is_clean_after_every_delayed_transfer(world):
    result = admin("audit_ledger", {})
    assert result["ok"], result["problems"]
