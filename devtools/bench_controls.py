"""DynamoDB requests and items of the registry's controls, counted with botocore hooks:
a transfer to a trusted receiver (against the ledger's own transfer), a transfer held
for an untrusted receiver, the schedule completing it, proposing an issuance and
approving it (which executes it). Counts, so they do not depend on the machine.
"""

from __future__ import annotations

import os
import sys
import uuid
from datetime import timedelta
from typing import Any


def measure() -> list[dict[str, Any]]:
    from chalicelib import container
    from chalicelib.core.clock import now_jst
    from chalicelib.registry.proposals import DecideCommand, ProposeCommand
    from chalicelib.registry.service import Initiator, TransferCommand
    from chalicelib.registry.trusted import TrustedTransfers
    from devtools import demo
    from devtools.bench_ledger import DynamoCounter
    from devtools.dynamo_hooks import registry_clients
    from devtools.motoserver import MotoServer
    from devtools.provision import provision
    from devtools.stack import app_environment, use_environment

    rows: list[dict[str, Any]] = []
    with MotoServer() as moto:
        use_environment(app_environment(moto.endpoint, provision(moto.endpoint, stage="local")))
        users = {user["username"]: user for user in demo.load(ledger=False)}
        demo._call("set_market", {"action": "force_open", "reason": "bench"})
        kanto, aozora = users["kanto"]["accounts"][0], users["aozora"]["accounts"][0]
        untrusted = demo._call("open_account", {"org_id": "minato-foods", "type": 120})["number"]
        proposals, transfers, ledger = container.proposals(), container.transfers(), container.ledger()
        issued = proposals.propose(ProposeCommand("issuance", {"account": kanto, "unit_type": "JPA", "issued_period": "01",
                                                               "adopted_period": "01", "amount": 1000}, "bench", "admin", "api", "bench-0"))
        proposals.approve(DecideCommand(issued.proposal["id"], "admin2", mfa=True))
        counter = DynamoCounter()
        for client in registry_clients():
            counter.attach(client)

        def transfer(receiver: str) -> TransferCommand:
            return TransferCommand.from_request({"from_account": kanto, "to_account": receiver, "lines": [{"unit_type": "JPA", "amount": 3}]},
                                                f"bench-{uuid.uuid4()}", Initiator("kanto", "kanto-steel"))

        later = now_jst() + timedelta(hours=27)
        completing = TrustedTransfers(ledger, transfers.store, container.control_settings(), clock=lambda: later)
        state: dict[str, Any] = {}
        operations = {
            "ledger transfer (no trust check)": lambda: ledger.transfer(transfer(aozora)),
            "transfer, trusted receiver": lambda: transfers.submit(transfer(aozora)),
            "transfer, held (untrusted)": lambda: transfers.submit(transfer(untrusted)),
            "schedule completes 1 held": lambda: completing.complete_due(),
            "propose issuance": lambda: state.update(p=proposals.propose(ProposeCommand(
                "issuance", {"account": kanto, "unit_type": "JPA", "issued_period": "01", "adopted_period": "01", "amount": 5},
                "bench", "admin", "api", f"bench-{uuid.uuid4()}"))),
            "approve issuance": lambda: proposals.approve(DecideCommand(state["p"].proposal["id"], "admin2", mfa=True)),
        }
        for name, run in operations.items():
            counter.reset()
            run()
            rows.append({"operation": name, "requests": counter.total, "calls": dict(counter.requests),
                         "read": counter.read, "written": counter.written})
    return rows


def main() -> int:
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    print("DynamoDB cost of the registry's controls (botocore hooks; items are DynamoDB items)")
    print(f"{'operation':<34}{'requests':>9}{'read':>6}{'written':>9}  calls")
    for row in measure():
        calls = ", ".join(f"{k} {v}" for k, v in sorted(row["calls"].items()))
        print(f"{row['operation']:<34}{row['requests']:>9}{row['read']:>6}{row['written']:>9}  {calls}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
