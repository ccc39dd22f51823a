"""Publish the static portal of a deployed stack: ``frontend/`` plus a generated
``config.json`` to the portal bucket, then a CloudFront invalidation.

    python -m devtools.publish_portal --stack jvets-prod [--region ap-northeast-1]
    python -m devtools.publish_portal --stack jvets-prod --print-config   # config only
    python -m devtools.publish_portal --outputs outputs.json --print-config  # offline

The portal reads ``/config.json`` = ``{"apiUrl", "region", "userPoolId",
"userPoolClientId", "stage"}``; ``portal_config`` derives it from the stack's
outputs (``EndpointURL``, ``Region``, ``UserPoolId``, ``UserPoolClientId``,
``Stage``; the bucket and distribution from ``PortalBucketName`` and
``PortalDistributionId``). Needs AWS credentials for everything but
``--outputs ... --print-config``; the functions take the clients as arguments so
that the tests run them against the local emulation.
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FRONTEND = ROOT / "frontend"
CONFIG_KEY = "config.json"

#: Stack output -> config.json key.
CONFIG_OUTPUTS = {
    "EndpointURL": "apiUrl",
    "Region": "region",
    "UserPoolId": "userPoolId",
    "UserPoolClientId": "userPoolClientId",
    "Stage": "stage",
}
#: Third-party code served with the portal (Chart.js); its licence (LICENSE.md) is published with it.
VENDOR = "vendor/"
NO_CACHE = "no-cache, max-age=0"
SHORT_CACHE = "public, max-age=300"


class MissingOutput(KeyError):
    """The stack lacks an output the portal needs (not deployed from build/STAGE/sam.yaml?)."""


def stack_outputs(cloudformation: Any, stack_name: str) -> dict[str, str]:
    """``{OutputKey: OutputValue}`` of a deployed stack."""
    (stack,) = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    return {item["OutputKey"]: item["OutputValue"] for item in stack.get("Outputs", [])}


def _require(outputs: dict[str, str], key: str) -> str:
    value = outputs.get(key)
    if not value:
        raise MissingOutput(f"the stack has no output {key!r} (have: {', '.join(sorted(outputs)) or 'none'})")
    return value


def portal_config(outputs: dict[str, str]) -> dict[str, str]:
    """The portal's ``config.json`` from the stack outputs."""
    config = {key: _require(outputs, output) for output, key in CONFIG_OUTPUTS.items()}
    # Chalice's EndpointURL ends with "/api/"; the portal appends "/openapi.json" etc.
    config["apiUrl"] = config["apiUrl"].rstrip("/")
    return config


def portal_files(frontend: Path = FRONTEND) -> list[tuple[Path, str, str, str]]:
    """``(path, key, content type, cache control)`` of every file to upload."""
    files = []
    for path in sorted(p for p in frontend.rglob("*") if p.is_file()):
        key = path.relative_to(frontend).as_posix()
        vendored = key.startswith(VENDOR)
        if key == CONFIG_KEY or any(part.startswith(".") for part in key.split("/")) or (path.suffix == ".md" and not vendored):
            continue  # config.json is generated; dotfiles and developer notes are never published
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if content_type.startswith("text/") or content_type in ("application/javascript", "application/json"):
            content_type += "; charset=utf-8"
        # The portal's ES modules import one another without version stamps: serve the
        # pages and the code revalidated, so a deploy never mixes old and new modules.
        cache = NO_CACHE if path.suffix in {".html", ".js", ".css"} else SHORT_CACHE
        files.append((path, key, content_type, cache))
    return files


def publish(
    outputs: dict[str, str],
    s3: Any,
    cloudfront: Any = None,
    *,
    frontend: Path = FRONTEND,
    prune: bool = True,
    dry_run: bool = False,
) -> dict[str, Any]:
    """Upload the portal and its config; invalidate the distribution's cache."""
    bucket = _require(outputs, "PortalBucketName")
    config = portal_config(outputs)
    uploads = portal_files(frontend)
    keys = [key for _, key, _, _ in uploads] + [CONFIG_KEY]
    summary: dict[str, Any] = {"bucket": bucket, "config": config, "uploaded": keys, "deleted": [],
                               "invalidation": None}
    if dry_run:
        return summary
    for path, key, content_type, cache in uploads:
        s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes(), ContentType=content_type, CacheControl=cache)
    s3.put_object(
        Bucket=bucket,
        Key=CONFIG_KEY,
        Body=json.dumps(config, indent=2).encode(),
        ContentType="application/json; charset=utf-8",
        CacheControl=NO_CACHE,
    )
    if prune:
        stale = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            stale += [item["Key"] for item in page.get("Contents", []) if item["Key"] not in keys]
        for start in range(0, len(stale), 1000):
            s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in stale[start:start + 1000]]})
        summary["deleted"] = stale
    distribution = outputs.get("PortalDistributionId")
    if cloudfront is not None and distribution:
        response = cloudfront.create_invalidation(
            DistributionId=distribution,
            InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": f"publish-{time.time_ns()}"},
        )
        summary["invalidation"] = response["Invalidation"]["Id"]
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devtools.publish_portal", description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--stack", help="CloudFormation stack name, e.g. jvets-prod")
    source.add_argument("--outputs", help="JSON file: {OutputKey: OutputValue} or describe-stacks output")
    parser.add_argument("--region", default="ap-northeast-1")
    parser.add_argument("--print-config", action="store_true", help="print config.json and stop")
    parser.add_argument("--dry-run", action="store_true", help="show what would be uploaded")
    args = parser.parse_args(argv)
    session = None
    if args.outputs:
        data = json.loads(Path(args.outputs).read_text())
        if "Stacks" in data:
            data = {o["OutputKey"]: o["OutputValue"] for o in data["Stacks"][0].get("Outputs", [])}
        outputs = data
    else:
        import boto3

        session = boto3.session.Session(region_name=args.region)
        outputs = stack_outputs(session.client("cloudformation"), args.stack)
    try:
        if args.print_config:
            print(json.dumps(portal_config(outputs), indent=2))
            return 0
        if session is None and not args.dry_run:
            import boto3

            session = boto3.session.Session(region_name=args.region)
        s3 = session.client("s3") if session else None
        cloudfront = session.client("cloudfront") if session else None
        summary = publish(outputs, s3, cloudfront, dry_run=args.dry_run)
    except MissingOutput as error:
        print(f"cannot publish: {error.args[0]}", file=sys.stderr)
        return 1
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
