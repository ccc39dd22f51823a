"""checkov (an IaC security scanner) on both stages' packaged templates: the main SAM
template and the portal's edge template (us-east-1). The test fails on any failed check;
a check may only be skipped in the resource's ``Metadata`` (``checkov: skip: - id,
comment``) with a written reason, and the skips are exactly the reviewed ones below.

checkov runs from its own venv, ``.venv-checkov`` (``make checkov-venv``, created here on
first use): checkov 3.3.30 pins boto3/botocore 1.35, urllib3 1.26 and packaging 23.2, which
conflict with the project's pins (requirements-checkov.txt). It is never packaged: Chalice
packages requirements.txt only (tests/infra/test_package.py checks the zip).
"""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from devtools.package import FUNCTION_SKIPS, ROOT, lambda_functions

CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"
#: Checks skipped outside the per-function ones, by resource, each with its reason in the
#: template (infra/cloud.yaml). A new skip must be added here on purpose.
REVIEWED_SKIPS = {
    ("CKV_AWS_120", "AWS::Serverless::Api.RestAPI"),
    ("CKV_AWS_174", "AWS::CloudFront::Distribution.PortalDistribution"),
    ("CKV_AWS_18", "AWS::S3::Bucket.AccessLogsBucket"),
}
#: A reason is a sentence or more, not a token.
MIN_REASON = 80
#: The first run creates .venv-checkov (pip) and packages both stages.
pytestmark = pytest.mark.timeout(1200)


@pytest.fixture(scope="session")
def checkov() -> Path:
    result = subprocess.run(["make", "-s", "checkov-venv"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert CHECKOV.exists()
    return CHECKOV


def scan(checkov: Path, template: Path) -> dict[str, Any]:
    # BC_SKIP_MAPPING / --skip-download: offline, no call to the vendor's platform.
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "LOG_LEVEL": "ERROR"}
    result = subprocess.run(
        [str(checkov), "-f", str(template), "--framework", "cloudformation", "--skip-download",
         "--compact", "-o", "json"],
        capture_output=True, text=True, env=env,
    )
    assert result.returncode in (0, 1), result.stderr[-2000:]  # 1 = failed checks
    report = json.loads(result.stdout)
    assert report["check_type"] == "cloudformation"
    return report


def _ids(report: dict[str, Any], kind: str) -> list[tuple[str, str]]:
    return [(c["check_id"], c["resource"]) for c in report["results"].get(kind, [])]


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_the_main_template_passes_every_check_or_skips_it_with_a_reason(checkov, package_of, stage):
    report = scan(checkov, package_of(stage).template_path)
    failed = report["results"].get("failed_checks", [])
    assert not failed, "\n".join(f"{c['check_id']} {c['resource']}: {c['check_name']}" for c in failed)
    assert report["summary"]["passed"] >= 300  # really checking (218 passed on the main)

    skipped = report["results"].get("skipped_checks", [])
    for check in skipped:
        assert len((check.get("check_result") or {}).get("suppress_comment") or "") >= MIN_REASON, check["check_id"]
    functions = lambda_functions(stage)
    by_check = Counter(c["check_id"] for c in skipped)
    # Every function skips VPC and environment encryption; the synchronous ones the DLQ.
    for check in FUNCTION_SKIPS:
        assert by_check[check] == len(functions), check
    per_function = {f"AWS::Serverless::Function.{f.logical_id}" for f in functions}
    others = {(check, resource) for check, resource in _ids(report, "skipped_checks") if resource not in per_function}
    assert others == REVIEWED_SKIPS
    dlq_skips = {resource for check, resource in _ids(report, "skipped_checks") if check == "CKV_AWS_116"}
    asynchronous = {"OpenTradingWindow", "CloseTradingWindow", "DocumentArrived", "ExpireListings", "SendNotifications", "RegistryControls"}
    assert dlq_skips == per_function - {f"AWS::Serverless::Function.{name}" for name in asynchronous}


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_the_edge_template_passes_every_check(checkov, package_of, stage):
    report = scan(checkov, package_of(stage).edge_template_path)
    assert not report["results"].get("failed_checks")
    assert not report["results"].get("skipped_checks")
    assert report["summary"]["passed"] >= 1  # the web ACL's Log4j (known bad inputs) rule


def test_checkov_reports_what_the_template_breaks(checkov, package_of, tmp_path):
    """A copy without X-Ray tracing on the API and without the functions' reserved
    concurrency fails those checks: the scan is no silent no-op."""
    text = package_of("dev").template_path.read_text()
    broken = tmp_path / "broken.yaml"
    broken.write_text(text.replace("TracingEnabled: true", "TracingEnabled: false", 1)
                      .replace("ReservedConcurrentExecutions:", "ReservedConcurrency:"))
    assert "ReservedConcurrentExecutions" in text and "ReservedConcurrentExecutions" not in broken.read_text()
    failed = Counter(c for c, _ in _ids(scan(checkov, broken), "failed_checks"))
    assert failed["CKV_AWS_73"] == 1
    assert failed["CKV_AWS_115"] == len(lambda_functions("dev"))
