"""What the packaged stack declares: data, documents, portal, identity, API, alarms."""

from __future__ import annotations

import json

import pytest

from devtools.package import lambda_functions

from .conftest import resources_of_type


def _resolve_if(value, stage):
    """Evaluate ``Fn::If [IsProd, a, b]`` for a stage (the only condition used on values)."""
    if isinstance(value, dict) and "Fn::If" in value:
        condition, when_true, when_false = value["Fn::If"]
        assert condition == "IsProd"
        return when_true if stage == "prod" else when_false
    return value


# --- data --------------------------------------------------------------------------


def test_the_registry_table_is_on_demand_recoverable_encrypted_and_retained(packaged):
    table = packaged.template()["Resources"]["RegistryTable"]
    properties = table["Properties"]
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["SSESpecification"]["SSEEnabled"] is True
    assert properties["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"
    assert _resolve_if(properties["DeletionProtectionEnabled"], packaged.stage) is (packaged.stage == "prod")


# --- documents ---------------------------------------------------------------------


def test_the_documents_bucket_is_private_encrypted_versioned_and_cleans_uploads(packaged):
    bucket = packaged.template()["Resources"]["DocumentsBucket"]
    properties = bucket["Properties"]
    assert all(properties["PublicAccessBlockConfiguration"].values())
    assert len(properties["PublicAccessBlockConfiguration"]) == 4
    (rule,) = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
    rules = properties["LifecycleConfiguration"]["Rules"]
    assert any(r["Status"] == "Enabled" and r["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] >= 1
               for r in rules)
    # Performance sheets built for download live a day, every version of them.
    (sheets,) = [r for r in rules if r.get("Prefix") == "sheets/"]
    assert (sheets["Status"], sheets["ExpirationInDays"], sheets["NoncurrentVersionExpirationInDays"]) == ("Enabled", 1, 1)
    assert bucket["DeletionPolicy"] == "Retain"
    # Every new object under uploads/ goes to the arrival check (test_package.py has the details).
    (notification,) = properties["NotificationConfiguration"]["LambdaConfigurations"]
    assert notification["Function"] == {"Fn::GetAtt": ["DocumentArrived", "Arn"]}


def test_the_documents_bucket_allows_cors_from_the_portal_only(packaged):
    (rule,) = packaged.template()["Resources"]["DocumentsBucket"]["Properties"]["CorsConfiguration"]["CorsRules"]
    assert rule["AllowedOrigins"] == [{"Fn::Sub": "https://${PortalDistribution.DomainName}"}]
    assert "*" not in json.dumps(rule["AllowedOrigins"])
    assert set(rule["AllowedMethods"]) == {"GET", "POST", "HEAD"}  # POST: the presigned upload form


def test_both_buckets_refuse_plain_http(packaged):
    resources = packaged.template()["Resources"]
    for policy in ("DocumentsBucketPolicy", "PortalBucketPolicy"):
        statements = resources[policy]["Properties"]["PolicyDocument"]["Statement"]
        assert any(s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
                   for s in statements), policy


# --- portal ------------------------------------------------------------------------


def test_the_portal_is_served_by_cloudfront_through_origin_access_control(packaged):
    template = packaged.template()
    resources = template["Resources"]
    assert not resources_of_type(template, "AWS::CloudFront::CloudFrontOriginAccessIdentity")
    oac = resources["PortalOriginAccessControl"]
    assert oac["Type"] == "AWS::CloudFront::OriginAccessControl"
    assert oac["Properties"]["OriginAccessControlConfig"]["OriginAccessControlOriginType"] == "s3"
    assert oac["Properties"]["OriginAccessControlConfig"]["SigningBehavior"] == "always"
    config = resources["PortalDistribution"]["Properties"]["DistributionConfig"]
    (origin,) = config["Origins"]
    assert origin["DomainName"] == {"Fn::GetAtt": ["PortalBucket", "RegionalDomainName"]}
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["PortalOriginAccessControl", "Id"]}
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    assert config["DefaultRootObject"] == "index.html"
    (no_cache,) = [b for b in config["CacheBehaviors"] if b["PathPattern"] == "/config.json"]
    assert no_cache["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # Managed-CachingDisabled


def test_the_portal_bucket_is_private_and_readable_only_by_that_distribution(packaged):
    resources = packaged.template()["Resources"]
    assert all(resources["PortalBucket"]["Properties"]["PublicAccessBlockConfiguration"].values())
    statements = resources["PortalBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    (allow,) = [s for s in statements if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"
    assert allow["Resource"] == {"Fn::Sub": "${PortalBucket.Arn}/*"}
    assert allow["Condition"] == {
        "StringEquals": {
            "AWS:SourceArn": {
                "Fn::Sub": "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${PortalDistribution}"
            }
        }
    }


def test_the_outputs_hold_everything_the_portal_config_needs(packaged):
    outputs = packaged.template()["Outputs"]
    assert {"EndpointURL", "Region", "UserPoolId", "UserPoolClientId", "Stage",
            "PortalBucketName", "PortalDistributionId", "PortalURL"} <= set(outputs)


# --- identity ----------------------------------------------------------------------


def test_the_user_pool_admits_administrator_created_users_only(packaged):
    resources = packaged.template()["Resources"]
    pool = resources["UserPool"]["Properties"]
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    password = pool["Policies"]["PasswordPolicy"]
    assert password["MinimumLength"] >= 12
    assert all(password[k] for k in ("RequireUppercase", "RequireLowercase", "RequireNumbers", "RequireSymbols"))
    # Cognito MFA is pool-wide: optional (TOTP) for everyone; see README for admins.
    assert pool["MfaConfiguration"] == "OPTIONAL"
    assert pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    assert _resolve_if(pool["DeletionProtection"], packaged.stage) == (
        "ACTIVE" if packaged.stage == "prod" else "INACTIVE")
    invite = pool["AdminCreateUserConfig"]["InviteMessageTemplate"]["EmailMessage"]["Fn::Sub"]
    assert "{username}" in invite and "{####}" in invite
    groups = {r["Properties"]["GroupName"] for r in resources_of_type(packaged.template(),
                                                                      "AWS::Cognito::UserPoolGroup").values()}
    assert groups == {"participant", "verifier", "admin"}
    client = resources["UserPoolClient"]["Properties"]
    assert client["GenerateSecret"] is False
    assert "custom:org_id" not in client["WriteAttributes"]


# --- API Gateway ---------------------------------------------------------------------

REQUIRED_RESPONSES = {
    "UNAUTHORIZED": ("401", "INVALID_TOKEN"),
    "ACCESS_DENIED": ("403", "FORBIDDEN"),
    "MISSING_AUTHENTICATION_TOKEN": ("404", "NOT_FOUND"),
    "DEFAULT_4XX": (None, None),
    "DEFAULT_5XX": (None, None),
}


def test_gateway_refusals_answer_in_the_apps_error_shape(packaged):
    from chalicelib.core.errors import Forbidden, NotFound
    from chalicelib.identity.domain.errors import InvalidToken

    responses = packaged.template()["Resources"]["RestAPI"]["Properties"]["GatewayResponses"]
    assert set(REQUIRED_RESPONSES) <= set(responses)
    for response_type, response in responses.items():
        body = json.loads(response["ResponseTemplates"]["application/json"])
        assert set(body) == {"error"}, response_type
        assert set(body["error"]) == {"code", "message", "message_ja"}, response_type
        assert body["error"]["code"].isupper() and body["error"]["message"] and body["error"]["message_ja"]
        assert any("\u3040" <= ch <= "\u30ff" for ch in body["error"]["message_ja"]), response_type
        assert response["ResponseParameters"]["Headers"]["Access-Control-Allow-Origin"] == "'*'"
        status, code = REQUIRED_RESPONSES.get(response_type, (None, None))
        if status:
            assert response["StatusCode"] == status, response_type
        if code:
            assert body["error"]["code"] == code, response_type
    # The codes are the app's own.
    assert {InvalidToken.code, Forbidden.code, NotFound.code} == {"INVALID_TOKEN", "FORBIDDEN", "NOT_FOUND"}


def test_the_api_stage_is_throttled_and_sign_in_more_tightly(packaged):
    properties = packaged.template()["Resources"]["RestAPI"]["Properties"]
    assert properties["Name"] == {"Fn::Sub": "jvets-${Stage}"}
    settings = {(s["ResourcePath"], s["HttpMethod"]): s for s in properties["MethodSettings"]}
    everything, login = settings[("/*", "*")], settings[("/~1auth~1login", "POST")]
    for setting in (everything, login):
        assert _resolve_if(setting["ThrottlingRateLimit"], packaged.stage) > 0
        assert _resolve_if(setting["ThrottlingBurstLimit"], packaged.stage) > 0
    assert (_resolve_if(login["ThrottlingRateLimit"], packaged.stage)
            < _resolve_if(everything["ThrottlingRateLimit"], packaged.stage))


# --- alarms --------------------------------------------------------------------------


def test_alarms_cover_5xx_function_errors_throttles_and_dynamodb_system_errors(packaged):
    template = packaged.template()
    alarms = resources_of_type(template, "AWS::CloudWatch::Alarm")
    api = alarms["Api5xxAlarm"]["Properties"]
    assert (api["Namespace"], api["MetricName"]) == ("AWS/ApiGateway", "5XXError")
    assert api["Dimensions"] == [{"Name": "ApiName", "Value": {"Fn::Sub": "jvets-${Stage}"}}]
    ddb = alarms["RegistrySystemErrorsAlarm"]["Properties"]
    metrics = [m["MetricStat"]["Metric"] for m in ddb["Metrics"] if "MetricStat" in m]
    assert metrics and all(m["MetricName"] == "SystemErrors" and m["Namespace"] == "AWS/DynamoDB" for m in metrics)
    assert all({"Name": "TableName", "Value": {"Ref": "RegistryTable"}} in m["Dimensions"] for m in metrics)
    assert len(ddb["Metrics"]) <= 10  # CloudWatch's limit per alarm
    for function in lambda_functions(packaged.stage):
        for metric in ("Errors", "Throttles"):
            alarm = alarms[f"{function.logical_id}{metric}Alarm"]["Properties"]
            assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/Lambda", metric)
            assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": function.logical_id}}]
    for alarm in alarms.values():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}]


@pytest.mark.parametrize("name", ["RegistryTable", "DocumentsBucket", "PortalBucket", "UserPool"])
def test_physical_names_carry_the_stage(packaged, name):
    properties = packaged.template()["Resources"][name]["Properties"]
    key = {"RegistryTable": "TableName", "UserPool": "UserPoolName"}.get(name, "BucketName")
    assert "${Stage}" in properties[key]["Fn::Sub"]
