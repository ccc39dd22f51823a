"""Security posture of the packaged templates, property by property (checkov only says a
property is there; these say it is what we mean): the stage's key and its policy, the
access logs in our JSON shape, WAF on the API and on CloudFront, dead-letter queues and
reserved concurrency for every function, the access-log bucket, and the documents
bucket's Object Lock with the retention README states."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from chalicelib.documents.domain.retention import RETENTION
from devtools.package import ROOT, asynchronous, lambda_functions, load_yaml

from .conftest import resources_of_type

STAGES = ["dev", "prod"]
#: The default per-account concurrency quota, and what Lambda keeps unreserved.
ACCOUNT_CONCURRENCY, UNRESERVED_MINIMUM = 1000, 100


def _resources(template_of, stage: str) -> dict[str, Any]:
    return template_of(stage)["Resources"]


def _refs(node: Any) -> set[str]:
    if isinstance(node, list):
        return set().union(*map(_refs, node)) if node else set()
    if isinstance(node, dict):
        found = {node["Ref"]} if isinstance(node.get("Ref"), str) else set()
        if "Fn::GetAtt" in node:
            found.add(node["Fn::GetAtt"][0])
        return found.union(*(_refs(v) for v in node.values()))
    return set()


# --- the stage's key -----------------------------------------------------------------------


@pytest.mark.parametrize("stage", STAGES)
def test_one_rotated_key_per_stage_encrypts_table_documents_logs_topic_and_dead_letters(template_of, stage):
    resources = _resources(template_of, stage)
    (key_id,) = resources_of_type(template_of(stage), "AWS::KMS::Key")
    assert key_id == "RegistryKey"
    key = resources[key_id]
    assert key["Properties"]["EnableKeyRotation"] is True and key["DeletionPolicy"] == "Retain"
    arn = {"Fn::GetAtt": ["RegistryKey", "Arn"]}
    assert resources["RegistryTable"]["Properties"]["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS",
                                                                            "KMSMasterKeyId": arn}
    (rule,) = resources["DocumentsBucket"]["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule == {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": arn},
                    "BucketKeyEnabled": True}
    assert resources["AlarmTopic"]["Properties"]["KmsMasterKeyId"] == {"Ref": "RegistryKey"}
    groups = resources_of_type(template_of(stage), "AWS::Logs::LogGroup")
    assert groups and all(g["Properties"]["KmsKeyId"] == arn for g in groups.values())
    queues = resources_of_type(template_of(stage), "AWS::SQS::Queue")
    assert queues and all(q["Properties"]["KmsMasterKeyId"] == {"Ref": "RegistryKey"} for q in queues.values())


@pytest.mark.parametrize("stage", STAGES)
def test_the_key_policy_never_lets_anyone_use_the_key_directly(template_of, stage):
    statements = _resources(template_of, stage)["RegistryKey"]["Properties"]["KeyPolicy"]["Statement"]
    use = {"kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey",
           "kms:GenerateDataKeyWithoutPlaintext"}
    for statement in statements:
        assert statement["Effect"] == "Allow" and statement["Principal"] != "*"
        assert not any("*" in action for action in statement["Action"]), statement["Sid"]
        principal = statement["Principal"]
        if "AWS" in principal and set(statement["Action"]) & use:
            # The account's principals: only through our services, only this account's callers.
            conditions = statement["Condition"]["StringEquals"]
            assert {s["Fn::Sub"].split(".")[0] for s in conditions["kms:ViaService"]} == {"dynamodb", "s3", "sqs"}
            assert conditions["kms:CallerAccount"] == {"Ref": "AWS::AccountId"}
        elif "AWS" in principal:
            assert not set(statement["Action"]) & use  # administration without use
        elif principal["Service"] == {"Fn::Sub": "logs.${AWS::Region}.amazonaws.com"}:
            (arns,) = statement["Condition"]["ArnLike"].values()
            assert all("jvets-${Stage}-" in a["Fn::Sub"] for a in arns)  # this stage's log groups only
        else:
            assert principal["Service"] == "cloudwatch.amazonaws.com"
            assert set(statement["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey"}


# --- API Gateway: access logs in our JSON shape, tracing, WAF --------------------------------


@pytest.mark.parametrize("stage", STAGES)
def test_api_access_logs_are_json_lines_in_the_functions_log_shape(template_of, stage):
    api = _resources(template_of, stage)["RestAPI"]["Properties"]
    assert api["TracingEnabled"] is True
    setting = api["AccessLogSetting"]
    assert setting["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    # What API Gateway writes: each $context variable replaced (numbers bare, "-" when empty).
    line = re.sub(r"\$context\.(status|responseLatency)\b", "200", setting["Format"])
    line = re.sub(r"\$context\.[\w.]+", "-", line)
    record = json.loads(line)
    # The keys of our functions' own request lines (chalicelib/core/observability.py, Powertools).
    assert {"level", "message", "service", "timestamp", "correlation_id", "method", "route", "status",
            "duration_ms"} <= set(record)
    assert (record["level"], record["service"], record["status"]) == ("INFO", "jvets", 200)
    group = _resources(template_of, stage)["ApiAccessLogGroup"]["Properties"]
    assert group["LogGroupName"] == {"Fn::Sub": "/aws/apigateway/jvets-${Stage}-access"}


def _rate_rule(acl: dict[str, Any]) -> dict[str, Any]:
    (rule,) = [r for r in acl["Rules"] if "RateBasedStatement" in r["Statement"]]
    assert rule["Priority"] == 0 and "Block" in rule["Action"]
    assert rule["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    return rule


@pytest.mark.parametrize("stage", STAGES)
def test_the_api_has_a_regional_web_acl_with_a_rate_limit_per_ip_answered_in_our_error_shape(template_of, stage):
    resources = _resources(template_of, stage)
    acl = resources["ApiWebAcl"]["Properties"]
    assert acl["Scope"] == "REGIONAL" and acl["DefaultAction"] == {"Allow": {}}
    rule = _rate_rule(acl)
    assert rule["Statement"]["RateBasedStatement"]["Limit"] == (2000 if stage == "prod" else 500)
    response = rule["Action"]["Block"]["CustomResponse"]
    assert response["ResponseCode"] == 429
    body = json.loads(acl["CustomResponseBodies"][response["CustomResponseBodyKey"]]["Content"])
    assert set(body["error"]) == {"code", "message", "message_ja"} and body["error"]["code"] == "TOO_MANY_REQUESTS"
    groups = {r["Statement"]["ManagedRuleGroupStatement"]["Name"] for r in acl["Rules"]
              if "ManagedRuleGroupStatement" in r["Statement"]}
    assert groups == {"AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesCommonRuleSet"}
    association = resources["ApiWebAclAssociation"]["Properties"]
    assert association["WebACLArn"] == {"Fn::GetAtt": ["ApiWebAcl", "Arn"]}
    assert association["ResourceArn"]["Fn::Sub"].endswith("/restapis/${RestAPI}/stages/${RestAPI.Stage}")


@pytest.mark.parametrize("stage", STAGES)
def test_cloudfront_uses_the_edge_stacks_web_acl_from_us_east_1(package_of, template_of, stage):
    template = template_of(stage)
    distribution = template["Resources"]["PortalDistribution"]["Properties"]["DistributionConfig"]
    assert distribution["WebACLId"] == {"Ref": "PortalWebAclArn"}
    parameter = template["Parameters"]["PortalWebAclArn"]
    assert "Default" not in parameter  # a deployment without the edge stack's ACL fails fast
    pattern = re.compile(parameter["AllowedPattern"])
    assert pattern.match("arn:aws:wafv2:us-east-1:123456789012:global/webacl/jvets-prod-portal/abcd")
    assert not pattern.match("arn:aws:wafv2:ap-northeast-1:123456789012:regional/webacl/jvets-prod-api/abcd")
    edge = load_yaml(package_of(stage).edge_template_path)
    acl = edge["Resources"]["PortalWebAcl"]["Properties"]
    assert acl["Scope"] == "CLOUDFRONT" and _rate_rule(acl)
    assert edge["Outputs"]["WebAclArn"]["Value"] == {"Fn::GetAtt": ["PortalWebAcl", "Arn"]}
    assert edge["Parameters"]["Stage"]["AllowedValues"] == [stage]


# --- access logs -------------------------------------------------------------------------


@pytest.mark.parametrize("stage", STAGES)
def test_buckets_and_cloudfront_log_into_the_access_log_bucket_which_expires_them(template_of, stage):
    resources = _resources(template_of, stage)
    for bucket, prefix in (("DocumentsBucket", "s3/documents/"), ("PortalBucket", "s3/portal/")):
        assert resources[bucket]["Properties"]["LoggingConfiguration"] == {
            "DestinationBucketName": {"Ref": "AccessLogsBucket"}, "LogFilePrefix": prefix}
    logging = resources["PortalDistribution"]["Properties"]["DistributionConfig"]["Logging"]
    assert logging["Bucket"] == {"Fn::GetAtt": ["AccessLogsBucket", "DomainName"]} and logging["Prefix"] == "cloudfront/"
    logs = resources["AccessLogsBucket"]["Properties"]
    (rule,) = logs["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == (400 if stage == "prod" else 90)
    assert logs["VersioningConfiguration"] == {"Status": "Enabled"}
    assert logs["PublicAccessBlockConfiguration"]["RestrictPublicBuckets"] is True
    policy = resources["AccessLogsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    (allow,) = [s for s in policy if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert allow["Condition"]["StringEquals"]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}


# --- functions: reserved concurrency and dead letters ----------------------------------------


@pytest.mark.parametrize("stage", STAGES)
def test_every_function_has_reserved_concurrency_from_the_stage_settings(template_of, stage):
    functions = resources_of_type(template_of(stage), "AWS::Serverless::Function")
    reserved = {name: f["Properties"]["ReservedConcurrentExecutions"] for name, f in functions.items()}
    assert all(isinstance(v, int) and v >= 1 for v in reserved.values())
    assert reserved["APIHandler"] == max(reserved.values())
    # .chalice/config.json: a stage default every new function inherits, overrides by name.
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())["stages"][stage]
    default = config["reserved_concurrency"]
    overridden = {n for n, c in config["lambda_functions"].items() if "reserved_concurrency" in c}
    assert {f.logical_id for f in lambda_functions(stage) if f.name not in overridden} == {
        name for name, value in reserved.items() if value == default}


def test_both_stages_together_leave_the_accounts_unreserved_minimum(template_of):
    total = sum(f["Properties"]["ReservedConcurrentExecutions"] for stage in STAGES
                for f in resources_of_type(template_of(stage), "AWS::Serverless::Function").values())
    assert total <= ACCOUNT_CONCURRENCY - UNRESERVED_MINIMUM


@pytest.mark.parametrize("stage", STAGES)
def test_asynchronous_functions_have_a_dead_letter_queue_with_an_alarm_on_its_depth(template_of, stage):
    template = template_of(stage)
    resources = template["Resources"]
    functions = lambda_functions(stage)
    queued = {f.logical_id for f in functions if asynchronous(f, template)}
    assert queued == {"OpenTradingWindow", "CloseTradingWindow", "DocumentArrived", "ExpireListings", "SendNotifications", "RegistryControls"}
    for function in functions:
        properties = resources[function.logical_id]["Properties"]
        if function.logical_id not in queued:
            assert "DeadLetterQueue" not in properties
            continue
        queue = f"{function.logical_id}DeadLetters"
        assert properties["DeadLetterQueue"] == {"Type": "SQS", "TargetArn": {"Fn::GetAtt": [queue, "Arn"]}}
        assert resources[queue]["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600
        alarm = resources[f"{queue}Alarm"]["Properties"]
        assert alarm["Namespace"] == "AWS/SQS" and alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
        assert alarm["Dimensions"] == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}]
        assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (1, "GreaterThanOrEqualToThreshold")
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]


# --- immutable evidence ------------------------------------------------------------------------


@pytest.mark.parametrize("stage", STAGES)
def test_the_documents_bucket_has_object_lock_without_default_retention(template_of, stage):
    bucket = _resources(template_of, stage)["DocumentsBucket"]["Properties"]
    assert bucket["ObjectLockEnabled"] is True
    assert bucket["ObjectLockConfiguration"] == {"ObjectLockEnabled": "Enabled"}  # no Rule: see retention.py
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}


def test_the_readme_states_the_retention_of_each_stage():
    readme = (ROOT / "README.md").read_text()
    start = readme.index("### Immutable evidence")
    section = readme[start:readme.index("\n### ", start + 1)]
    for stage in ("dev", "prod"):
        retention = RETENTION[stage]
        assert f"| `{stage}` | {retention.mode.value} | {retention.days:,} days |" in section, stage
