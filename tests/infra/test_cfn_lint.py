"""cfn-lint on the generated templates of both stages: no errors, no warnings.

cfn-lint 1.x validates the SAM resources against SAM's schemas and merges
``Globals`` itself (no SAM translator needed). Warnings would be allowed only
with a reason recorded in ``EXPLAINED_WARNINGS``; there are none today.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

#: rule id -> why the warning is acceptable (keep empty unless there is a reason).
EXPLAINED_WARNINGS: dict[str, str] = {}


def _cfn_lint(template: Path, region: str = "ap-northeast-1") -> list[dict]:
    executable = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run(
        [str(executable), "--format", "json", "--regions", region, "--include-checks", "I",
         "--", str(template)],
        capture_output=True, text=True,
    )
    assert result.returncode in (0, 2, 4, 6, 8, 10, 12, 14), result.stderr  # bit flags; 1 = crash
    return json.loads(result.stdout or "[]")


def test_cfn_lint_finds_no_errors_and_no_unexplained_warnings(packaged):
    findings = _cfn_lint(packaged.template_path)
    errors = [f for f in findings if f["Level"] == "Error"]
    warnings = [f for f in findings if f["Level"] == "Warning" and f["Rule"]["Id"] not in EXPLAINED_WARNINGS]

    def show(items: list[dict]) -> str:
        return "\n".join(f"{f['Rule']['Id']} {f['Message']} ({f['Location']['Path']})" for f in items)

    assert not errors, show(errors)
    assert not warnings, show(warnings)


def test_the_edge_template_is_clean_in_us_east_1(packaged):
    """The portal's CLOUDFRONT-scope web ACL: its stack is deployed in us-east-1."""
    findings = _cfn_lint(packaged.edge_template_path, "us-east-1")
    assert not [f for f in findings if f["Level"] in ("Error", "Warning")], findings


def test_cfn_lint_is_really_checking(tmp_path, package_of):
    """A broken copy of the template must be reported (guards against a silent no-op)."""
    broken = tmp_path / "broken.yaml"
    text = package_of("dev").template_path.read_text()
    broken.write_text(text.replace("BillingMode: PAY_PER_REQUEST", "BillingMode: FREE_OF_CHARGE", 1))
    assert "FREE_OF_CHARGE" in broken.read_text()
    assert any(f["Level"] == "Error" for f in _cfn_lint(broken))
