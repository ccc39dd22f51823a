"""Hot receivers (part of ``make bench``): 16 clients retiring at once into the one
retirement account, through POST /retirements on the local stack as `make run` starts it.

Each client has its own account and retires 1 t at a time, ``RETIREMENTS`` times, each
with its own Idempotency-Key; after a 503 it waits the Retry-After and sends the same
request again (so nothing is retired twice). It prints the retirements completed, the
503s the clients saw (each followed by a retry), those that never completed, the
latency of a request (p50 / p95 / max, in ms) and the audit.

    python -m devtools.bench_hot_receivers [CLIENTS] [RETIREMENTS]
"""

from __future__ import annotations

import os
import random
import statistics
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

MAX_RETRIES = 20


def run(clients: int = 16, retirements: int = 25) -> dict[str, Any]:
    from chalicelib import container

    saved = dict(os.environ)
    with tempfile.TemporaryDirectory() as local:
        stack = RunningStack(Path(local)).start()
        try:
            return _run(stack, clients, retirements)
        finally:
            stack.stop()
            os.environ.clear()
            os.environ.update(saved)
            container.reset()


def _executed(name: str, event: dict[str, Any]) -> dict[str, Any]:
    """Propose with the console function and approve as the second administrator."""
    from devtools.approvals import executed

    result = executed(name, event)
    if "error" in result:
        raise RuntimeError(f"{name}: {result['error']}")
    return result


def _admin(name: str, event: dict[str, Any]) -> dict[str, Any]:
    from chalicelib.admin import FUNCTIONS

    result = FUNCTIONS[name](event, None)
    if "error" in result:
        raise RuntimeError(f"{name}: {result['error']}")
    return result


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))] if ordered else 0.0


def _run(stack: RunningStack, clients: int, retirements: int) -> dict[str, Any]:
    from devtools.stack import use_environment

    use_environment(stack.info["environment"])
    api = stack.info["api_url"]
    token = stack.login("aozora")
    desks = [_admin("open_account", {"org_id": "aozora-trading", "type": 121})["number"] for _ in range(clients)]
    for number in desks:
        _executed("issue_units", {"account": number, "unit_type": "JPA", "issued_period": "04", "adopted_period": "04",
                               "amount": 1_000, "reason": "hot receivers", "idempotency_key": f"hot-{number}"})
    outcome: Counter[str] = Counter()
    latencies: list[float] = []
    lock = threading.Lock()
    go = threading.Barrier(clients)

    def client(desk: int) -> None:
        session = requests.Session()
        go.wait()  # all at once
        for index in range(retirements):
            key = f"hot-{desk}-{index}-{uuid.uuid4()}"
            body = {"account": desks[desk], "compliance_period": "04", "lines": [{"unit_type": "JPA", "amount": 1}]}
            response = None
            for _attempt in range(MAX_RETRIES + 1):
                started = time.perf_counter()
                try:
                    response = session.post(f"{api}/retirements", json=body, timeout=300,
                                            headers={"Authorization": token, "Idempotency-Key": key})
                except requests.exceptions.ConnectionError:
                    # chalice local's server keeps a short listen queue: a connection it
                    # dropped is sent again with the same key (nothing twice).
                    with lock:
                        outcome["connection dropped by chalice local (then retried)"] += 1
                    time.sleep(random.random())
                    continue
                with lock:
                    latencies.append((time.perf_counter() - started) * 1000)
                if response.status_code != 503:
                    break
                with lock:
                    outcome["503 (then retried with the same key)"] += 1
                time.sleep(float(response.headers.get("Retry-After", "1")) * random.random())
            with lock:
                if response is not None and response.status_code == 201:
                    outcome["completed"] += 1
                else:
                    outcome[f"never completed ({response.status_code if response is not None else 'none'})"] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(desk,)) for desk in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    audit = _admin("audit_ledger", {})
    return {"clients": clients, "retirements": clients * retirements, "seconds": round(elapsed, 1),
            "outcomes": dict(outcome), "p50": statistics.median(latencies), "p95": percentile(latencies, 0.95),
            "max": max(latencies), "audit_ok": audit["ok"], "problems": audit["problems"][:5]}


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    argv = sys.argv[1:] if argv is None else argv
    clients = int(argv[0]) if argv else 16
    retirements = int(argv[1]) if len(argv) > 1 else 25
    result = run(clients, retirements)
    print(f"hot receiver: {result['clients']} clients retiring 1 t at once into the retirement account, "
          f"{result['retirements']} retirements, {result['seconds']} s on the local stack")
    for name in ("completed", "503 (then retried with the same key)", "connection dropped by chalice local (then retried)"):
        print(f"  {name:<40} {result['outcomes'].get(name, 0):>6}")
    for name, count in sorted(result["outcomes"].items()):
        if name.startswith("never"):
            print(f"  {name:<40} {count:>6}")
    print(f"  request latency ms: p50 {result['p50']:.0f}  p95 {result['p95']:.0f}  max {result['max']:.0f}")
    print(f"  audit_ledger clean: {result['audit_ok']} {result['problems'] or ''}")
    ok = result["audit_ok"] and result["outcomes"].get("503 (then retried with the same key)", 0) == 0
    print(f"  target: no 503  {'ok' if ok else 'TARGET MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
