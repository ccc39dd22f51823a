"""A bounded load run against the local stack as `make run` starts it.

8 concurrent clients, each a trading desk with its own account, send 2,000 transfers
(1-5 t each) to one another's accounts, each with its own Idempotency-Key, retrying
with the same key after a 503. It reports
completed transfers, refusals by rule, refusals for conflict that were retried, and
checks that the audit is clean and every account's balance is what the completed
transfers imply.

    python -m devtools.soak [TRANSFERS] [CLIENTS]
"""

from __future__ import annotations

import random
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import requests

from devtools.running import RunningStack

ALLOCATION = 5_000
#: A client gives up on a transfer after this many 503s in a row (reported as a failure).
MAX_RETRIES = 40


def run(transfers: int = 2000, clients: int = 8, seed: int = 7) -> dict[str, Any]:
    import os

    from chalicelib import container

    saved = dict(os.environ)
    with tempfile.TemporaryDirectory() as local:
        stack = RunningStack(Path(local)).start()
        try:
            return _soak(stack, transfers, clients, seed)
        finally:
            stack.stop()
            os.environ.clear()
            os.environ.update(saved)
            container.reset()


def _admin(name: str, event: dict[str, Any]) -> dict[str, Any]:
    """The administrator functions, run in this process against the stack (faster than
    one CLI process per call)."""
    from chalicelib.admin import FUNCTIONS

    result = FUNCTIONS[name](event, None)
    if "error" in result:
        raise RuntimeError(f"{name}: {result['error']}")
    return result


def _executed(name: str, event: dict[str, Any]) -> dict[str, Any]:
    from devtools.approvals import executed

    result = executed(name, event)
    if "error" in result:
        raise RuntimeError(f"{name}: {result['error']}")
    return result


def _soak(stack: RunningStack, transfers: int, clients: int, seed: int) -> dict[str, Any]:
    from devtools.stack import use_environment

    use_environment(stack.info["environment"])
    api = stack.info["api_url"]
    token = stack.login("aozora")
    _admin("set_market", {"action": "force_open", "reason": "soak"})
    desks = [_admin("open_account", {"org_id": "aozora-trading", "type": 121})["number"] for _ in range(clients)]
    for number in desks:
        # Proposed by the console function, approved by the second administrator (four eyes).
        _executed("issue_units", {"account": number, "unit_type": "JPA", "issued_period": "04", "adopted_period": "04",
                                  "amount": ALLOCATION, "reason": "soak", "idempotency_key": f"soak-{number}"})
        _executed("set_commitment_reserve", {"account": number, "commitment_reserve": ALLOCATION - 250})

    def balance(number: str) -> int:
        return requests.get(f"{api}/accounts/{number}/balance", headers={"Authorization": token}, timeout=60).json()["balance"]

    before = {number: balance(number) for number in desks}
    lock = threading.Lock()
    outcome: Counter[str] = Counter()
    moved: Counter[str] = Counter()
    rng = random.Random(seed)
    plans = [[(rng.randrange(clients - 1), rng.randint(1, 5)) for _ in range(transfers // clients + (i < transfers % clients))]
             for i in range(clients)]

    def client(desk: int) -> None:
        session = requests.Session()
        sender = desks[desk]
        for index, (other, amount) in enumerate(plans[desk]):
            receiver = desks[other if other < desk else other + 1]
            key = f"soak-{desk}-{index}-{uuid.uuid4()}"
            body = {"from_account": sender, "to_account": receiver, "lines": [{"unit_type": "JPA", "amount": amount}]}
            retried = False
            for _attempt in range(MAX_RETRIES + 1):
                try:
                    response = session.post(f"{api}/transfers", json=body, timeout=300,
                                            headers={"Authorization": token, "Idempotency-Key": key})
                except requests.exceptions.Timeout:
                    # Lost answer: the transfer may or may not have happened; the same
                    # key makes the retry safe either way.
                    retried = True
                    with lock:
                        outcome["timed out then retried with the same key"] += 1
                    continue
                if response.status_code != 503:
                    break
                retried = True
                with lock:
                    outcome["503 then retried with the same key"] += 1
                time.sleep(float(response.headers.get("Retry-After", "1")) * random.random())
            with lock:
                if response.status_code == 201:
                    outcome["completed" + (" (after a retry)" if retried else "")] += 1
                    moved[sender] -= amount
                    moved[receiver] += amount
                elif response.status_code == 503:
                    outcome[f"server error 503 after {MAX_RETRIES} retries"] += 1
                elif response.status_code < 500:
                    outcome[f"refused by rule: {response.json()['error']['code']}"] += 1
                else:
                    outcome[f"server error {response.status_code}"] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(desk,)) for desk in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    after = {number: balance(number) for number in desks}
    audit = _admin("audit_ledger", {})
    balances_ok = all(after[number] == before[number] + moved[number] for number in desks)
    return {"transfers": transfers, "clients": clients, "seconds": round(elapsed, 1), "outcomes": dict(outcome),
            "balances_match": balances_ok, "audit_ok": audit["ok"], "audit_problems": audit["problems"][:5],
            "transactions": audit["transactions"]}


def main(argv: list[str] | None = None) -> int:
    import os

    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    argv = sys.argv[1:] if argv is None else argv
    transfers = int(argv[0]) if argv else 2000
    clients = int(argv[1]) if len(argv) > 1 else 8
    result = run(transfers, clients)
    print(f"soak: {result['transfers']} transfers from {result['clients']} concurrent clients against the local stack, "
          f"{result['seconds']} s (moto serializes every request; time is not the point)")
    for name, count in sorted(result["outcomes"].items()):
        print(f"  {name:<45} {count:>6}")
    print(f"  balances equal what the completed transfers imply: {result['balances_match']}")
    print(f"  audit_ledger clean: {result['audit_ok']} ({result['transactions']} transactions)")
    ok = result["balances_match"] and result["audit_ok"] and not any(k.startswith("server error") for k in result["outcomes"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
