"""Least-privilege IAM: one hand-written policy per Lambda function, table-driven from
``infra/policies.yaml``; checked on the generated templates, not only on the source."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from devtools.package import (
    INVOKED_BY,
    LambdaFunction,
    PolicyError,
    build_merge_template,
    compile_policy,
    lambda_functions,
    load_policies,
)

from .conftest import resources_of_type

DATA_SERVICES = ("dynamodb", "s3")
COGNITO_ADMIN = {"cognito-idp:AdminCreateUser", "cognito-idp:AdminSetUserPassword",
                 "cognito-idp:AdminAddUserToGroup", "cognito-idp:AdminDeleteUser"}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _policy_statements(template: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every statement of every identity or resource policy in the template."""
    for name, resource in template["Resources"].items():
        properties = resource.get("Properties") or {}
        kind = resource.get("Type")
        documents = []
        if kind == "AWS::IAM::Role":
            documents = [p["PolicyDocument"] for p in properties.get("Policies", [])]
        elif kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::S3::BucketPolicy"):
            documents = [properties["PolicyDocument"]]
        elif kind == "AWS::Serverless::Function" and properties.get("Policies"):
            documents = [p for p in _as_list(properties["Policies"]) if isinstance(p, dict)]
        for document in documents:
            for statement in _as_list(document.get("Statement", [])):
                yield name, statement


def _resource_text(resource: Any) -> str:
    """The ARN pattern of a resource: the string, or the text of its Fn::Sub / GetAtt."""
    if isinstance(resource, str):
        return resource
    if "Fn::Sub" in resource:
        sub = resource["Fn::Sub"]
        return sub[0] if isinstance(sub, list) else sub
    if "Fn::GetAtt" in resource:
        target = resource["Fn::GetAtt"]
        return "${%s}" % (".".join(target) if isinstance(target, list) else target)
    return json.dumps(resource)


# --- one row per function -----------------------------------------------------------


def test_every_lambda_function_of_the_app_has_a_policy_row():
    """Route handler, authorizer, @app.lambda_function and @app.schedule functions:
    add a row to infra/policies.yaml for each new one."""
    functions = lambda_functions("dev")
    kinds = {f.kind for f in functions}
    assert {"api", "authorizer", "function"} <= kinds
    rows = load_policies()["functions"]
    missing = sorted(f.name for f in functions if f.name not in rows)
    assert not missing, f"add rows to infra/policies.yaml under `functions:` for: {', '.join(missing)}"


def test_packaging_refuses_a_function_without_a_row():
    stranger = LambdaFunction(name="stranger", logical_id="Stranger", role_logical_id="StrangerRole",
                              handler="chalicelib.x.stranger", kind="function")
    with pytest.raises(PolicyError, match="stranger"):
        build_merge_template("dev", [stranger])


def test_every_row_compiles_including_the_upcoming_functions():
    policies = load_policies()
    template = build_merge_template("dev", [])
    for name in policies["functions"]:
        function = LambdaFunction(name=name, logical_id="X", role_logical_id="XRole", handler="x.y", kind="function")
        document = compile_policy(function, policies, template)
        assert document["Statement"][0]["Sid"] == "OwnLogGroup"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["no_such_group"], "unknown statement group"),
        ([{"Action": ["dynamodb:*"], "Resource": ["table:RegistryTable"]}], "wildcard action"),
        ([{"Action": ["dynamodb:Query"], "Resource": ["index:RegistryTable/nope"]}], "declares no index"),
        ([{"Action": ["dynamodb:Query"], "Resource": ["table:NoSuchTable"]}], "not a declared"),
        ([{"Action": ["s3:GetObject"], "Resource": ["objects:DocumentsBucket/"]}], "key prefix"),
        ([{"Action": ["s3:GetObject"], "Resource": ["objects:DocumentsBucket/a/*"]}], "key prefix"),
        ([{"Action": ["s3:GetObject"], "Resource": ["*"]}], "unknown resource shorthand"),
    ],
)
def test_the_compiler_refuses_broad_or_dangling_grants(row, message):
    policies = {"statements": {}, "functions": {"f": row}}
    function = LambdaFunction(name="f", logical_id="F", role_logical_id="FRole", handler="x.f", kind="function")
    with pytest.raises(PolicyError, match=message):
        compile_policy(function, policies, build_merge_template("dev", []))


def test_object_grants_are_limited_to_a_key_prefix():
    policies = {"statements": {}, "functions": {"f": [{"Action": ["s3:GetObject"],
                                                        "Resource": ["objects:DocumentsBucket/uploads/"]}]}}
    function = LambdaFunction(name="f", logical_id="F", role_logical_id="FRole", handler="x.f", kind="function")
    statement = compile_policy(function, policies, build_merge_template("dev", []))["Statement"][1]
    assert statement["Resource"] == [{"Fn::Sub": "${DocumentsBucket.Arn}/uploads/*"}]


# --- the generated templates ----------------------------------------------------------


def test_each_function_has_its_own_role_carrying_its_row(packaged):
    template = packaged.template()
    policies = load_policies()
    functions = lambda_functions(packaged.stage)
    roles = resources_of_type(template, "AWS::IAM::Role")
    assert set(roles) == {f.role_logical_id for f in functions}
    attached = {
        policy["Properties"]["Roles"][0]["Ref"]: policy["Properties"]["PolicyDocument"]["Statement"]
        for policy in resources_of_type(template, "AWS::IAM::Policy").values()
    }
    # Only a function the pool invokes has a policy apart (devtools/package.py INVOKED_BY).
    assert set(attached) == {f.role_logical_id for f in functions if f.name in INVOKED_BY}
    for function in functions:
        (policy,) = roles[function.role_logical_id]["Properties"]["Policies"]
        statements = policy["PolicyDocument"]["Statement"] + attached.get(function.role_logical_id, [])
        compiled = compile_policy(function, policies, template)["Statement"]
        assert sorted(statements, key=lambda s: s["Sid"]) == sorted(compiled, key=lambda s: s["Sid"])
        assert "ManagedPolicyArns" not in roles[function.role_logical_id]["Properties"]


def test_no_policy_grants_a_wildcard_action_or_resource(template):
    """Checked on what `chalice package` produced after the merge."""
    checked = 0
    for owner, statement in _policy_statements(template):
        if statement["Effect"] != "Allow":
            continue  # Deny statements (e.g. refusing plain HTTP) may be broad
        checked += 1
        actions = _as_list(statement.get("Action", []))
        assert "NotAction" not in statement and "NotResource" not in statement, owner
        for action in actions:
            assert action != "*", owner
            service = action.split(":", 1)[0]
            if service in DATA_SERVICES:
                assert "*" not in action, (owner, action)
        resources = [_resource_text(r) for r in _as_list(statement.get("Resource", []))]
        assert resources, owner
        for text in resources:
            assert text != "*", (owner, statement.get("Sid"))
            if any(a.split(":", 1)[0] in DATA_SERVICES for a in actions):
                assert not text.startswith("arn:aws:"), (owner, text)  # by reference, never hard-coded
                arn_part = re.sub(r"\$\{[^}]+\}", "", text)
                # Only an object-key wildcard after a named bucket's ARN, e.g. ${Bucket.Arn}/prefix/*.
                assert "*" not in arn_part or re.fullmatch(r"\$\{\w+\.Arn\}/([\w.-]+/)*\*", text), (owner, text)
    assert checked


def test_dynamodb_grants_name_the_registry_table_and_its_indexes_only(template):
    for owner, statement in _policy_statements(template):
        actions = _as_list(statement.get("Action", []))
        if statement["Effect"] != "Allow" or not any(a.startswith("dynamodb:") for a in actions):
            continue
        for resource in statement["Resource"]:
            text = _resource_text(resource)
            assert text == "${RegistryTable.Arn}" or re.fullmatch(r"\$\{RegistryTable\.Arn\}/index/\w+", text), (owner, text)


def test_data_grants_on_the_documents_bucket_need_a_key_prefix(template):
    for owner, statement in _policy_statements(template):
        if statement["Effect"] != "Allow" or template["Resources"][owner]["Type"] != "AWS::IAM::Role":
            continue
        for resource in _as_list(statement.get("Resource", [])):
            text = _resource_text(resource)
            if "DocumentsBucket" in text and text != "${DocumentsBucket.Arn}":
                assert re.fullmatch(r"\$\{DocumentsBucket\.Arn\}/[\w.-]+/(?:[\w.-]+/)*\*", text), text


def test_cognito_admin_actions_belong_to_administrator_functions_only(packaged):
    template = packaged.template()
    functions = {f.role_logical_id: f for f in lambda_functions(packaged.stage)}
    holders = set()
    for owner, statement in _policy_statements(template):
        if statement["Effect"] == "Allow" and set(_as_list(statement["Action"])) & COGNITO_ADMIN:
            holders.add(functions[owner].name)
            assert statement["Resource"] == [{"Fn::GetAtt": ["UserPool", "Arn"]}]
    assert holders == {"create_user"}
    # ... an administrator function: console-invoked, never behind the API.
    assert all(f.kind == "function" for f in functions.values() if f.name in holders)


def test_the_authorizer_may_only_write_its_logs(packaged):
    template = packaged.template()
    (authorizer,) = [f for f in lambda_functions(packaged.stage) if f.kind == "authorizer"]
    (policy,) = template["Resources"][authorizer.role_logical_id]["Properties"]["Policies"]
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert statement["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert statement["Resource"] == [{"Fn::GetAtt": [f"{authorizer.logical_id}LogGroup", "Arn"]}]


def test_the_api_handler_gets_exactly_the_registry_actions_it_uses(packaged):
    template = packaged.template()
    (api,) = [f for f in lambda_functions(packaged.stage) if f.kind == "api"]
    (policy,) = template["Resources"][api.role_logical_id]["Properties"]["Policies"]
    actions = {a for s in policy["PolicyDocument"]["Statement"] for a in s["Action"] if a.startswith("dynamodb:")}
    # TransactWriteItems is authorised through the item actions inside it.
    assert actions == {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem",
                       "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem", "dynamodb:BatchGetItem"}
    # S3: it signs presigned uploads and downloads, so it holds exactly what they need,
    # on uploads/ only; it puts the performance sheets it builds under sheets/ and the
    # calculation reports' files under reports/ and signs their download, nothing more.
    s3 = [s for s in policy["PolicyDocument"]["Statement"] if any(a.startswith("s3:") for a in s["Action"])]
    by_prefix: dict[str, set[str]] = {}
    for statement in s3:
        (resource,) = statement["Resource"]
        by_prefix.setdefault(resource["Fn::Sub"], set()).update(statement["Action"])
    assert by_prefix == {"${DocumentsBucket.Arn}/uploads/*": {"s3:PutObject", "s3:GetObject", "s3:GetObjectVersion"},
                         "${DocumentsBucket.Arn}/sheets/*": {"s3:PutObject", "s3:GetObject"},
                         "${DocumentsBucket.Arn}/reports/*": {"s3:PutObject", "s3:GetObject"}}
    # No Cognito right at all: sign-in, MFA, refresh and sign-out use the user's own tokens.
    cognito = {a for s in policy["PolicyDocument"]["Statement"] for a in s["Action"] if a.startswith("cognito-idp:")}
    assert cognito == set()


def test_the_audit_is_read_only(packaged):
    rows = load_policies()
    audit = rows["functions"]["audit_ledger"]
    actions = {a for group in audit for a in rows["statements"][group]["Action"]}
    assert actions == {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"}


def test_only_the_token_trigger_reads_users_and_only_its_own_pool(packaged):
    """The pre-token-generation trigger reads whether a user has TOTP on (AdminGetUser):
    read-only, on our pool, and nothing else may."""
    template = packaged.template()
    holders = {}
    for owner, statement in _policy_statements(template):
        actions = set(_as_list(statement["Action"]))
        if statement["Effect"] == "Allow" and "cognito-idp:AdminGetUser" in actions:
            holders[owner] = statement
    assert set(holders) == {"TokenClaimsRoleUserPoolPolicy"}
    (statement,) = holders.values()
    assert statement["Action"] == ["cognito-idp:AdminGetUser"]
    assert statement["Resource"] == [{"Fn::GetAtt": ["UserPool", "Arn"]}]


def test_the_arrival_check_reads_and_deletes_uploads_only_and_settles_documents(packaged):
    template = packaged.template()
    resources = template["Resources"]
    (inline,) = resources["DocumentArrivedRole"]["Properties"]["Policies"]
    attached = resources["DocumentArrivedRoleDocumentsBucketPolicy"]["Properties"]
    assert attached["Roles"] == [{"Ref": "DocumentArrivedRole"}]
    statements = inline["PolicyDocument"]["Statement"] + attached["PolicyDocument"]["Statement"]
    actions = {a for s in statements for a in s["Action"]}
    # It settles documents and, through the emissions system's subscriber, imports an
    # accepted performance sheet (reads, staged batch writes, one transaction) and records
    # the review: the registry table's item actions, never a Scan or a table-wide right.
    assert actions == {"logs:CreateLogStream", "logs:PutLogEvents", "dynamodb:GetItem", "dynamodb:UpdateItem",
                       "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:DeleteItem",
                       "dynamodb:ConditionCheckItem", "dynamodb:BatchWriteItem",
                       "s3:GetObject", "s3:GetObjectVersion", "s3:DeleteObject", "s3:DeleteObjectVersion",
                       # it locks the accepted version (Object Lock), never bypasses a lock
                       "s3:PutObjectRetention",
                       # the stage's key, through DynamoDB and S3 only; its own dead-letter queue
                       "kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey", "sqs:SendMessage"}
    for statement in attached["PolicyDocument"]["Statement"]:
        assert statement["Resource"] == [{"Fn::Sub": "${DocumentsBucket.Arn}/uploads/*"}]


# --- the stage's key, dead-letter queues, Object Lock ------------------------------------


def _role_statements(template: dict[str, Any], function: LambdaFunction) -> list[dict[str, Any]]:
    (policy,) = template["Resources"][function.role_logical_id]["Properties"]["Policies"]
    attached = [p["Properties"]["PolicyDocument"]["Statement"] for p in resources_of_type(template, "AWS::IAM::Policy").values()
                if p["Properties"]["Roles"] == [{"Ref": function.role_logical_id}]]
    return policy["PolicyDocument"]["Statement"] + [s for group in attached for s in group]


def test_key_use_is_scoped_to_the_stages_key_through_one_service(packaged):
    """kms:* rights name only RegistryKey, each through exactly one service (kms:ViaService),
    and only a function granted data on that service's encrypted resource holds them."""
    template = packaged.template()
    for function in lambda_functions(packaged.stage):
        statements = _role_statements(template, function)
        data = {_resource_text(r) for s in statements if s["Sid"] != "OwnLogGroup" and not s["Sid"].startswith("Key")
                for r in s["Resource"]}
        services = set()
        for statement in statements:
            if not any(a.startswith("kms:") for a in statement["Action"]):
                continue
            assert set(statement["Action"]) <= {"kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"}, statement
            assert statement["Resource"] == [{"Fn::GetAtt": ["RegistryKey", "Arn"]}]
            (service,) = statement["Condition"]["StringEquals"].values()
            services.add(service["Fn::Sub"].split(".", 1)[0])
        expected = set()
        if any("RegistryTable" in text for text in data):
            expected.add("dynamodb")
        if any("DocumentsBucket" in text for text in data):
            expected.add("s3")
        if any("DeadLetters" in text for text in data):
            expected.add("sqs")
        assert services == expected, function.name
    # The authorizer touches no data: no key either.
    (authorizer,) = [f for f in lambda_functions(packaged.stage) if f.kind == "authorizer"]
    assert not any(a.startswith("kms:") for s in _role_statements(template, authorizer) for a in s["Action"])


def test_only_asynchronous_functions_send_to_a_dead_letter_queue_and_only_to_their_own(packaged):
    template = packaged.template()
    senders = {}
    for function in lambda_functions(packaged.stage):
        for statement in _role_statements(template, function):
            if "sqs:SendMessage" in statement["Action"]:
                assert statement["Action"] == ["sqs:SendMessage"]
                senders[function.logical_id] = statement["Resource"]
    assert senders == {name: [{"Fn::GetAtt": [f"{name}DeadLetters", "Arn"]}]
                       for name in ("OpenTradingWindow", "CloseTradingWindow", "DocumentArrived",
                                    "ExpireListings", "SendNotifications", "RegistryControls")}


def test_only_the_arrival_check_locks_documents_and_nobody_may_bypass_a_lock(template):
    holders = set()
    for owner, statement in _policy_statements(template):
        actions = set(_as_list(statement.get("Action", [])))
        assert not ({"s3:BypassGovernanceRetention", "s3:PutBucketObjectLockConfiguration"} & actions
                    and statement["Effect"] == "Allow"), owner
        if "s3:PutObjectRetention" in actions and statement["Effect"] == "Allow":
            holders.add(owner)
            assert statement["Resource"] == [{"Fn::Sub": "${DocumentsBucket.Arn}/uploads/*"}]
    assert holders == {"DocumentArrivedRoleDocumentsBucketPolicy"}


def test_a_new_schedule_gets_its_dead_letter_queue_and_its_rights_without_a_hand_edit():
    """A function another branch adds (e.g. an expiry schedule) needs only its row."""
    newcomer = LambdaFunction(name="expire_offers", logical_id="ExpireOffers", role_logical_id="ExpireOffersRole",
                              handler="chalicelib.matching.triggers.expire_offers", kind="schedule",
                              schedule="rate(1 hour)")
    policies = load_policies()
    policies["functions"]["expire_offers"] = ["registry_read", "registry_write"]
    template = build_merge_template("dev", [newcomer], policies)
    resources = template["Resources"]
    assert resources["ExpireOffersDeadLetters"]["Type"] == "AWS::SQS::Queue"
    assert resources["ExpireOffersDeadLetters"]["Properties"]["KmsMasterKeyId"] == {"Ref": "RegistryKey"}
    alarm = resources["ExpireOffersDeadLettersAlarm"]["Properties"]
    assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible" and alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    function = resources["ExpireOffers"]
    assert function["Properties"]["DeadLetterQueue"] == {"Type": "SQS", "TargetArn": {"Fn::GetAtt": ["ExpireOffersDeadLetters", "Arn"]}}
    assert "CKV_AWS_116" not in {s["id"] for s in function["Metadata"]["checkov"]["skip"]}
    sids = {s["Sid"] for s in resources["ExpireOffersRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]}
    assert {"OwnDeadLetterQueue", "KeyForOwnDeadLetterQueue", "KeyForRegistryTable"} <= sids
    assert resources["ExpireOffersLogGroup"]["Properties"]["KmsKeyId"] == {"Fn::GetAtt": ["RegistryKey", "Arn"]}

