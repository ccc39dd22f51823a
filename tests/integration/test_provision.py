import base64
import json
import urllib.request

import pytest
import yaml

from devtools.provision import LOCALLY_PROVISIONED_TYPES, load_template, provision

REGION = "ap-northeast-1"

PASSWORD = "Correct-Horse-9-Battery"


@pytest.fixture(scope="module")
def provisioned(moto_server):
    return provision(moto_server.endpoint, stage="local", region=REGION)


def _jwt_payload(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_the_template_parses_with_safe_load_and_declares_the_expected_resources():
    template = load_template()
    assert set(template) <= {"Parameters", "Conditions", "Resources", "Outputs"}
    assert template["Parameters"]["Stage"]["AllowedValues"] == ["local", "dev", "prod"]
    assert "IsProd" in template["Conditions"]
    kinds = {name: r["Type"] for name, r in template["Resources"].items()}
    assert kinds["RegistryTable"] == "AWS::DynamoDB::Table"
    assert kinds["UserPoolClient"] == "AWS::Cognito::UserPoolClient"
    assert set(template["Outputs"]) == {
        "RegistryTableName",
        "DocumentsBucketName",
        "PortalBucketName",
        "UserPoolId",
        "UserPoolClientId",
    }


def test_provision_returns_names_ids_and_resolved_outputs(provisioned):
    assert provisioned["stage"] == "local"
    assert provisioned["region"] == REGION
    assert provisioned["tables"] == {"RegistryTable": "jvets-local-registry"}
    assert provisioned["buckets"] == {
        "DocumentsBucket": "jvets-local-documents-123456789012",
        "PortalBucket": "jvets-local-portal-123456789012",
    }
    assert provisioned["user_pool_id"].startswith(f"{REGION}_")
    assert provisioned["outputs"] == {
        "RegistryTableName": "jvets-local-registry",
        "DocumentsBucketName": "jvets-local-documents-123456789012",
        "PortalBucketName": "jvets-local-portal-123456789012",
        "UserPoolId": provisioned["user_pool_id"],
        "UserPoolClientId": provisioned["user_pool_client_id"],
    }


def test_the_registry_table_has_pk_sk_keys_and_no_secondary_index(provisioned, aws_client):
    ddb = aws_client("dynamodb")
    table = ddb.describe_table(TableName="jvets-local-registry")["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    # Every query names a partition; an index nobody queries would only cost writes.
    assert not table.get("GlobalSecondaryIndexes")
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    ttl = ddb.describe_time_to_live(TableName="jvets-local-registry")["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}


def test_the_buckets_exist_with_public_access_blocked_and_encryption(provisioned, aws_client):
    s3 = aws_client("s3")
    for name in provisioned["buckets"].values():
        block = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
        assert block == {
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        }
        rules = s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"]["Rules"]
        assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
        location = s3.get_bucket_location(Bucket=name)["LocationConstraint"]
        assert location == REGION
    documents = provisioned["buckets"]["DocumentsBucket"]
    assert s3.get_bucket_versioning(Bucket=documents)["Status"] == "Enabled"
    rule, sheets = s3.get_bucket_lifecycle_configuration(Bucket=documents)["Rules"]
    assert rule["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
    # Performance sheets built for download live a day.
    assert (sheets["Filter"], sheets["Expiration"], sheets["NoncurrentVersionExpiration"]["NoncurrentDays"]) == (
        {"Prefix": "sheets/"}, {"Days": 1}, 1)


def test_the_user_pool_has_org_id_the_three_groups_and_a_password_auth_client(
    provisioned, aws_client
):
    idp = aws_client("cognito-idp")
    pool_id = provisioned["user_pool_id"]
    pool = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["Name"] == "jvets-local-users"
    attributes = {a["Name"]: a for a in pool["SchemaAttributes"]}
    assert attributes["custom:org_id"]["Mutable"] is True
    assert attributes["custom:org_id"]["StringAttributeConstraints"] == {
        "MinLength": "1",
        "MaxLength": "64",
    }
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 12
    assert pool["MfaConfiguration"] == "OPTIONAL"
    groups = idp.list_groups(UserPoolId=pool_id)["Groups"]
    assert {g["GroupName"] for g in groups} == {"participant", "verifier", "admin"}
    assert all(g.get("Description") for g in groups)
    client = idp.describe_user_pool_client(
        UserPoolId=pool_id, ClientId=provisioned["user_pool_client_id"]
    )["UserPoolClient"]
    assert client["ClientName"] == "jvets-portal"
    assert "ALLOW_USER_PASSWORD_AUTH" in client["ExplicitAuthFlows"]
    assert "custom:org_id" in client["ReadAttributes"]
    assert client["WriteAttributes"] == ["email"]
    assert "ClientSecret" not in client


def test_an_admin_created_user_can_log_in_and_the_id_token_carries_org_and_groups(
    provisioned, aws_client
):
    idp = aws_client("cognito-idp")
    pool_id, client_id = provisioned["user_pool_id"], provisioned["user_pool_client_id"]
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username="alice",
        UserAttributes=[
            {"Name": "email", "Value": "alice@example.jp"},
            {"Name": "custom:org_id", "Value": "ORG-0001"},
        ],
        MessageAction="SUPPRESS",
    )
    idp.admin_set_user_password(
        UserPoolId=pool_id, Username="alice", Password=PASSWORD, Permanent=True
    )
    idp.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="verifier")

    result = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]

    claims = _jwt_payload(result["IdToken"])
    assert claims["custom:org_id"] == "ORG-0001"
    assert claims["cognito:groups"] == ["verifier"]
    assert claims["aud"] == client_id
    assert claims["iss"].endswith(f"/{pool_id}")


def test_the_jwks_is_served_under_the_user_pool_path(provisioned, moto_server):
    url = f"{moto_server.endpoint}/{provisioned['user_pool_id']}/.well-known/jwks.json"
    with urllib.request.urlopen(url, timeout=10) as response:
        jwks = json.load(response)
    assert jwks["keys"] and all(k["kty"] == "RSA" and "kid" in k for k in jwks["keys"])


def test_provisioning_twice_reuses_what_already_exists(provisioned, moto_server, aws_client):
    again = provision(moto_server.endpoint, stage="local", region=REGION)
    assert again == provisioned
    pools = aws_client("cognito-idp").list_user_pools(MaxResults=60)["UserPools"]
    assert [p["Name"] for p in pools].count("jvets-local-users") == 1


def test_unknown_resource_types_are_skipped_and_conditions_follow_the_stage(
    tmp_path, moto_server, aws_client
):
    template = load_template()
    template["Resources"]["SomeAlarm"] = {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {"AlarmName": {"Fn::Sub": "${Stage}-alarm"}},
    }
    template["Outputs"]["AlarmName"] = {"Value": {"Ref": "SomeAlarm"}}
    path = tmp_path / "resources.yaml"
    path.write_text(yaml.safe_dump(template))

    result = provision(moto_server.endpoint, stage="prod", region=REGION, template_path=path)

    assert "AWS::CloudWatch::Alarm" not in LOCALLY_PROVISIONED_TYPES
    assert "AlarmName" not in result["outputs"]
    assert result["tables"] == {"RegistryTable": "jvets-prod-registry"}
    table = aws_client("dynamodb").describe_table(TableName="jvets-prod-registry")["Table"]
    assert table.get("DeletionProtectionEnabled") is True


def test_a_stage_outside_the_allowed_values_is_rejected(moto_server):
    with pytest.raises(ValueError, match="AllowedValues"):
        provision(moto_server.endpoint, stage="staging", region=REGION)
