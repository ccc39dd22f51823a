"""DynamoDB requests of compliance's administrator use cases at 10 and 100 target
participants (counted with botocore event hooks on moto): defining the phase, allocating
it (one issuance transaction per target, its marker inside), the rerun (reads only), the
true-up (each target's accounts and retirement history) and its rerun, and the phase
report. The emissions system's reviewed figures and the notice board's deals come from
memory here (their own reads are counted in their benches), so the figures are
compliance's and the registry's own.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import datetime
from typing import Any

SIZES = [10, 100]


@dataclass(frozen=True)
class _Figure:
    t_co2: int
    basis: str = "accepted"


class _Reviewed:
    def reviewed_emissions(self, org_id: str, fiscal_year: int) -> _Figure:
        return _Figure(10_000 + fiscal_year % 10 * 10)

    def report_states(self, fiscal_year: int) -> list[Any]:
        return []


@dataclass(frozen=True)
class _Trades:
    deals: int = 3
    volume_t: int = 300
    amount_yen: int = 360_000


class _Board:
    def settled_between(self, start: Any, end: Any) -> _Trades:
        return _Trades()


def measure() -> list[dict[str, Any]]:
    from chalicelib import container
    from chalicelib.compliance.adapters import ComplianceStore, LedgerBridge
    from chalicelib.compliance.domain.phases import Participant, ParticipantKind, Phase
    from chalicelib.compliance.service import ComplianceService
    from chalicelib.core.clock import JST
    from chalicelib.core.organisations import Organisation, OrganisationKind
    from chalicelib.registry import service as registry
    from chalicelib.registry.domain.accounts import AccountType
    from devtools.bench_ledger import DynamoCounter
    from devtools.dynamo_hooks import registry_clients
    from devtools.motoserver import MotoServer
    from devtools.provision import provision
    from devtools.stack import app_environment, use_environment

    rows: list[dict[str, Any]] = []
    with MotoServer() as moto:
        for size in SIZES:
            moto.reset()
            use_environment(app_environment(moto.endpoint, provision(moto.endpoint, stage="local")))
            container.reset()
            organisations = container.organisations()
            registry.open_account(registry.OpenAccountCommand("bench-moe", AccountType.PARTY_HOLDING), accounts=container.registry_store(),
                                  organisations=_created(organisations, Organisation("bench-moe", "MOE", "環境省", OrganisationKind.ADMINISTRATOR)),
                                  now="2026-04-01T00:00:00+09:00")
            participants = []
            for number in range(1, size + 1):
                org = Organisation(f"bench-t{number:03d}", f"Bench target {number}", f"ベンチ参加者{number}", OrganisationKind.TARGET)
                registry.open_account(registry.OpenAccountCommand(org.org_id, AccountType.OPERATOR_HOLDING),
                                      accounts=container.registry_store(), organisations=_created(organisations, org),
                                      now="2026-04-01T00:00:00+09:00")
                participants.append(Participant(org.org_id, ParticipantKind.TARGET, 500))
            phase = Phase("bench", "Bench", "ベンチ", (2022, 2023, 2024), 2026, datetime(2027, 8, 31).date(), datetime(2026, 4, 1).date(),
                          datetime(2027, 8, 31).date(), "01", (), tuple(participants))
            service = ComplianceService(container.store(ComplianceStore), registry=LedgerBridge(container.ledger(), container.registry_store()),
                                        emissions=_Reviewed(), trades=_Board(), organisations=organisations,
                                        clock=lambda: datetime(2027, 9, 1, 9, tzinfo=JST))
            counter = DynamoCounter()
            for client in registry_clients():
                counter.attach(client)
            row: dict[str, Any] = {"targets": size}
            steps: list[tuple[str, str, tuple[Any, ...]]] = [
                ("define", "define_phase", (phase, "bench")), ("allocate", "allocate", ("bench", "bench")),
                ("allocate again", "allocate", ("bench", "bench")), ("true-up", "true_up", ("bench",)),
                ("true-up again", "true_up", ("bench",)), ("report", "phase_report", ("bench",)),
            ]
            for name, method, arguments in steps:
                counter.reset()
                result = getattr(service, method)(*arguments)
                row[name] = (counter.total, counter.written)
                if name == "allocate" and len(result["issued"]) != size:
                    raise RuntimeError("not every target was allocated")
                if name == "allocate again" and result["issued"]:
                    raise RuntimeError("a rerun issued")
            rows.append(row)
    return rows


def _created(directory: Any, organisation: Any) -> Any:
    directory.create(organisation)
    return directory


COLUMNS = ("define", "allocate", "allocate again", "true-up", "true-up again", "report")


def main() -> int:
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    rows = measure()
    print("DynamoDB requests (items written) of compliance's administrator functions, by number of targets")
    print(f"{'targets':>8}" + "".join(f"{name:>18}" for name in COLUMNS))
    for row in rows:
        print(f"{row['targets']:>8}" + "".join(f"{f'{row[name][0]} ({row[name][1]})':>18}" for name in COLUMNS))
    per_target = [(row["allocate"][0] / row["targets"]) for row in rows]
    print(f"\nallocation: {per_target[0]:.1f} and {per_target[-1]:.1f} requests per target (constant per target: one read of the "
          "account links, one of the account, the serial counter, one transaction)")
    reruns_write = any(row["allocate again"][1] or row["true-up again"][1] for row in rows)
    print(f"reruns write nothing: {not reruns_write}")
    return 1 if reruns_write else 0


if __name__ == "__main__":
    sys.exit(main())
