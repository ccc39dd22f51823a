"""``document_arrived``: the documents bucket notifies it of every object created under
``uploads/`` (declared in ``infra/cloud.yaml``: Chalice cannot package ``on_s3_event``).
Locally the stack delivers the same events (``devtools/stack.py``)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib import container
from chalicelib.core import events
from chalicelib.core.observability import logger

blueprint = Blueprint(__name__)


@blueprint.lambda_function(name="document_arrived")
def document_arrived(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    from chalicelib.documents.service import arrived

    # The bucket comes from the event: this function cannot have the bucket's name in
    # its environment (the bucket names the function, a cycle in CloudFormation).
    by_bucket: dict[str, list[dict[str, Any]]] = {}
    for record in event.get("Records") or []:
        by_bucket.setdefault((record.get("s3") or {}).get("bucket", {}).get("name", ""), []).append(record)
    outcomes = []
    for bucket, records in by_bucket.items():
        outcomes += arrived(records, documents=container.document_store(), objects=container.object_store(bucket),
                            publish=events.publish)
    for outcome in outcomes:
        logger.info("document arrival checked", extra=outcome)
    return {"outcomes": outcomes}
