"""DynamoDB requests and items to compute a fiscal year's calculation, at 10 and 200
emission sources with a full year of monitoring data each (counted with botocore event
hooks). The requests must not grow one per source or per month: the calculation reads
the organisation's partition, the fiscal year's partition and the factor list, each in
pages of up to 1 MB.

Then the import of a performance sheet's values (``Emissions.import_monitoring``, what
the sheet's subscriber calls) at 10 and 200 sources x 12 months: the values are staged
with BatchWriteItem (25 items a request), the sources marked as used in transactions of
at most 90 actions, then one conditional transaction makes the import current. The
requests grow with the data in batches, never one per cell.

Then every transition of a calculation report (create, supersede, submit, begin, opinion,
accept, cancellation request and grant): each is one TransactWriteItems.

Then a report's working papers: recording an accepted one (what the ``DocumentAccepted``
subscriber does: the report's head, the document, one conditional PutItem), its redelivery
(the same reads and a PutItem its condition refuses: "written" counts it as sent) and the list at 1 and 50 papers (one
Query of the report's ``WP#`` items, not one request per paper).
"""

from __future__ import annotations

import os
import sys
from typing import Any

SIZES = [10, 200]
ORG = "bench-steel"
FISCAL_YEAR = 2025


def _seed(sources: int, with_data: bool = True) -> None:
    from chalicelib.core.table import TableItem
    from chalicelib.emissions.adapters import EmissionsHeadItem, MonitoringItem, SiteItem, SourceItem, SourceNumberItem, YearHeadItem
    from chalicelib.emissions.domain.quantities import months_of

    with TableItem.batch_write() as batch:
        batch.save(EmissionsHeadItem(*EmissionsHeadItem.key(ORG), version=sources))
        batch.save(SiteItem(*SiteItem.key(ORG, "site-1"), site_id="site-1", org_id=ORG, name_ja="本社工場", updated_by="bench",
                            updated_at="2026-01-01T00:00:00+09:00"))
        batch.save(YearHeadItem(*YearHeadItem.key(ORG, FISCAL_YEAR), revision=sources * 12))
        for number in range(1, sources + 1):
            source_id = f"src-{number:012d}"
            batch.save(SourceItem(*SourceItem.key(ORG, source_id), source_id=source_id, org_id=ORG, number=number, status="registered",
                                  site_id="site-1", name_ja=f"排出源{number}", categories=["purchased_electricity"],
                                  factor_key="electricity_default", unit="kWh", basis="delivery_slips",
                                  monitoring_count=12 if with_data else 0, last_month="2026-03" if with_data else None, version=1,
                                  created_at="2026-01-01", updated_by="bench", updated_at="2026-01-01"))
            batch.save(SourceNumberItem(*SourceNumberItem.key(ORG, number), source_id=source_id))
            if not with_data:
                continue
            for index, month in enumerate(months_of(FISCAL_YEAR)):
                batch.save(MonitoringItem(*MonitoringItem.entry_key(ORG, FISCAL_YEAR, source_id, month), source_id=source_id, month=month,
                                          quantity=f"{1000 + index}.5", unit="kWh", factor_version="electricity_default@2006-04-01",
                                          revision=(number - 1) * 12 + index + 1, origin="entry", updated_by="bench",
                                          updated_at="2026-04-01T00:00:00+09:00"))


def measure() -> list[dict[str, Any]]:
    from chalicelib import container
    from chalicelib.emissions.adapters import EmissionsStore
    from chalicelib.emissions.service import Emissions
    from devtools.bench_ledger import DynamoCounter
    from devtools.dynamo_hooks import registry_clients
    from devtools.motoserver import MotoServer
    from devtools.provision import provision
    from devtools.stack import app_environment, use_environment

    rows: list[dict[str, Any]] = []
    with MotoServer() as moto:
        for sources in SIZES:
            moto.reset()
            use_environment(app_environment(moto.endpoint, provision(moto.endpoint, stage="local")))
            service = Emissions(container.store(EmissionsStore))
            _seed(sources)
            counter = DynamoCounter()
            for client in registry_clients():
                counter.attach(client)
            counter.reset()
            result = service.calculation(ORG, FISCAL_YEAR)
            if len(result["sources"]) != sources or result["missing"]:
                raise RuntimeError("the seeded year is not what the calculation read")
            rows.append({"sources": sources, "cells": sources * 12, "requests": counter.total, "calls": dict(counter.requests),
                         "read": counter.read, "total_t": result["total_t"]})
    return rows


def measure_import() -> list[dict[str, Any]]:
    from chalicelib import container
    from chalicelib.emissions.adapters import EmissionsStore
    from chalicelib.emissions.domain.quantities import months_of
    from chalicelib.emissions.service import Emissions, ImportRow
    from devtools.bench_ledger import DynamoCounter
    from devtools.dynamo_hooks import registry_clients
    from devtools.motoserver import MotoServer
    from devtools.provision import provision
    from devtools.stack import app_environment, use_environment

    rows: list[dict[str, Any]] = []
    with MotoServer() as moto:
        for sources in SIZES:
            moto.reset()
            use_environment(app_environment(moto.endpoint, provision(moto.endpoint, stage="local")))
            service = Emissions(container.store(EmissionsStore))
            _seed(sources, with_data=False)
            cells = [ImportRow(number, month, f"{1000 + index}.5", "kWh")
                     for number in range(1, sources + 1) for index, month in enumerate(months_of(FISCAL_YEAR))]
            counter = DynamoCounter()
            for client in registry_clients():
                counter.attach(client)
            counter.reset()
            result = service.import_monitoring(ORG, FISCAL_YEAR, cells, f"bench-import-{sources:04d}", "bench")
            measured = {"requests": counter.total, "calls": dict(counter.requests), "read": counter.read, "written": counter.written}
            counter.reset()
            service.import_monitoring(ORG, FISCAL_YEAR, cells, f"bench-import-{sources:04d}", "bench")
            replay = counter.total
            calculation = service.calculation(ORG, FISCAL_YEAR)
            if result.rows != len(cells) or calculation["missing"]:
                raise RuntimeError("the import did not become the year's values")
            rows.append({"sources": sources, "cells": len(cells), **measured, "replay": replay})
    return rows


#: The report's lifecycle as the bench drives it: (step, who).
REPORT_STEPS = [("create", "participant"), ("create (supersedes the draft)", "participant"), ("submit", "participant"),
                ("begin_verification", "verifier"), ("record_opinion", "verifier"), ("accept", "admin"),
                ("request_cancellation", "participant"), ("grant_cancellation", "admin")]


def measure_reports(sources: int = 10) -> list[dict[str, Any]]:
    """DynamoDB requests of each report transition (the report of a year with ``sources``
    sources in full; files left out: S3 is not counted here). Each transition is ONE
    TransactWriteItems; the rest are the reads that decide it and the answer's reads."""
    from chalicelib import container
    from chalicelib.core.principal import Role
    from chalicelib.emissions.adapters import EmissionsStore, ReportStore
    from chalicelib.emissions.reporting import Caller, OpinionCommand, Reports
    from chalicelib.emissions.service import Emissions
    from devtools.bench_ledger import DynamoCounter
    from devtools.dynamo_hooks import registry_clients
    from devtools.motoserver import MotoServer
    from devtools.provision import provision
    from devtools.stack import app_environment, use_environment

    rows: list[dict[str, Any]] = []
    with MotoServer() as moto:
        moto.reset()
        use_environment(app_environment(moto.endpoint, provision(moto.endpoint, stage="local")))
        store = container.store(ReportStore)  # binds the table's models to this server first
        _seed(sources)
        reports = Reports(store, Emissions(container.store(EmissionsStore)), build_files=False)
        store.assign(ORG, FISCAL_YEAR, "bench-verif", None, "bench", "2026-04-01T00:00:00+09:00", None)
        participant = Caller("bench", Role.PARTICIPANT, ORG)
        verifier = Caller("bench-verifier", Role.VERIFIER, "bench-verif")
        admin = Caller.admin("bench")
        report_id = f"FY{FISCAL_YEAR}-{ORG}"
        calls = {
            "create": lambda: reports.create(participant, FISCAL_YEAR),
            "create (supersedes the draft)": lambda: reports.create(participant, FISCAL_YEAR),
            "submit": lambda: reports.submit(participant, report_id),
            "begin_verification": lambda: reports.begin_verification(verifier, report_id),
            "record_opinion": lambda: reports.record_opinion(verifier, report_id, OpinionCommand("verified", 1000)),
            "accept": lambda: reports.accept(admin, report_id),
            "request_cancellation": lambda: reports.request_cancellation(participant, report_id, "bench"),
            "grant_cancellation": lambda: reports.grant_cancellation(admin, report_id, "bench"),
        }
        counter = DynamoCounter()
        for client in registry_clients():
            counter.attach(client)
        for step, who in REPORT_STEPS:
            counter.reset()
            calls[step]()
            rows.append({"step": step, "who": who, "requests": counter.total, "calls": dict(counter.requests), "read": counter.read,
                         "written": counter.written})
        if store.head(ORG, FISCAL_YEAR).status != "draft" or store.head(ORG, FISCAL_YEAR).version != 3:
            raise RuntimeError("the report did not go through its lifecycle")
    return rows


PAPER_COUNTS = [1, 50]


def measure_working_papers() -> list[dict[str, Any]]:
    """DynamoDB requests to record a working paper, to record it again (a redelivered event)
    and to list a report's papers, at each of ``PAPER_COUNTS`` papers."""
    from chalicelib import container
    from chalicelib.core.principal import Role
    from chalicelib.documents.domain.documents import Document, DocumentKind, DocumentStatus
    from chalicelib.emissions.adapters import ReportStore
    from chalicelib.emissions.domain.reports import working_paper_purpose
    from chalicelib.emissions.ports import ReportHead
    from chalicelib.emissions.reporting import AcceptedWorkingPaper, Caller, Reports
    from devtools.bench_ledger import DynamoCounter
    from devtools.dynamo_hooks import registry_clients
    from devtools.motoserver import MotoServer
    from devtools.provision import provision
    from devtools.stack import app_environment, use_environment

    body, report_id, at = "bench-verif", f"FY{FISCAL_YEAR}-{ORG}", "2026-05-01T10:00:00+09:00"
    rows: list[dict[str, Any]] = []
    with MotoServer() as moto:
        moto.reset()
        use_environment(app_environment(moto.endpoint, provision(moto.endpoint, stage="local")))
        store, documents = container.store(ReportStore), container.document_store()
        from chalicelib.emissions.adapters import head_item

        head_item(ReportHead(report_id, ORG, FISCAL_YEAR, 1, "under_verification", 3, at, at, ever_submitted=True)).save()
        store.assign(ORG, FISCAL_YEAR, body, None, "bench", at, store.head(ORG, FISCAL_YEAR))
        reports = Reports(store, None, documents=documents)
        verifier, admin = Caller("bench-verifier", Role.VERIFIER, body), Caller.admin("bench")
        counter = DynamoCounter()
        for client in registry_clients():
            counter.attach(client)

        def paper(number: int) -> AcceptedWorkingPaper:
            document = Document(f"{number:032x}", body, DocumentKind.WORKING_PAPER, f"paper-{number}.pdf", "application/pdf", 1000,
                                DocumentStatus.AWAITING_UPLOAD, at, "bench-verifier", purpose=working_paper_purpose(report_id))
            documents.create(document)
            documents.settle(document, DocumentStatus.ACCEPTED, received_at=at, version_id="v1", reasons=[])
            return AcceptedWorkingPaper(document.document_id, body, document.purpose)

        def count(step: str, papers: int, call: Any, expected: Any) -> None:
            counter.reset()
            answer = call()
            if expected is not None and answer != expected:
                raise RuntimeError(f"{step}: {answer!r}")
            rows.append({"step": step, "papers": papers, "requests": counter.total, "calls": dict(counter.requests),
                         "read": counter.read, "written": counter.written})

        recorded = 0
        for target in PAPER_COUNTS:
            while recorded < target - 1:
                recorded += 1
                reports.record_working_paper(paper(recorded))
            recorded += 1
            last = paper(recorded)
            count("record", recorded, lambda last=last: reports.record_working_paper(last), "recorded")
            count("record (redelivered)", recorded, lambda last=last: reports.record_working_paper(last), "already_recorded")
            count("list (verifier)", recorded, lambda: len(reports.working_papers(verifier, report_id)["working_papers"]), recorded)
            count("list (administrator)", recorded, lambda: len(reports.working_papers(admin, report_id)["working_papers"]), recorded)
    return rows


def main() -> int:
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    rows = measure()
    print("DynamoDB cost of one fiscal year's calculation (botocore hooks; items are DynamoDB items)")
    print(f"{'sources':>8}{'cells':>7}{'requests':>10}{'read':>7}{'total_t':>10}  calls")
    for row in rows:
        calls = ", ".join(f"{k} {v}" for k, v in sorted(row["calls"].items()))
        print(f"{row['sources']:>8}{row['cells']:>7}{row['requests']:>10}{row['read']:>7}{row['total_t']:>10}  {calls}")
    small, large = rows[0]["requests"], rows[-1]["requests"]
    print(f"\nrequests at {SIZES[0]} and {SIZES[-1]} sources: {small} and {large} (never one per source or month: "
          f"{large < SIZES[-1]})")
    imports = measure_import()
    print("\nDynamoDB cost of importing a performance sheet's values (sources x 12 months; one import, then its replay)")
    print(f"{'sources':>8}{'cells':>7}{'requests':>10}{'read':>7}{'written':>9}{'replay':>8}  calls")
    for row in imports:
        calls = ", ".join(f"{k} {v}" for k, v in sorted(row["calls"].items()))
        print(f"{row['sources']:>8}{row['cells']:>7}{row['requests']:>10}{row['read']:>7}{row['written']:>9}{row['replay']:>8}  {calls}")
    biggest = imports[-1]
    batched = biggest["requests"] * 10 < biggest["cells"]
    print(f"\nimport of {biggest['cells']} cells: {biggest['requests']} requests (in batches, not one per cell: {batched})")
    transitions = measure_reports()
    print("\nDynamoDB requests per report transition (10 sources; each transition is ONE TransactWriteItems)")
    print(f"{'step':<32}{'who':<13}{'requests':>9}{'read':>6}{'written':>9}  calls")
    for row in transitions:
        calls = ", ".join(f"{k} {v}" for k, v in sorted(row["calls"].items()))
        print(f"{row['step']:<32}{row['who']:<13}{row['requests']:>9}{row['read']:>6}{row['written']:>9}  {calls}")
    one_transaction = all(row["calls"].get("TransactWriteItems") == 1 for row in transitions)
    print(f"\none TransactWriteItems per transition: {one_transaction}")
    papers = measure_working_papers()
    print("\nDynamoDB requests of a report's working papers (record an accepted one, its redelivery, the list)")
    print(f"{'step':<24}{'papers':>7}{'requests':>9}{'read':>6}{'written':>9}  calls")
    for row in papers:
        calls = ", ".join(f"{k} {v}" for k, v in sorted(row["calls"].items()))
        print(f"{row['step']:<24}{row['papers']:>7}{row['requests']:>9}{row['read']:>6}{row['written']:>9}  {calls}")
    flat = all(len({row["requests"] for row in papers if row["step"] == step}) == 1 for step in ("list (verifier)", "list (administrator)"))
    print(f"\nthe list costs the same at {PAPER_COUNTS[0]} and {PAPER_COUNTS[-1]} papers: {flat} (a redelivery's PutItem is refused: "
          "the lists count each paper once)")
    return 0 if large < SIZES[-1] and batched and one_transaction and flat else 1


if __name__ == "__main__":
    sys.exit(main())
