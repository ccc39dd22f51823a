"""Provision the local (moto) emulation from ``infra/resources.yaml``.

The CloudFormation fragment that ``chalice package --merge-template`` deploys
to AWS is the single source of truth; this module reads the same file and
creates the equivalent resources through boto3 on a local endpoint, so local
and cloud cannot drift.

Only the resource types in ``LOCALLY_PROVISIONED_TYPES`` are created; every
other type (Lambda permissions, CloudFront, alarms, schedules, ...) is skipped
silently. Provisioning is idempotent: running it twice against the same
endpoint reuses what already exists.

    python -m devtools.provision http://127.0.0.1:5000 [stage] [region]
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import yaml

__all__ = [
    "DEFAULT_TEMPLATE",
    "LOCALLY_PROVISIONED_TYPES",
    "MOTO_ACCOUNT_ID",
    "load_template",
    "provision",
]

DEFAULT_TEMPLATE = Path(__file__).resolve().parent.parent / "infra" / "resources.yaml"
MOTO_ACCOUNT_ID = "123456789012"


class Unresolvable(Exception):
    """An intrinsic refers to something that does not exist locally."""


_NO_VALUE = object()  # AWS::NoValue: drop the enclosing key / list item


# --------------------------------------------------------------------------
# Intrinsic functions
# --------------------------------------------------------------------------


class _Context:
    def __init__(self, template: dict, stage: str, region: str, account_id: str):
        self.template = template
        self.region = region
        self.params: dict[str, Any] = {
            "AWS::AccountId": account_id,
            "AWS::Region": region,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::StackName": f"jvets-{stage}",
            "AWS::StackId": (
                f"arn:aws:cloudformation:{region}:{account_id}:stack/jvets-{stage}/local"
            ),
        }
        for name, spec in (template.get("Parameters") or {}).items():
            if "Default" in (spec or {}):
                self.params[name] = spec["Default"]
        allowed = ((template.get("Parameters") or {}).get("Stage") or {}).get("AllowedValues")
        if allowed and stage not in allowed:
            raise ValueError(f"stage {stage!r} not in the template's AllowedValues {allowed}")
        self.params["Stage"] = stage
        self.physical: dict[str, str] = {}  # logical id -> Ref value
        self.attrs: dict[str, dict[str, Any]] = {}  # logical id -> GetAtt values
        self._conditions: dict[str, bool] = {}

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            spec = (self.template.get("Conditions") or {})[name]
            self._conditions[name] = bool(self.resolve(spec))
        return self._conditions[name]

    def ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name in self.params:
            return self.params[name]
        if name in self.physical:
            return self.physical[name]
        raise Unresolvable(f"Ref {name}")

    def get_att(self, name: str, attribute: str) -> Any:
        try:
            return self.attrs[name][attribute]
        except KeyError:
            raise Unresolvable(f"Fn::GetAtt {name}.{attribute}") from None

    def sub(self, arg: Any) -> str:
        if isinstance(arg, list):
            text, variables = arg[0], self.resolve(arg[1])
        else:
            text, variables = arg, {}

        def replace(match: re.Match) -> str:
            inner = match.group(1)
            if inner.startswith("!"):
                return "${" + inner[1:] + "}"
            if inner in variables:
                return str(variables[inner])
            if "." in inner and not inner.startswith("AWS::"):
                return str(self.get_att(*inner.split(".", 1)))
            return str(self.ref(inner))

        return re.sub(r"\$\{([^}]+)\}", replace, text)

    def resolve(self, node: Any) -> Any:
        if isinstance(node, list):
            items = [self.resolve(item) for item in node]
            return [item for item in items if item is not _NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            (key, arg), = node.items()
            fn = _INTRINSICS.get(key)
            if fn is not None:
                return fn(self, arg)
        resolved = {key: self.resolve(value) for key, value in node.items()}
        return {key: value for key, value in resolved.items() if value is not _NO_VALUE}


def _get_att(ctx: _Context, arg: Any) -> Any:
    name, attribute = arg.split(".", 1) if isinstance(arg, str) else arg
    return ctx.get_att(name, ctx.resolve(attribute))


def _if(ctx: _Context, arg: list) -> Any:
    name, when_true, when_false = arg
    return ctx.resolve(when_true if ctx.condition(name) else when_false)


_INTRINSICS: dict[str, Callable[[_Context, Any], Any]] = {
    "Ref": lambda ctx, arg: ctx.ref(arg),
    "Fn::Sub": lambda ctx, arg: ctx.sub(arg),
    "Fn::GetAtt": _get_att,
    "Fn::If": _if,
    "Fn::Join": lambda ctx, arg: arg[0].join(str(v) for v in ctx.resolve(arg[1])),
    "Fn::Select": lambda ctx, arg: ctx.resolve(arg[1])[int(ctx.resolve(arg[0]))],
    "Fn::Equals": lambda ctx, arg: ctx.resolve(arg[0]) == ctx.resolve(arg[1]),
    "Fn::Not": lambda ctx, arg: not ctx.resolve(arg[0]),
    "Fn::And": lambda ctx, arg: all(ctx.resolve(a) for a in arg),
    "Fn::Or": lambda ctx, arg: any(ctx.resolve(a) for a in arg),
    "Condition": lambda ctx, arg: ctx.condition(arg),
}


# --------------------------------------------------------------------------
# Resource provisioners: (ctx, clients, props) -> (Ref value, GetAtt values)
# --------------------------------------------------------------------------


def _pick(props: dict, keys: tuple[str, ...]) -> dict:
    return {key: props[key] for key in keys if key in props}


def _dynamodb_table(ctx: _Context, clients: _Clients, props: dict) -> tuple[str, dict]:
    ddb = clients("dynamodb")
    name = props["TableName"]
    args = _pick(
        props,
        (
            "TableName",
            "KeySchema",
            "AttributeDefinitions",
            "BillingMode",
            "ProvisionedThroughput",
            "LocalSecondaryIndexes",
            "DeletionProtectionEnabled",
            "TableClass",
        ),
    )
    if "GlobalSecondaryIndexes" in props:
        args["GlobalSecondaryIndexes"] = [
            _pick(gsi, ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput"))
            for gsi in props["GlobalSecondaryIndexes"]
        ]
    if "StreamSpecification" in props:
        args["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": props["StreamSpecification"]["StreamViewType"],
        }
    sse = props.get("SSESpecification")
    if sse:
        args["SSESpecification"] = {"Enabled": bool(sse.get("SSEEnabled"))}
        args["SSESpecification"].update(_pick(sse, ("SSEType", "KMSMasterKeyId")))
    with contextlib.suppress(ddb.exceptions.ResourceInUseException):  # already provisioned
        ddb.create_table(**args)
    ddb.get_waiter("table_exists").wait(
        TableName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 100}
    )
    ttl = props.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        current = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        if current.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
            ddb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
            )
    pitr = props.get("PointInTimeRecoverySpecification")
    if pitr and pitr.get("PointInTimeRecoveryEnabled"):
        ddb.update_continuous_backups(
            TableName=name,
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
        )
    table = ddb.describe_table(TableName=name)["Table"]
    attrs = {"Arn": table["TableArn"]}
    if table.get("LatestStreamArn"):
        attrs["StreamArn"] = table["LatestStreamArn"]
    return name, attrs


def _lifecycle_rule(rule: dict) -> dict:
    out = _pick(rule, ("Status", "AbortIncompleteMultipartUpload"))
    if "Id" in rule:
        out["ID"] = rule["Id"]
    out["Filter"] = {"Prefix": rule.get("Prefix", "")}
    if "ExpirationInDays" in rule:
        out["Expiration"] = {"Days": rule["ExpirationInDays"]}
    if "NoncurrentVersionExpirationInDays" in rule:
        out["NoncurrentVersionExpiration"] = {
            "NoncurrentDays": rule["NoncurrentVersionExpirationInDays"]
        }
    return out


def _encryption_rule(rule: dict) -> dict:
    out = _pick(rule, ("BucketKeyEnabled",))
    if "ServerSideEncryptionByDefault" in rule:
        out["ApplyServerSideEncryptionByDefault"] = rule["ServerSideEncryptionByDefault"]
    return out


def _cors_rule(rule: dict) -> dict:
    out = _pick(
        rule, ("AllowedHeaders", "AllowedMethods", "AllowedOrigins", "ExposedHeaders")
    )
    if "Id" in rule:
        out["ID"] = rule["Id"]
    if "MaxAge" in rule:
        out["MaxAgeSeconds"] = rule["MaxAge"]
    return out


def _s3_bucket(ctx: _Context, clients: _Clients, props: dict) -> tuple[str, dict]:
    s3 = clients("s3")
    name = props["BucketName"]
    args: dict[str, Any] = {"Bucket": name}
    if ctx.region != "us-east-1":
        args["CreateBucketConfiguration"] = {"LocationConstraint": ctx.region}
    if props.get("ObjectLockEnabled") is True:  # only at creation (it also turns on versioning)
        args["ObjectLockEnabledForBucket"] = True
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
        s3.create_bucket(**args)
    if "PublicAccessBlockConfiguration" in props:
        s3.put_public_access_block(
            Bucket=name,
            PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"],
        )
    if "BucketEncryption" in props:
        s3.put_bucket_encryption(
            Bucket=name,
            ServerSideEncryptionConfiguration={
                "Rules": [
                    _encryption_rule(r)
                    for r in props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
                ]
            },
        )
    if "VersioningConfiguration" in props:
        s3.put_bucket_versioning(
            Bucket=name, VersioningConfiguration=props["VersioningConfiguration"]
        )
    if "LifecycleConfiguration" in props:
        s3.put_bucket_lifecycle_configuration(
            Bucket=name,
            LifecycleConfiguration={
                "Rules": [_lifecycle_rule(r) for r in props["LifecycleConfiguration"]["Rules"]]
            },
        )
    if "CorsConfiguration" in props:
        s3.put_bucket_cors(
            Bucket=name,
            CORSConfiguration={
                "CORSRules": [_cors_rule(r) for r in props["CorsConfiguration"]["CorsRules"]]
            },
        )
    attrs = {
        "Arn": f"arn:aws:s3:::{name}",
        "DomainName": f"{name}.s3.amazonaws.com",
        "RegionalDomainName": f"{name}.s3.{ctx.region}.amazonaws.com",
    }
    return name, attrs


# CFN property names that the CreateUserPool API accepts unchanged.
_USER_POOL_KEYS = (
    "Policies",
    "AdminCreateUserConfig",
    "Schema",
    "MfaConfiguration",
    "UsernameConfiguration",
    "AutoVerifiedAttributes",
    "AliasAttributes",
    "UsernameAttributes",
    "AccountRecoverySetting",
    "VerificationMessageTemplate",
    "UserAttributeUpdateSettings",
    "DeletionProtection",
    "UserPoolTags",
)


def _schema_attribute(attribute: dict) -> dict:
    attribute = dict(attribute)
    for key in ("StringAttributeConstraints", "NumberAttributeConstraints"):
        if key in attribute:  # the API wants strings, YAML may give ints
            attribute[key] = {k: str(v) for k, v in attribute[key].items()}
    return attribute


def _cognito_user_pool(ctx: _Context, clients: _Clients, props: dict) -> tuple[str, dict]:
    idp = clients("cognito-idp")
    name = props["UserPoolName"]
    pool_id = _find(idp.get_paginator("list_user_pools"), "UserPools", "Name", name,
                    MaxResults=60)
    if pool_id is None:
        args = _pick(props, _USER_POOL_KEYS)
        if "Schema" in args:
            args["Schema"] = [_schema_attribute(a) for a in args["Schema"]]
        pool_id = idp.create_user_pool(PoolName=name, **args)["UserPool"]["Id"]
        mfa = props.get("MfaConfiguration", "OFF")
        if mfa != "OFF" and "SOFTWARE_TOKEN_MFA" in props.get("EnabledMfas", []):
            idp.set_user_pool_mfa_config(
                UserPoolId=pool_id,
                SoftwareTokenMfaConfiguration={"Enabled": True},
                MfaConfiguration=mfa,
            )
    arn = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Arn"]
    provider = f"cognito-idp.{ctx.region}.amazonaws.com/{pool_id}"
    attrs = {
        "Arn": arn,
        "UserPoolId": pool_id,
        "ProviderName": provider,
        "ProviderURL": f"https://{provider}",
    }
    return pool_id, attrs


# CFN property names that the CreateUserPoolClient API accepts unchanged.
_USER_POOL_CLIENT_KEYS = (
    "GenerateSecret",
    "ExplicitAuthFlows",
    "ReadAttributes",
    "WriteAttributes",
    "AccessTokenValidity",
    "IdTokenValidity",
    "RefreshTokenValidity",
    "TokenValidityUnits",
    "PreventUserExistenceErrors",
    "EnableTokenRevocation",
    "AuthSessionValidity",
    "CallbackURLs",
    "LogoutURLs",
    "DefaultRedirectURI",
    "AllowedOAuthFlows",
    "AllowedOAuthScopes",
    "AllowedOAuthFlowsUserPoolClient",
    "SupportedIdentityProviders",
)


def _cognito_user_pool_client(
    ctx: _Context, clients: _Clients, props: dict
) -> tuple[str, dict]:
    idp = clients("cognito-idp")
    pool_id, name = props["UserPoolId"], props["ClientName"]
    client_id = _find(idp.get_paginator("list_user_pool_clients"), "UserPoolClients",
                      "ClientName", name, UserPoolId=pool_id, MaxResults=60,
                      id_key="ClientId")
    if client_id is None:
        args = _pick(props, _USER_POOL_CLIENT_KEYS)
        response = idp.create_user_pool_client(UserPoolId=pool_id, ClientName=name, **args)
        client_id = response["UserPoolClient"]["ClientId"]
    return client_id, {"ClientId": client_id, "Name": name}


def _cognito_user_pool_group(
    ctx: _Context, clients: _Clients, props: dict
) -> tuple[str, dict]:
    idp = clients("cognito-idp")
    args = _pick(props, ("UserPoolId", "GroupName", "Description", "Precedence", "RoleArn"))
    with contextlib.suppress(idp.exceptions.GroupExistsException):
        idp.create_group(**args)
    return props["GroupName"], {}


def _find(paginator: Any, list_key: str, name_key: str, name: str,
          id_key: str = "Id", **kwargs: Any) -> str | None:
    for page in paginator.paginate(**kwargs):
        for item in page[list_key]:
            if item[name_key] == name:
                return item[id_key]
    return None


_PROVISIONERS: dict[str, Callable[[_Context, _Clients, dict], tuple[str, dict]]] = {
    "AWS::DynamoDB::Table": _dynamodb_table,
    "AWS::S3::Bucket": _s3_bucket,
    "AWS::Cognito::UserPool": _cognito_user_pool,
    "AWS::Cognito::UserPoolClient": _cognito_user_pool_client,
    "AWS::Cognito::UserPoolGroup": _cognito_user_pool_group,
}

#: Resource types created in the local emulation; all others are skipped.
LOCALLY_PROVISIONED_TYPES: tuple[str, ...] = tuple(_PROVISIONERS)


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------


class _Clients:
    def __init__(self, endpoint_url: str, region: str):
        self._session = boto3.session.Session(
            aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "testing"),
            aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "testing"),
            aws_session_token=os.environ.get("AWS_SESSION_TOKEN"),
            region_name=region,
        )
        self._endpoint_url = endpoint_url
        self._clients: dict[str, Any] = {}

    def __call__(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._session.client(
                service, endpoint_url=self._endpoint_url
            )
        return self._clients[service]


def load_template(template_path: str | os.PathLike | None = None) -> dict:
    with open(template_path or DEFAULT_TEMPLATE, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _references(node: Any) -> set[str]:
    """Logical ids a node refers to through Ref, Fn::GetAtt or Fn::Sub."""
    found: set[str] = set()
    if isinstance(node, list):
        for item in node:
            found |= _references(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                found.add(value.split(".")[0] if isinstance(value, str) else value[0])
            elif key == "Fn::Sub":
                text = value[0] if isinstance(value, list) else value
                found |= {m.split(".")[0] for m in re.findall(r"\$\{([^!}][^}]*)\}", text)}
            found |= _references(value)
    return found


def _creation_order(resources: dict) -> list[str]:
    """Logical ids of the locally provisioned resources, dependencies first."""
    local = [
        logical_id
        for logical_id, spec in resources.items()
        if spec.get("Type") in _PROVISIONERS
    ]
    deps = {}
    for logical_id in local:
        spec = resources[logical_id]
        depends_on = spec.get("DependsOn", [])
        depends_on = [depends_on] if isinstance(depends_on, str) else depends_on
        wanted = _references(spec.get("Properties", {})) | set(depends_on)
        deps[logical_id] = [d for d in local if d in wanted]
    order: list[str] = []
    visiting: set[str] = set()

    def visit(logical_id: str) -> None:
        if logical_id in order:
            return
        if logical_id in visiting:
            raise ValueError(f"circular dependency at {logical_id}")
        visiting.add(logical_id)
        for dep in deps[logical_id]:
            visit(dep)
        visiting.discard(logical_id)
        order.append(logical_id)

    for logical_id in local:
        visit(logical_id)
    return order


def provision(
    endpoint_url: str,
    stage: str = "local",
    region: str = "ap-northeast-1",
    template_path: str | os.PathLike | None = None,
) -> dict:
    """Create the template's locally supported resources on ``endpoint_url``.

    Returns ``{"stage", "region", "tables", "buckets", "user_pool_id",
    "user_pool_client_id", "outputs"}``; ``tables``/``buckets`` map logical id
    to physical name, ``outputs`` holds every Output that resolves locally.
    """
    template = load_template(template_path)
    ctx = _Context(template, stage, region, MOTO_ACCOUNT_ID)
    clients = _Clients(endpoint_url, region)
    resources = template.get("Resources") or {}
    result: dict[str, Any] = {
        "stage": stage,
        "region": region,
        "tables": {},
        "buckets": {},
        "user_pool_id": None,
        "user_pool_client_id": None,
        "outputs": {},
    }
    for logical_id in _creation_order(resources):
        spec = resources[logical_id]
        if "Condition" in spec and not ctx.condition(spec["Condition"]):
            continue
        try:
            props = ctx.resolve(spec.get("Properties") or {})
        except Unresolvable as exc:
            raise ValueError(
                f"{logical_id}: cannot resolve {exc} locally (not a locally provisioned "
                f"resource type?)"
            ) from None
        physical_id, attrs = _PROVISIONERS[spec["Type"]](ctx, clients, props)
        ctx.physical[logical_id] = physical_id
        ctx.attrs[logical_id] = attrs
        kind = spec["Type"]
        if kind == "AWS::DynamoDB::Table":
            result["tables"][logical_id] = physical_id
        elif kind == "AWS::S3::Bucket":
            result["buckets"][logical_id] = physical_id
        elif kind == "AWS::Cognito::UserPool":
            result["user_pool_id"] = physical_id
        elif kind == "AWS::Cognito::UserPoolClient":
            result["user_pool_client_id"] = physical_id
    for name, output in (template.get("Outputs") or {}).items():
        if "Condition" in output and not ctx.condition(output["Condition"]):
            continue
        try:
            result["outputs"][name] = ctx.resolve(output["Value"])
        except Unresolvable:
            continue  # refers to something that only exists in the cloud
    return result


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip().splitlines()[-1].strip())
        return 2
    print(json.dumps(provision(*argv[:3]), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
