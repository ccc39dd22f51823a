"""Package the stack for AWS, offline: ``make package STAGE=dev|prod``.

    python -m devtools.package --stage prod [--outdir build/prod]

1. Lists the app's Lambda functions the way ``chalice package`` names them
   (route handler ``api_handler``, the authorizer, every ``@app.lambda_function``
   and ``@app.schedule``), from Chalice's own application graph.
2. Writes ``build/STAGE/merge-template.yaml``: ``infra/resources.yaml`` deep-merged
   with ``infra/cloud.yaml``, the Stage parameter pinned to STAGE (conditions that
   depend only on the stage, such as ``IsProd``, resolved), and per function its
   name, log group, alarms and the IAM policy compiled from
   ``infra/policies.yaml`` (replacing the deny-all placeholder policy Chalice reads
   from ``.chalice/policy-placeholder.json``, since ``autogen_policy`` is false).
   A function without a row in ``infra/policies.yaml`` stops the packaging.
3. Runs ``chalice package --stage STAGE --merge-template ... build/STAGE`` in a child
   process with a region and dummy credentials (nothing reaches AWS; Chalice only
   needs PyPI, or its cache in ``.chalice/deployments``, for the dependencies).
4. Removes from ``deployment.zip`` what the Lambda Python runtime already ships
   (boto3, botocore and their dependencies, ``RUNTIME_PROVIDED``): botocore alone
   is ~16 MB of the ~26 MB zip. The packaged app then imports the runtime's SDK
   (tests/infra/test_package.py imports the stripped zip against an SDK-only
   directory to prove it).

Output: ``build/STAGE/sam.yaml`` (SAM template) and ``build/STAGE/deployment.zip``.
"""

from __future__ import annotations

import argparse
import copy
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "APP_NAME",
    "BUILD",
    "INFRA",
    "RUNTIME_PROVIDED",
    "STAGES",
    "LambdaFunction",
    "Package",
    "FUNCTION_SKIPS",
    "INVOKED_BY",
    "KEY",
    "RESOURCE_SETTINGS",
    "SYNCHRONOUS",
    "PolicyError",
    "asynchronous",
    "build_edge_template",
    "build_merge_template",
    "compile_policy",
    "dead_letters_id",
    "deep_merge",
    "lambda_functions",
    "load_policies",
    "offline_environment",
    "package",
    "resource_settings",
    "specialise",
    "strip_runtime_provided",
]

ROOT = Path(__file__).resolve().parents[1]
INFRA = ROOT / "infra"
BUILD = ROOT / "build"
STAGES = ("dev", "prod")
APP_NAME = "jvets"
REGION = "ap-northeast-1"
TEMPLATE_NAME = "sam.yaml"
#: The portal's web ACL, a stack of its own in us-east-1 (infra/edge.yaml explains why).
EDGE_TEMPLATE_NAME = "edge.yaml"
EDGE_REGION = "us-east-1"
ZIP_NAME = "deployment.zip"
MERGE_TEMPLATE_NAME = "merge-template.yaml"

#: Import names (and distribution names) the AWS Lambda Python runtime provides:
#: boto3 and its dependency closure. Stripped from the zip so that the runtime's
#: consistent set is used (keeping our urllib3 next to the runtime's botocore would
#: mix versions).
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "urllib3", "dateutil", "six")
_RUNTIME_DISTRIBUTIONS = set(RUNTIME_PROVIDED) | {"python_dateutil"}
#: Optional accelerators left out of the zip: fontTools' Cython builds and their C sources
#: (~4 MB) have pure-Python twins it falls back to; fpdf2 only subsets the report's font.
PRUNED: tuple[tuple[str, tuple[str, ...]], ...] = (("fontTools/", (".so", ".c", ".pyx")),)

_TYPES = {
    "table": "AWS::DynamoDB::Table",
    "index": "AWS::DynamoDB::Table",
    "bucket": "AWS::S3::Bucket",
    "objects": "AWS::S3::Bucket",
    "userpool": "AWS::Cognito::UserPool",
}


#: Functions that a resource of the template invokes, and which must also name that
#: resource in their policy: the user pool's pre-token-generation trigger reads the
#: pool, the documents bucket's check reads and deletes its objects. Their statements
#: naming the invoker are attached with a separate ``AWS::IAM::Policy``: the role cannot
#: name it (pool -> function -> role -> pool would be a cycle).
INVOKED_BY = {"token_claims": "UserPool", "document_arrived": "DocumentsBucket"}
#: Settings naming a resource, per function (SAM merges them with Globals). A function
#: that a resource invokes gets none of them: naming its own invoker is a cycle, and
#: naming another invoker can close one through that invoker's function (the pool's
#: trigger naming the bucket, whose function names the pool). Such functions read what
#: they need from their event.
RESOURCE_SETTINGS = {
    "DOCUMENTS_BUCKET": ("DocumentsBucket", {"Ref": "DocumentsBucket"}),
    "USER_POOL_ID": ("UserPool", {"Ref": "UserPool"}),
    "USER_POOL_CLIENT_ID": ("UserPool", {"Ref": "UserPoolClient"}),
}


#: The stage's customer-managed KMS key (infra/cloud.yaml): table, documents bucket, log
#: groups, alarm topic and dead-letter queues are encrypted with it.
KEY = "RegistryKey"

#: checkov checks every function skips, with the reason a reviewer reads in its Metadata.
FUNCTION_SKIPS = {
    "CKV_AWS_117": (
        "No VPC: the functions reach only AWS service endpoints (DynamoDB, S3, Cognito, KMS, SQS) over TLS "
        "with SigV4-signed requests and serve no network port; a VPC would add NAT or interface endpoints "
        "and cold-start latency without reducing what they can reach, which IAM already limits per function."
    ),
    "CKV_AWS_173": (
        "The environment holds no secret, only the stage, resource names and Powertools settings "
        "(tests/infra/test_package.py lists them); Lambda encrypts it at rest with its AWS-managed key. "
        "Data is encrypted with the stage's customer-managed key (RegistryKey)."
    ),
}
#: Why a synchronously invoked function needs no dead-letter queue (CKV_AWS_116), per kind.
SYNCHRONOUS = {
    "api": "API Gateway invokes it synchronously and returns the error to the caller",
    "authorizer": "API Gateway invokes it synchronously; a failure refuses the request (401/500)",
    "function": ("an administrator invokes it synchronously (aws lambda invoke, RequestResponse) "
                 "and receives the error, or a resource invokes it synchronously (a Cognito trigger)"),
}


def asynchronous(function: LambdaFunction, template: dict[str, Any]) -> bool:
    """Invoked asynchronously (a failure is retried by Lambda, then dead-lettered): a
    schedule, an SNS subscription, or a function a bucket notification in the template
    names. Anything new of these kinds gets its dead-letter queue without a hand edit."""
    if function.kind in ("schedule", "event"):
        return True
    target = {"Fn::GetAtt": [function.logical_id, "Arn"]}
    for resource in (template.get("Resources") or {}).values():
        notifications = ((resource.get("Properties") or {}).get("NotificationConfiguration") or {})
        for kind in ("LambdaConfigurations",):
            if any(c.get("Function") == target for c in notifications.get(kind) or []):
                return True
    return False


def dead_letters_id(function: LambdaFunction) -> str:
    return f"{function.logical_id}DeadLetters"


def resource_settings(function_name: str) -> dict[str, Any]:
    if function_name in INVOKED_BY:
        return {}
    return {name: value for name, (_, value) in RESOURCE_SETTINGS.items()}


class PolicyError(ValueError):
    """``infra/policies.yaml`` is missing a row or names something that does not exist."""


@dataclass(frozen=True)
class LambdaFunction:
    """One Lambda function of the app, named as ``chalice package`` names it."""

    name: str  # Chalice's function name: api_handler, jwt_authorizer, create_user, ...
    logical_id: str  # its AWS::Serverless::Function in the template
    role_logical_id: str  # its AWS::IAM::Role
    handler: str
    kind: str  # "api", "authorizer", "function", "schedule" or "event" (an SNS subscription)
    schedule: str | None = None

    @property
    def function_name(self) -> str:
        """The physical name, as a ``Fn::Sub`` pattern."""
        return f"{APP_NAME}-${{Stage}}-{self.name}"


@dataclass
class Package:
    stage: str
    outdir: Path
    template_path: Path
    zip_path: Path
    merge_template_path: Path
    functions: list[LambdaFunction]
    stripped: list[str] = field(default_factory=list)

    @property
    def edge_template_path(self) -> Path:
        return self.outdir / EDGE_TEMPLATE_NAME

    @property
    def zip_size(self) -> int:
        return self.zip_path.stat().st_size

    def template(self) -> dict[str, Any]:
        return load_yaml(self.template_path)


# --------------------------------------------------------------------------
# Templates
# --------------------------------------------------------------------------


def load_yaml(path: str | os.PathLike) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def deep_merge(base: Any, overlay: Any) -> Any:
    """``overlay`` over ``base``: dicts merge key by key, anything else is replaced
    (the same rule as ``chalice package --merge-template``)."""
    if isinstance(base, dict) and isinstance(overlay, dict):
        merged = dict(base)
        for key, value in overlay.items():
            merged[key] = deep_merge(base.get(key), value) if key in base else copy.deepcopy(value)
        return merged
    return copy.deepcopy(overlay)


def _dump(data: dict[str, Any], path: Path) -> None:
    class _NoAliases(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return True

    path.write_text(
        yaml.dump(data, Dumper=_NoAliases, sort_keys=False, allow_unicode=True, width=120),
        encoding="utf-8",
    )


# --------------------------------------------------------------------------
# The app's Lambda functions
# --------------------------------------------------------------------------


def lambda_functions(stage: str = "dev", project_dir: str | os.PathLike = ROOT) -> list[LambdaFunction]:
    """Every Lambda function ``chalice package`` will generate for ``stage``."""
    from chalice.cli.factory import CLIFactory
    from chalice.deploy import models
    from chalice.deploy.appgraph import ApplicationGraphBuilder, DependencyBuilder
    from chalice.utils import to_cfn_resource_name

    config = CLIFactory(str(project_dir)).create_config_obj(chalice_stage_name=stage)
    graph = ApplicationGraphBuilder().build(config, stage)
    resources = DependencyBuilder().build_dependencies(graph)
    kinds: dict[str, tuple[str, str | None]] = {}
    for resource in resources:
        if isinstance(resource, models.RestAPI):
            kinds[resource.lambda_function.resource_name] = ("api", None)
            for authorizer in resource.authorizers:
                kinds[authorizer.resource_name] = ("authorizer", None)
        elif isinstance(resource, models.ScheduledEvent):
            kinds[resource.lambda_function.resource_name] = ("schedule", resource.schedule_expression)
        elif isinstance(resource, models.SNSLambdaSubscription):
            kinds[resource.lambda_function.resource_name] = ("event", None)
    found = []
    for resource in resources:
        if not isinstance(resource, models.LambdaFunction):
            continue
        kind, schedule = kinds.get(resource.resource_name, ("function", None))
        # chalice/package.py names the REST API's handler "APIHandler" (back-compat).
        logical_id = "APIHandler" if kind == "api" else to_cfn_resource_name(resource.resource_name)
        found.append(
            LambdaFunction(
                name=resource.resource_name,
                logical_id=logical_id,
                role_logical_id=to_cfn_resource_name(resource.role.resource_name),
                handler=resource.handler,
                kind=kind,
                schedule=schedule,
            )
        )
    return found


# --------------------------------------------------------------------------
# IAM: infra/policies.yaml -> one policy document per function
# --------------------------------------------------------------------------


def load_policies(path: str | os.PathLike | None = None) -> dict[str, Any]:
    policies = load_yaml(path or INFRA / "policies.yaml")
    policies.setdefault("statements", {})
    policies.setdefault("functions", {})
    for name, row in policies["functions"].items():
        if not isinstance(row, list):
            raise PolicyError(f"infra/policies.yaml: functions.{name} must be a list of statement groups")
    return policies


def _resource(template: dict[str, Any], spec: str) -> Any:
    kind, _, target = spec.partition(":")
    if kind == "sesidentity" and target and "*" not in target:  # a verified SES identity (address or domain)
        return {"Fn::Sub": f"arn:${{AWS::Partition}}:ses:${{AWS::Region}}:${{AWS::AccountId}}:identity/{target}"}
    if kind not in _TYPES or not target:
        raise PolicyError(f"unknown resource shorthand {spec!r} (use {', '.join(_TYPES)})")
    logical_id, _, rest = target.partition("/")
    declared = (template.get("Resources") or {}).get(logical_id) or {}
    if declared.get("Type") != _TYPES[kind]:
        raise PolicyError(f"{spec!r}: {logical_id} is not a declared {_TYPES[kind]}")
    arn = {"Fn::GetAtt": [logical_id, "Arn"]}
    if kind in ("table", "bucket", "userpool"):
        if rest:
            raise PolicyError(f"{spec!r}: {kind}: takes a logical id only")
        return arn
    if kind == "index":
        properties = declared.get("Properties") or {}
        indexes = {
            index["IndexName"]
            for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes")
            for index in properties.get(key) or []
        }
        if rest not in indexes:
            raise PolicyError(f"{spec!r}: {logical_id} declares no index {rest!r} (has {sorted(indexes)})")
        return {"Fn::Sub": f"${{{logical_id}.Arn}}/index/{rest}"}
    # objects: a key prefix is mandatory, never the whole bucket.
    if not rest or not rest.endswith("/") or "*" in rest:
        raise PolicyError(f"{spec!r}: objects: needs a key prefix ending in '/', without wildcards")
    return {"Fn::Sub": f"${{{logical_id}.Arn}}/{rest}*"}


def _sid(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("-", "_").split("_") if part)


def compile_policy(function: LambdaFunction, policies: dict[str, Any], template: dict[str, Any]) -> dict[str, Any]:
    """The policy document of one function: its own log group, then its row."""
    if function.name not in policies["functions"]:
        raise PolicyError(
            f"the Lambda function {function.name!r} has no row in infra/policies.yaml: "
            f"add `{function.name}: [...]` under `functions:` (an empty list grants logs only)"
        )
    statements: list[dict[str, Any]] = [
        {
            "Sid": "OwnLogGroup",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [{"Fn::GetAtt": [_log_group_id(function), "Arn"]}],
        }
    ]
    for entry in policies["functions"][function.name]:
        if isinstance(entry, str):
            if entry not in policies["statements"]:
                raise PolicyError(f"functions.{function.name}: unknown statement group {entry!r}")
            spec, sid = policies["statements"][entry], _sid(entry)
        elif isinstance(entry, dict):
            spec, sid = entry, entry.get("Sid") or f"Inline{len(statements)}"
        else:
            raise PolicyError(f"functions.{function.name}: {entry!r} is not a group name or a statement")
        actions = spec.get("Action") or []
        actions = [actions] if isinstance(actions, str) else list(actions)
        resources = spec.get("Resource") or []
        resources = [resources] if isinstance(resources, str) else list(resources)
        if not actions or not resources:
            raise PolicyError(f"functions.{function.name}: {sid} needs Action and Resource")
        for action in actions:
            if "*" in action:
                raise PolicyError(f"functions.{function.name}: {sid}: wildcard action {action!r}")
        statement = {
            "Sid": sid,
            "Effect": "Allow",
            "Action": actions,
            "Resource": [_resource(template, resource) for resource in resources],
        }
        if "Condition" in spec:
            statement["Condition"] = spec["Condition"]
        statements.append(statement)
    statements += _key_use(statements, policies)
    if asynchronous(function, template):
        statements += [
            {
                "Sid": "OwnDeadLetterQueue",
                "Effect": "Allow",
                "Action": ["sqs:SendMessage"],
                "Resource": [{"Fn::GetAtt": [dead_letters_id(function), "Arn"]}],
            },
            _via(KEY, "sqs", ["kms:Decrypt", "kms:GenerateDataKey"], "KeyForOwnDeadLetterQueue"),
        ]
    return {"Version": "2012-10-17", "Statement": statements}


def _via(key: str, service: str, actions: list[str], sid: str) -> dict[str, Any]:
    """Use of ``key`` only in requests ``service`` makes on the function's behalf."""
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Action": list(actions),
        "Resource": [{"Fn::GetAtt": [key, "Arn"]}],
        "Condition": {"StringEquals": {"kms:ViaService": {"Fn::Sub": f"{service}.${{AWS::Region}}.amazonaws.com"}}},
    }


def _key_use(statements: list[dict[str, Any]], policies: dict[str, Any]) -> list[dict[str, Any]]:
    """``key_use`` in infra/policies.yaml: a function granted anything on an encrypted
    resource may use its key, through that resource's service only."""
    named = {_named(r) for s in statements[1:] for r in s["Resource"]}
    found = []
    for logical_id, use in (policies.get("key_use") or {}).items():
        if logical_id in named:
            found.append(_via(use.get("key", KEY), use["via"], use["actions"], f"KeyFor{logical_id}"))
    return found


# --------------------------------------------------------------------------
# The merge template
# --------------------------------------------------------------------------


def _named(resource: Any) -> str:
    """The logical id a compiled resource ARN names (``_resource`` writes only these forms)."""
    if "Fn::GetAtt" in resource:
        return resource["Fn::GetAtt"][0]
    return resource["Fn::Sub"].split("${", 1)[1].split(".", 1)[0]


def _split_by_invoker(document: dict[str, Any], invoker: str | None) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The statements that name ``invoker`` apart from the others (see ``INVOKED_BY``)."""
    naming = [s for s in document["Statement"] if any(_named(r) == invoker for r in s["Resource"])]
    if not naming:
        return document, None
    rest = [s for s in document["Statement"] if s not in naming]
    return {**document, "Statement": rest}, {**document, "Statement": naming}


def _log_group_id(function: LambdaFunction) -> str:
    return f"{function.logical_id}LogGroup"


def _alarm(function: LambdaFunction, metric: str, description: str) -> dict[str, Any]:
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmName": {"Fn::Sub": f"{function.function_name}-{metric.lower()}"},
            "AlarmDescription": description,
            "Namespace": "AWS/Lambda",
            "MetricName": metric,
            "Dimensions": [{"Name": "FunctionName", "Value": {"Ref": function.logical_id}}],
            "Statistic": "Sum",
            "Period": 300,
            "EvaluationPeriods": 1,
            "Threshold": 1,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "TreatMissingData": "notBreaching",
            "AlarmActions": [{"Ref": "AlarmTopic"}],
        },
    }


def _dead_letter_queue(function: LambdaFunction) -> dict[str, Any]:
    """Where Lambda puts an asynchronous event it failed to process (after its retries)."""
    return {
        "Type": "AWS::SQS::Queue",
        "Properties": {
            "QueueName": {"Fn::Sub": f"{function.function_name}-dead-letters"},
            "MessageRetentionPeriod": 14 * 24 * 3600,
            "KmsMasterKeyId": {"Ref": KEY},
            "KmsDataKeyReusePeriodSeconds": 3600,
        },
    }


def _dead_letters_alarm(function: LambdaFunction) -> dict[str, Any]:
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmName": {"Fn::Sub": f"{function.function_name}-dead-letters"},
            "AlarmDescription": f"{function.name}: an event failed all its retries and waits in the dead-letter queue.",
            "Namespace": "AWS/SQS",
            "MetricName": "ApproximateNumberOfMessagesVisible",
            "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": [dead_letters_id(function), "QueueName"]}}],
            "Statistic": "Maximum",
            "Period": 300,
            "EvaluationPeriods": 1,
            "Threshold": 1,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "TreatMissingData": "notBreaching",
            "AlarmActions": [{"Ref": "AlarmTopic"}],
        },
    }


def _refs(node: Any) -> set[str]:
    if isinstance(node, list):
        return set().union(*(_refs(item) for item in node)) if node else set()
    if isinstance(node, dict):
        found = {node["Ref"]} if isinstance(node.get("Ref"), str) else set()
        found |= {f"Condition:{node['Condition']}"} if isinstance(node.get("Condition"), str) else set()
        return found.union(*(_refs(value) for value in node.values()))
    return set()


def _evaluate(node: Any, stage: str, conditions: dict[str, Any]) -> Any:
    if isinstance(node, dict) and len(node) == 1:
        (key, arg), = node.items()
        if key == "Ref" and arg == "Stage":
            return stage
        if key == "Condition":
            return _evaluate(conditions[arg], stage, conditions)
        if key == "Fn::Equals":
            return _evaluate(arg[0], stage, conditions) == _evaluate(arg[1], stage, conditions)
        if key == "Fn::Not":
            return not _evaluate(arg[0], stage, conditions)
        if key == "Fn::And":
            return all(_evaluate(a, stage, conditions) for a in arg)
        if key == "Fn::Or":
            return any(_evaluate(a, stage, conditions) for a in arg)
        raise ValueError(f"cannot evaluate {key} at packaging time")
    return node


def specialise(template: dict[str, Any], stage: str) -> dict[str, Any]:
    """Resolve the conditions that depend only on the Stage (``IsProd``...): each
    package is for one stage, so its template carries that stage's values only."""
    conditions = template.get("Conditions") or {}
    static: dict[str, bool] = {}
    for name, spec in conditions.items():
        refs = _refs(spec)
        if all(ref == "Stage" or ref.startswith("Condition:") for ref in refs):
            try:
                static[name] = bool(_evaluate(spec, stage, conditions))
            except (ValueError, KeyError):
                continue

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        if set(node) == {"Fn::If"} and node["Fn::If"][0] in static:
            name, when_true, when_false = node["Fn::If"]
            return walk(when_true if static[name] else when_false)
        return {key: walk(value) for key, value in node.items()}

    result = walk({key: value for key, value in template.items() if key != "Conditions"})
    resources = {}
    for logical_id, resource in result.get("Resources", {}).items():
        condition = resource.get("Condition")
        if condition in static:
            if not static[condition]:
                continue
            resource = {k: v for k, v in resource.items() if k != "Condition"}
        resources[logical_id] = resource
    result["Resources"] = resources
    for section in ("Outputs",):
        for key, value in list((result.get(section) or {}).items()):
            if value.get("Condition") in static:
                if static[value["Condition"]]:
                    del value["Condition"]
                else:
                    del result[section][key]
    remaining = {k: v for k, v in conditions.items() if k not in static}
    still_used = set().union(set(), *(_refs(v) for v in remaining.values()))
    remaining.update({k: v for k, v in conditions.items() if f"Condition:{k}" in still_used})
    if remaining:
        result["Conditions"] = remaining
    return result


def build_merge_template(stage: str, functions: list[LambdaFunction],
                         policies: dict[str, Any] | None = None) -> dict[str, Any]:
    """What ``chalice package --merge-template`` merges over Chalice's template."""
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {STAGES}, not {stage!r}")
    template = deep_merge(load_yaml(INFRA / "resources.yaml"), load_yaml(INFRA / "cloud.yaml"))
    policies = load_policies() if policies is None else policies
    missing = sorted(f.name for f in functions if f.name not in policies["functions"])
    if missing:
        raise PolicyError(
            "Lambda functions without a row in infra/policies.yaml: " + ", ".join(missing)
            + " (add one row per function under `functions:`)"
        )
    # One package per stage: the template cannot be deployed under another stage.
    stage_parameter = template["Parameters"]["Stage"]
    stage_parameter["Default"] = stage
    stage_parameter["AllowedValues"] = [stage]
    resources = template["Resources"]
    for function in functions:
        log_group = _log_group_id(function)
        resources[log_group] = {
            "Type": "AWS::Logs::LogGroup",
            "Properties": {
                "LogGroupName": {"Fn::Sub": f"/aws/lambda/{function.function_name}"},
                "RetentionInDays": {"Fn::If": ["IsProd", 365, 30]},
                "KmsKeyId": {"Fn::GetAtt": [KEY, "Arn"]},
            },
        }
        invoker = INVOKED_BY.get(function.name)
        properties: dict[str, Any] = {
            "FunctionName": {"Fn::Sub": function.function_name},
            "Environment": {"Variables": resource_settings(function.name)},
        }
        skips = [{"id": check, "comment": comment} for check, comment in FUNCTION_SKIPS.items()]
        if asynchronous(function, template):
            queue = dead_letters_id(function)
            resources[queue] = _dead_letter_queue(function)
            resources[f"{queue}Alarm"] = _dead_letters_alarm(function)
            properties["DeadLetterQueue"] = {"Type": "SQS", "TargetArn": {"Fn::GetAtt": [queue, "Arn"]}}
        else:
            skips.append({"id": "CKV_AWS_116", "comment": (
                f"Synchronous: {SYNCHRONOUS.get(function.kind, SYNCHRONOUS['function'])}; a dead-letter "
                "queue only receives failed asynchronous invocations.")})
        resources[function.logical_id] = {"DependsOn": [log_group], "Properties": properties,
                                          "Metadata": {"checkov": {"skip": skips}}}
        document = compile_policy(function, policies, template)
        inline, attached = _split_by_invoker(document, invoker)
        resources[function.role_logical_id] = {
            "Properties": {"Policies": [{"PolicyName": f"{function.role_logical_id}Policy", "PolicyDocument": inline}]}
        }
        if attached is not None:
            resources[f"{function.role_logical_id}{invoker}Policy"] = {
                "Type": "AWS::IAM::Policy",
                "Properties": {
                    "PolicyName": f"{function.role_logical_id}{invoker}Policy",
                    "Roles": [{"Ref": function.role_logical_id}],
                    "PolicyDocument": attached,
                },
            }
        resources[f"{function.logical_id}ErrorsAlarm"] = _alarm(
            function, "Errors", f"{function.name} failed (unhandled error or timeout)."
        )
        resources[f"{function.logical_id}ThrottlesAlarm"] = _alarm(
            function, "Throttles", f"{function.name} was throttled (concurrency limit)."
        )
    return specialise(template, stage)


def build_edge_template(stage: str) -> dict[str, Any]:
    """``infra/edge.yaml`` for ``stage``: the CLOUDFRONT-scope web ACL (us-east-1)."""
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {STAGES}, not {stage!r}")
    template = load_yaml(INFRA / "edge.yaml")
    template["Parameters"]["Stage"].update(Default=stage, AllowedValues=[stage])
    return {"AWSTemplateFormatVersion": "2010-09-09", **specialise(template, stage)}


# --------------------------------------------------------------------------
# The deployment zip
# --------------------------------------------------------------------------


def _top_level_name(entry: str) -> str:
    top = entry.split("/", 1)[0]
    if top.endswith((".dist-info", ".data", ".egg-info")):
        return top.split("-", 1)[0].lower()
    return top[:-3] if top.endswith(".py") else top


def strip_runtime_provided(zip_path: Path) -> list[str]:
    """Rewrite the zip without ``RUNTIME_PROVIDED``; returns the removed top levels."""
    removed: set[str] = set()
    tmp = zip_path.with_suffix(".stripping")
    with zipfile.ZipFile(zip_path) as source, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if _top_level_name(info.filename) in _RUNTIME_DISTRIBUTIONS:
                removed.add(info.filename.split("/", 1)[0])
                continue
            if any(info.filename.startswith(prefix) and info.filename.endswith(suffixes) for prefix, suffixes in PRUNED):
                continue
            target.writestr(info, source.read(info), compress_type=zipfile.ZIP_DEFLATED)
    tmp.replace(zip_path)
    return sorted(removed)


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------


def offline_environment(region: str = REGION) -> dict[str, str]:
    """The child's environment: a region and dummy credentials, no profile or config."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("AWS_") or key in ("AWS_CA_BUNDLE",)
    }
    env.update(
        AWS_DEFAULT_REGION=region,
        AWS_REGION=region,
        AWS_ACCESS_KEY_ID="offline-packaging",
        AWS_SECRET_ACCESS_KEY="offline-packaging",  # noqa: S106 - a dummy, so that packaging never uses real credentials
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


def _chalice_command() -> list[str]:
    script = Path(sys.executable).parent / "chalice"
    if script.exists():
        return [str(script)]
    found = shutil.which("chalice")
    if found is None:
        raise RuntimeError("the chalice CLI is not installed (make venv)")
    return [found]


def package(stage: str, outdir: str | os.PathLike | None = None, *, strip: bool = True) -> Package:
    """Build ``sam.yaml`` and ``deployment.zip`` for ``stage`` into ``outdir``."""
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {STAGES}, not {stage!r}")
    out = Path(outdir) if outdir is not None else BUILD / stage
    if out.exists():
        previous = {p.name for p in out.iterdir()}
        if previous - {TEMPLATE_NAME, ZIP_NAME, MERGE_TEMPLATE_NAME, EDGE_TEMPLATE_NAME,
                       "packaged.yaml", "outputs.json", "config.json"}:
            raise RuntimeError(f"{out} holds other files than a previous package; choose an empty --outdir")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    functions = lambda_functions(stage)
    merge_template = out / MERGE_TEMPLATE_NAME
    _dump(build_merge_template(stage, functions), merge_template)
    _dump(build_edge_template(stage), out / EDGE_TEMPLATE_NAME)
    command = [
        *_chalice_command(),
        "package",
        "--stage", stage,
        "--template-format", "yaml",
        "--merge-template", str(merge_template),
        str(out),
    ]
    result = subprocess.run(command, cwd=ROOT, env=offline_environment(), capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(
            f"chalice package failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    built = Package(
        stage=stage,
        outdir=out,
        template_path=out / TEMPLATE_NAME,
        zip_path=out / ZIP_NAME,
        merge_template_path=merge_template,
        functions=functions,
    )
    _check(built)
    if strip:
        built.stripped = strip_runtime_provided(built.zip_path)
    return built


def _check(built: Package) -> None:
    """The generated template holds exactly our functions, each with its own policy."""
    resources = built.template()["Resources"]
    generated = {k for k, v in resources.items() if v.get("Type") == "AWS::Serverless::Function"}
    expected = {f.logical_id for f in built.functions}
    if generated != expected:
        raise RuntimeError(f"chalice generated functions {sorted(generated)}, expected {sorted(expected)}")
    for function in built.functions:
        policies = resources[function.role_logical_id]["Properties"]["Policies"]
        if [p["PolicyName"] for p in policies] != [f"{function.role_logical_id}Policy"] or any(
            s.get("Effect") == "Deny" for p in policies for s in p["PolicyDocument"]["Statement"]
        ):
            raise RuntimeError(f"{function.role_logical_id} still has the placeholder policy")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.package", description=__doc__.splitlines()[0])
    parser.add_argument("--stage", choices=STAGES, default="dev")
    parser.add_argument("--outdir", help="default: build/STAGE")
    parser.add_argument("--no-strip", action="store_true",
                        help="keep boto3/botocore and their dependencies in the zip")
    args = parser.parse_args(argv)
    try:
        built = package(args.stage, args.outdir, strip=not args.no_strip)
    except (PolicyError, RuntimeError) as error:
        print(f"packaging failed: {error}", file=sys.stderr)
        return 1
    rel = built.outdir.relative_to(ROOT) if built.outdir.is_relative_to(ROOT) else built.outdir
    print(f"stage {built.stage}: {len(built.functions)} Lambda functions, each with its own IAM policy")
    for function in built.functions:
        extra = f"  schedule {function.schedule}" if function.schedule else ""
        print(f"  {function.logical_id:<24} {function.kind:<10} {function.handler}{extra}")
    print(f"template: {rel}/{TEMPLATE_NAME}  (and {rel}/{EDGE_TEMPLATE_NAME}, deployed first in {EDGE_REGION})")
    print(f"code:     {rel}/{ZIP_NAME} ({built.zip_size / 1e6:.1f} MB; "
          f"runtime-provided removed: {', '.join(built.stripped) or 'none'})")
    print(
        "next (needs AWS credentials):\n"
        f"  aws cloudformation package --template-file {rel}/{TEMPLATE_NAME} "
        f"--s3-bucket <artifact-bucket> --output-template-file {rel}/packaged.yaml\n"
        f"  aws cloudformation deploy --template-file {rel}/packaged.yaml --stack-name jvets-{built.stage} "
        "--capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
