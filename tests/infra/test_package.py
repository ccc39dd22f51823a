"""`make package STAGE=dev|prod`: the SAM template and the deployment zip, offline."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import devtools.package as packaging
from devtools.package import INVOKED_BY, RESOURCE_SETTINGS, RUNTIME_PROVIDED, lambda_functions, offline_environment

from .conftest import resources_of_type

FORBIDDEN = ("moto", "pytest", "_pytest", "cfnlint", "cfn_lint", "playwright", "hypothesis", "axe_playwright_python",
             "checkov")
ZIP_LIMIT = 20 * 1000 * 1000


def _zip_top_levels(zip_path: Path) -> set[str]:
    with zipfile.ZipFile(zip_path) as archive:
        return {name.split("/", 1)[0] for name in archive.namelist()}


def test_package_writes_a_sam_template_and_the_zip(packaged):
    assert packaged.template_path.name == "sam.yaml" and packaged.template_path.exists()
    assert packaged.zip_path.name == "deployment.zip" and packaged.zip_path.exists()
    template = packaged.template()
    assert template["Transform"] == "AWS::Serverless-2016-10-31"
    functions = resources_of_type(template, "AWS::Serverless::Function")
    assert functions and all(f["Properties"]["CodeUri"] == "./deployment.zip" for f in functions.values())


def test_the_template_can_only_be_deployed_as_its_own_stage(packaged):
    stage = packaged.template()["Parameters"]["Stage"]
    assert stage["Default"] == packaged.stage
    assert stage["AllowedValues"] == [packaged.stage]


def test_the_child_gets_a_region_and_dummy_credentials_never_the_callers(monkeypatch):
    monkeypatch.setenv("AWS_PROFILE", "someone-real")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "real-token")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREAL")
    env = offline_environment()
    assert env["AWS_DEFAULT_REGION"] == "ap-northeast-1"
    assert env["AWS_ACCESS_KEY_ID"] == env["AWS_SECRET_ACCESS_KEY"] == "offline-packaging"
    assert "AWS_PROFILE" not in env and "AWS_SESSION_TOKEN" not in env
    assert env["AWS_CONFIG_FILE"] == env["AWS_SHARED_CREDENTIALS_FILE"] == os.devnull


def test_the_merge_template_is_kept_next_to_the_output(packaged):
    merge = packaging.load_yaml(packaged.merge_template_path)
    assert {"RegistryTable", "PortalDistribution", "AlarmTopic"} <= set(merge["Resources"])
    assert "Globals" in merge


def test_every_function_of_the_app_is_in_the_template_with_its_name(packaged):
    resources = packaged.template()["Resources"]
    functions = lambda_functions(packaged.stage)
    names = {f.name for f in functions}
    assert {"api_handler", "jwt_authorizer", "create_organisation", "create_user"} <= names
    for function in functions:
        properties = resources[function.logical_id]["Properties"]
        assert properties["FunctionName"] == {"Fn::Sub": f"jvets-${{Stage}}-{function.name}"}
        assert properties["Handler"] == function.handler
        assert properties["Role"] == {"Fn::GetAtt": [function.role_logical_id, "Arn"]}
        assert resources[f"{function.logical_id}LogGroup"]["Type"] == "AWS::Logs::LogGroup"


def test_every_function_receives_the_settings_from_the_template(packaged):
    template = packaged.template()
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables == {
        "STAGE": {"Ref": "Stage"},
        "REGISTRY_TABLE": {"Ref": "RegistryTable"},
    }
    # Function-level variables (from .chalice/config.json) win over Globals in SAM:
    # none of them may shadow the template's values with something else.
    functions = resources_of_type(template, "AWS::Serverless::Function")
    for name, function in functions.items():
        own = function["Properties"].get("Environment", {}).get("Variables", {})
        assert not (set(own) & (set(variables) - {"STAGE"}))
        assert own.get("STAGE", packaged.stage) == packaged.stage
        # The resources' names, per function: none for a function a resource invokes (cycles).
        invoked = name in {"TokenClaims", "DocumentArrived"}
        expected = {} if invoked else {key: value for key, (_, value) in RESOURCE_SETTINGS.items()}
        assert {key: own[key] for key in RESOURCE_SETTINGS if key in own} == expected, name
    assert set(INVOKED_BY) == {"token_claims", "document_arrived"}


def test_the_user_pool_and_the_documents_bucket_invoke_their_functions_without_a_dependency_cycle(packaged):
    template = packaged.template()
    resources = template["Resources"]
    assert resources["UserPool"]["Properties"]["LambdaConfig"] == {"PreTokenGeneration": {"Fn::GetAtt": ["TokenClaims", "Arn"]}}
    permission = resources["TokenClaimsInvokedByUserPool"]["Properties"]
    assert permission["Principal"] == "cognito-idp.amazonaws.com"
    assert permission["SourceArn"] == {"Fn::GetAtt": ["UserPool", "Arn"]}
    # The trigger's read of the pool is a policy of its own, attached to its role.
    attached = resources["TokenClaimsRoleUserPoolPolicy"]
    assert attached["Type"] == "AWS::IAM::Policy"
    assert attached["Properties"]["Roles"] == [{"Ref": "TokenClaimsRole"}]
    (statement,) = attached["Properties"]["PolicyDocument"]["Statement"]
    assert statement["Action"] == ["cognito-idp:AdminGetUser"]
    assert statement["Resource"] == [{"Fn::GetAtt": ["UserPool", "Arn"]}]

    def references(node):
        if isinstance(node, list):
            return set().union(*map(references, node)) if node else set()
        if isinstance(node, dict):
            found = set()
            if isinstance(node.get("Ref"), str):
                found.add(node["Ref"])
            if "Fn::GetAtt" in node:
                target = node["Fn::GetAtt"]
                found.add(target[0] if isinstance(target, list) else target.split(".")[0])
            if "Fn::Sub" in node:
                text = node["Fn::Sub"] if isinstance(node["Fn::Sub"], str) else node["Fn::Sub"][0]
                found |= {name.split(".")[0] for name in re.findall(r"\$\{([^}]+)\}", text)}
            return found.union(*(references(v) for v in node.values()))
        return set()

    graph = {name: (references(resource) | set(resource.get("DependsOn") or [])) & set(resources)
             for name, resource in resources.items()}

    def reaches(start, goal, seen=()):
        return any(n == goal or (n not in seen and reaches(n, goal, (*seen, n))) for n in graph[start])

    assert not [name for name in graph if reaches(name, name)]

    # Every object created under uploads/ reaches the arrival check, which S3 may invoke.
    bucket = resources["DocumentsBucket"]
    (notification,) = bucket["Properties"]["NotificationConfiguration"]["LambdaConfigurations"]
    assert notification == {"Event": "s3:ObjectCreated:*", "Function": {"Fn::GetAtt": ["DocumentArrived", "Arn"]},
                            "Filter": {"S3Key": {"Rules": [{"Name": "prefix", "Value": "uploads/"}]}}}
    assert bucket["DependsOn"] == "DocumentArrivedInvokedByBucket"
    permission = resources["DocumentArrivedInvokedByBucket"]["Properties"]
    assert permission["Principal"] == "s3.amazonaws.com"
    # The bucket's own name (it cannot be referenced: the bucket depends on the permission).
    assert permission["SourceArn"] == {"Fn::Sub": "arn:${AWS::Partition}:s3:::" + bucket["Properties"]["BucketName"]["Fn::Sub"]}


def test_the_schedules_come_from_chalice_once_each(packaged):
    """The trading-window schedules are @app.schedule: Chalice packages them as SAM
    Schedule events; nothing else in the template may schedule them again."""
    template = packaged.template()
    schedules = {f.logical_id: f.schedule for f in lambda_functions(packaged.stage) if f.kind == "schedule"}
    events = {
        name: [e["Properties"]["Schedule"] for e in (r["Properties"].get("Events") or {}).values()
               if e["Type"] == "Schedule"]
        for name, r in resources_of_type(template, "AWS::Serverless::Function").items()
    }
    for name, found in events.items():
        assert found == ([schedules[name]] if name in schedules else []), name
    assert not resources_of_type(template, "AWS::Events::Rule")
    assert not resources_of_type(template, "AWS::Scheduler::Schedule")


def test_the_trading_window_schedules_are_10_and_18_jst_on_weekdays(package_of):
    functions = {f.name: f for f in lambda_functions("dev")}
    assert {"open_trading_window", "close_trading_window"} <= set(functions)
    assert functions["open_trading_window"].schedule == "cron(0 1 ? * MON-FRI *)"  # 10:00 JST
    assert functions["close_trading_window"].schedule == "cron(0 9 ? * MON-FRI *)"  # 18:00 JST


def test_the_zip_holds_no_test_or_development_packages(packaged):
    tops = {t.removesuffix(".py").split("-")[0].lower() for t in _zip_top_levels(packaged.zip_path)}
    assert not tops & set(FORBIDDEN)
    # Chalice puts only its runtime module in, never its CLI or the CLI's dependencies.
    with zipfile.ZipFile(packaged.zip_path) as archive:
        chalice_files = {n for n in archive.namelist() if n.startswith("chalice/")}
    assert chalice_files and all(n in {"chalice/__init__.py", "chalice/app.py", "chalice/app.pyi", "chalice/py.typed"}
                                 for n in chalice_files), sorted(chalice_files)
    assert not tops & {"click", "flask", "werkzeug", "inquirer", "yaml", "pyyaml"}


def test_the_zip_leaves_the_aws_sdk_to_the_lambda_runtime_and_is_small(packaged):
    tops = {t.removesuffix(".py").split("-")[0].lower() for t in _zip_top_levels(packaged.zip_path)}
    assert not tops & (set(RUNTIME_PROVIDED) | {"python_dateutil"})
    assert {"app", "chalicelib", "pynamodb", "pydantic", "pydantic_core", "jwt", "aws_lambda_powertools"} <= tops
    assert packaged.zip_size <= ZIP_LIMIT, f"{packaged.zip_size / 1e6:.1f} MB"


_RUNTIME_CHECK = r"""
import importlib, json, sys
task, runtime = sys.argv[1], sys.argv[2]
sys.path[:0] = [task]
sys.path.append(runtime)   # /var/task comes first in Lambda, the runtime's SDK after it
import app
import botocore, pynamodb.connection, pydantic, jwt
unresolved = []
for handler in json.loads(sys.argv[3]):
    module, _, attribute = handler.rpartition(".")
    if not callable(getattr(importlib.import_module(module), attribute, None)):
        unresolved.append(handler)
origins = {name: sys.modules[name].__file__ for name in ("botocore", "pynamodb", "pydantic", "jwt", "app", "urllib3")}
# The report's builders load only when a report is made, and work from the zip (the bundled
# font, fontTools without its pruned accelerators).
eager = sorted(name for name in ("fpdf", "openpyxl", "fontTools", "PIL") if name in sys.modules)
from chalicelib.emissions.report_files import FONT, ReportHeader, build_pdf, build_workbook
header = ReportHeader("FY2025-kanto-steel", "kanto-steel", "Kanto", "関東製鋼株式会社", 2025, 1, "2026-05-01", "kanto")
figures = {"t_co2": "1.000", "total_t": 1, "months": [], "sources": [], "factor_versions": [],
           "excluded": [{"number": 7, "name_ja": "非常用発電機", "exclusion_reason": "軽微な排出源"}]}
pdf, workbook = build_pdf(header, figures), build_workbook(header, figures)
report = {"eager": eager, "pdf": pdf[:5].decode(), "workbook": workbook[:2].decode(), "font": str(FONT),
          "fonttools": sys.modules["fontTools"].__file__}
print(json.dumps({"origins": origins, "unresolved": unresolved, "report": report}))
"""


@pytest.fixture(scope="module")
def in_lambda_runtime(package_of, tmp_path_factory):
    """Unzip the dev package into a "task" directory and put only boto3, botocore
    and their dependencies in a "runtime" directory (as /var/runtime in Lambda);
    then, without site-packages, import the app and look up every handler of the
    template the way Lambda does (module, then attribute)."""
    packaged = package_of("dev")
    root = tmp_path_factory.mktemp("lambda")
    task, runtime = root / "task", root / "runtime"
    with zipfile.ZipFile(packaged.zip_path) as archive:
        archive.extractall(task)
    runtime.mkdir()
    import boto3  # the development copy stands in for the runtime's

    site = Path(boto3.__file__).resolve().parents[1]
    for name in RUNTIME_PROVIDED:
        source = site / name if (site / name).is_dir() else site / f"{name}.py"
        assert source.exists(), source
        (runtime / source.name).symlink_to(source)
    handlers = sorted({r["Properties"]["Handler"]
                       for r in resources_of_type(packaged.template(), "AWS::Serverless::Function").values()})
    env = {"PATH": os.environ.get("PATH", ""), "AWS_DEFAULT_REGION": "ap-northeast-1", "LANG": "C.UTF-8"}
    result = subprocess.run(
        [sys.executable, "-S", "-I", "-c", _RUNTIME_CHECK, str(task), str(runtime), json.dumps(handlers)],
        capture_output=True, text=True, env=env, cwd=root,
    )
    assert result.returncode == 0, result.stderr
    return {"task": str(task), "runtime": str(runtime), "handlers": handlers, **json.loads(result.stdout)}


def test_the_packaged_app_imports_the_sdk_from_the_lambda_runtime(in_lambda_runtime):
    origins, task, runtime = in_lambda_runtime["origins"], in_lambda_runtime["task"], in_lambda_runtime["runtime"]
    assert origins["botocore"].startswith(runtime) and origins["urllib3"].startswith(runtime)
    for name in ("pynamodb", "pydantic", "jwt", "app"):
        assert origins[name].startswith(task), (name, origins[name])


def test_the_packaged_app_makes_a_report_pdf_with_its_own_font_and_loads_it_lazily(in_lambda_runtime):
    report = in_lambda_runtime["report"]
    assert report["eager"] == []
    assert report["pdf"] == "%PDF-" and report["workbook"] == "PK"
    assert report["font"].startswith(in_lambda_runtime["task"]) and report["fonttools"].startswith(in_lambda_runtime["task"])


def test_lambda_finds_every_handler_named_in_the_template(in_lambda_runtime):
    assert in_lambda_runtime["handlers"]
    assert in_lambda_runtime["unresolved"] == []
