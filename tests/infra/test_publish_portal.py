"""The portal's config.json generator and upload, offline (the local emulation
stands in for S3; CloudFront is a recording stub)."""

from __future__ import annotations

import json

import pytest

from devtools import publish_portal
from devtools.publish_portal import MissingOutput, portal_config, portal_files, publish, stack_outputs

OUTPUTS = {
    "EndpointURL": "https://abc123.execute-api.ap-northeast-1.amazonaws.com/api/",
    "Region": "ap-northeast-1",
    "UserPoolId": "ap-northeast-1_AbCdEf",
    "UserPoolClientId": "1example23clientid",
    "Stage": "prod",
    "PortalBucketName": "jvets-prod-portal-123456789012",
    "PortalDistributionId": "E2EXAMPLE",
    "PortalURL": "https://d111111abcdef8.cloudfront.net",
    "RegistryTableName": "jvets-prod-registry",
}


def test_the_config_has_exactly_the_keys_the_portal_reads():
    assert portal_config(OUTPUTS) == {
        "apiUrl": "https://abc123.execute-api.ap-northeast-1.amazonaws.com/api",
        "region": "ap-northeast-1",
        "userPoolId": "ap-northeast-1_AbCdEf",
        "userPoolClientId": "1example23clientid",
        "stage": "prod",
    }


def test_the_config_keys_match_what_the_local_stack_serves():
    from devtools import stack

    source = (stack.ROOT / "devtools" / "stack.py").read_text()
    for key in portal_config(OUTPUTS):
        assert f'"{key}"' in source


def test_a_missing_output_is_named():
    outputs = {k: v for k, v in OUTPUTS.items() if k != "UserPoolClientId"}
    with pytest.raises(MissingOutput, match="UserPoolClientId"):
        portal_config(outputs)


def test_every_output_the_generator_needs_is_declared_by_the_packaged_template(package_of):
    declared = set(package_of("dev").template()["Outputs"])
    assert set(publish_portal.CONFIG_OUTPUTS) | {"PortalBucketName", "PortalDistributionId"} <= declared


def test_stack_outputs_reads_describe_stacks():
    class FakeCloudFormation:
        def describe_stacks(self, StackName):  # noqa: N803 - boto3's name
            assert StackName == "jvets-prod"
            return {"Stacks": [{"Outputs": [{"OutputKey": k, "OutputValue": v} for k, v in OUTPUTS.items()]}]}

    assert stack_outputs(FakeCloudFormation(), "jvets-prod") == OUTPUTS


def test_the_frontend_is_uploaded_with_types_and_cache_headers(tmp_path):
    (tmp_path / "index.html").write_text("<html></html>")
    (tmp_path / "app.js").write_text("console.log(1)")
    (tmp_path / "config.json").write_text("{}")  # a stray local config is never published
    (tmp_path / ".DS_Store").write_text("x")
    (tmp_path / "README.md").write_text("# notes for developers")
    files = {key: (kind, cache) for _, key, kind, cache in portal_files(tmp_path)}
    assert files["index.html"] == ("text/html; charset=utf-8", publish_portal.NO_CACHE)
    assert files["app.js"][0].endswith("javascript; charset=utf-8")
    assert "config.json" not in files and ".DS_Store" not in files and "README.md" not in files


def test_vendored_code_is_published_with_its_licence_and_the_page_s_policy_allows_it(tmp_path):
    vendor = tmp_path / "vendor" / "chart.js"
    vendor.mkdir(parents=True)
    (vendor / "chart.umd.min.js").write_text("/*! Chart.js */")
    (vendor / "LICENSE.md").write_text("The MIT License (MIT)")
    (tmp_path / "views").mkdir()
    (tmp_path / "views" / "README.md").write_text("# notes for developers")
    files = {key: (kind, cache) for _, key, kind, cache in portal_files(tmp_path)}
    assert files["vendor/chart.js/chart.umd.min.js"] == ("text/javascript; charset=utf-8", publish_portal.NO_CACHE)
    assert files["vendor/chart.js/LICENSE.md"][0].startswith("text/markdown")
    assert "views/README.md" not in files
    # The real portal: Chart.js is vendored with its licence and loaded from 'self', which the CSP allows.
    real = {key for _, key, _, _ in portal_files()}
    assert {"vendor/chart.js/chart.umd.min.js", "vendor/chart.js/LICENSE.md"} <= real
    assert "README.md" not in real
    policy = (publish_portal.FRONTEND / "index.html").read_text().split('http-equiv="Content-Security-Policy" content="')[1].split('"')[0]
    assert "script-src 'self'" in policy and "cdn" not in policy.lower()
    assert "Chart.js v4.6.1" in (publish_portal.FRONTEND / "vendor" / "chart.js" / "chart.umd.min.js").read_text()[:200]
    assert "MIT License" in (publish_portal.FRONTEND / "vendor" / "chart.js" / "LICENSE.md").read_text()


class RecordingCloudFront:
    def __init__(self) -> None:
        self.calls: list[dict] = []

    def create_invalidation(self, **kwargs):
        self.calls.append(kwargs)
        return {"Invalidation": {"Id": "I123"}}


def test_publish_uploads_the_portal_and_config_prunes_and_invalidates(aws_client, tmp_path):
    s3 = aws_client("s3")
    bucket = "jvets-test-portal-publish"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"})
    s3.put_object(Bucket=bucket, Key="old.js", Body=b"stale")
    (tmp_path / "index.html").write_text("<html>JVETS</html>")
    cloudfront = RecordingCloudFront()
    outputs = {**OUTPUTS, "PortalBucketName": bucket}

    summary = publish(outputs, s3, cloudfront, frontend=tmp_path)

    keys = {o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert keys == {"index.html", "config.json"}
    assert summary["deleted"] == ["old.js"]
    config = s3.get_object(Bucket=bucket, Key="config.json")
    assert json.loads(config["Body"].read()) == portal_config(OUTPUTS)
    assert config["CacheControl"] == publish_portal.NO_CACHE
    assert config["ContentType"].startswith("application/json")
    (call,) = cloudfront.calls
    assert call["DistributionId"] == "E2EXAMPLE"
    assert call["InvalidationBatch"]["Paths"] == {"Quantity": 1, "Items": ["/*"]}


def test_the_cli_prints_the_config_from_saved_outputs_offline(tmp_path, capsys):
    saved = tmp_path / "outputs.json"
    saved.write_text(json.dumps({"Stacks": [{"Outputs": [{"OutputKey": k, "OutputValue": v}
                                                         for k, v in OUTPUTS.items()]}]}))
    assert publish_portal.main(["--outputs", str(saved), "--print-config"]) == 0
    assert json.loads(capsys.readouterr().out) == portal_config(OUTPUTS)
    assert publish_portal.main(["--outputs", str(saved), "--dry-run"]) == 0
    assert json.loads(capsys.readouterr().out)["uploaded"][-1] == "config.json"
