"""Cold start as a user meets it (part of ``make bench``): a fresh process's import of
``app`` plus its first requests (a balance view, then a transfer) against the local
emulation, beside the dependencies' own import and the same requests in a warm process.

Lazy imports move cost from the import into the first request, so both are timed. Each
fresh process runs the app in process through ``chalice.test.Client`` (as Lambda runs
the handler: no HTTP server in between) against the moto server of a local stack, with
a participant's token; it also reports whether a module of the emissions or matching
libraries (openpyxl, fpdf) was loaded on the ledger's path (it must not be).

    python -m devtools.bench_first_request [RUNS]
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
#: Libraries of other systems that must never load on the ledger's path.
FOREIGN = ("openpyxl", "fpdf")
RUNS = 5

#: One fresh process: import, then the first and the second balance view and transfer.
PROBE = r"""
import json, os, sys, time
started = time.perf_counter()
import app
imported = time.perf_counter()
from chalice.test import Client
token, account, receiver = os.environ["PROBE_TOKEN"], os.environ["PROBE_ACCOUNT"], os.environ["PROBE_RECEIVER"]
headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
times = {"import": imported - started}
with Client(app.app, stage_name="local", project_dir=os.getcwd()) as client:
    for turn in ("first", "warm"):
        begin = time.perf_counter()
        response = client.http.get(f"/accounts/{account}/balance", headers=headers)
        assert response.status_code == 200, response.body
        times[f"{turn} balance"] = time.perf_counter() - begin
        body = json.dumps({"from_account": account, "to_account": receiver, "lines": [{"unit_type": "JPA", "amount": 1}]})
        begin = time.perf_counter()
        response = client.http.post("/transfers", headers={**headers, "Idempotency-Key": f"probe-{time.time_ns()}"}, body=body)
        assert response.status_code == 201, response.body
        times[f"{turn} transfer"] = time.perf_counter() - begin
times["foreign"] = sorted(name for name in sys.modules if name.split(".")[0] in os.environ["PROBE_FOREIGN"].split(","))
print(json.dumps(times))
"""


def probe(environment: dict[str, str], token: str, account: str, receiver: str) -> dict[str, Any]:
    """One fresh interpreter's figures (seconds) and the foreign modules it loaded."""
    env = {**environment, "PROBE_TOKEN": token, "PROBE_ACCOUNT": account, "PROBE_RECEIVER": receiver,
           "PROBE_FOREIGN": ",".join(FOREIGN), "POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_METRICS_DISABLED": "true"}
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    run = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    if run.returncode != 0:
        raise RuntimeError(run.stdout + run.stderr)
    return dict(json.loads(run.stdout.strip().splitlines()[-1]))


def measure(runs: int = RUNS) -> dict[str, Any]:
    from chalicelib import container
    from devtools.bench_coldstart import DEPENDENCIES, import_seconds
    from devtools.running import RunningStack

    saved = dict(os.environ)
    with tempfile.TemporaryDirectory() as local:
        stack = RunningStack(Path(local)).start()
        try:
            stack.admin("set_market", {"action": "force_open", "reason": "cold start"})
            account = stack.admin("open_account", {"org_id": "aozora-trading", "type": 121})["number"]
            receiver = stack.admin("open_account", {"org_id": "aozora-trading", "type": 121})["number"]
            stack.approved("issue_units", {"account": account, "unit_type": "JPA", "issued_period": "01", "adopted_period": "01",
                                        "amount": 10_000, "reason": "cold start", "idempotency_key": f"cold-{account}"})
            token = stack.login("aozora")
            environment = {**os.environ, **stack.info["environment"]}
            fresh: list[dict[str, Any]] = []
            dependencies: list[float] = []
            for _ in range(runs):  # interleaved, so that machine noise hits both alike
                dependencies += import_seconds(DEPENDENCIES, 1)
                fresh.append(probe(environment, token, account, receiver))
        finally:
            stack.stop()
            os.environ.clear()
            os.environ.update(saved)
            container.reset()
    names = ("import", "first balance", "first transfer", "warm balance", "warm transfer")
    medians = {name: statistics.median(run[name] for run in fresh) * 1000 for name in names}
    medians["dependencies"] = statistics.median(dependencies) * 1000
    foreign = sorted({module for run in fresh for module in run["foreign"]})
    return {"ms": medians, "foreign": foreign, "runs": runs}


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    argv = sys.argv[1:] if argv is None else argv
    result = measure(int(argv[0]) if argv else RUNS)
    ms = result["ms"]
    print(f"cold start as a user meets it: median of {result['runs']} fresh processes (ms), app in process on the local emulation")
    print(f"  {'dependencies alone (import)':<42} {ms['dependencies']:8.1f}")
    print(f"  {'app (import)':<42} {ms['import']:8.1f}")
    print(f"  {'first balance view':<42} {ms['first balance']:8.1f}   warm: {ms['warm balance']:8.1f}")
    print(f"  {'first transfer':<42} {ms['first transfer']:8.1f}   warm: {ms['warm transfer']:8.1f}")
    cold = ms["import"] + ms["first balance"] + ms["first transfer"]
    warm = ms["warm balance"] + ms["warm transfer"]
    print(f"  {'fresh: import + balance + transfer':<42} {cold:8.1f}   warm process, same two requests: {warm:8.1f}")
    print(f"  {'what the cold start adds (fresh - warm)':<42} {cold - warm:8.1f}   of which the dependencies' import "
          f"{ms['dependencies']:.1f}")
    print(f"  modules of {', '.join(FOREIGN)} loaded on the ledger's path: {', '.join(result['foreign']) or 'none'}")
    return 1 if result["foreign"] else 0


if __name__ == "__main__":
    sys.exit(main())
