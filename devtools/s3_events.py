"""The documents bucket's notification, delivered in the local stack.

In AWS the bucket invokes ``document_arrived`` for every object created under
``uploads/`` (``infra/cloud.yaml``). ``chalice local`` serves only HTTP routes and moto
cannot invoke Lambda functions without Docker, so the local stack listens where moto
announces each created object (``moto.s3.notifications.send_event``, in the stack's own
process) and hands S3's event, in S3's shape, to the same handler from a thread of its
own: never inside moto's request, so the handler's own calls to moto do not wait on it.
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote_plus

__all__ = ["ObjectCreatedEvents", "s3_record"]

_LISTENERS: list[ObjectCreatedEvents] = []
_installed = False
_install_lock = threading.Lock()


def s3_record(event_name: str, bucket: str, key: str, size: int, etag: str, version_id: str | None,
              region: str = "ap-northeast-1") -> dict[str, Any]:
    """One record of an S3 event notification (event version 2.1)."""
    obj: dict[str, Any] = {"key": quote_plus(key), "size": size, "eTag": etag.strip('"')}
    if version_id and version_id != "null":
        obj["versionId"] = version_id
    return {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "awsRegion": region,
        "eventTime": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "eventName": event_name.removeprefix("s3:"),
        "s3": {"s3SchemaVersion": "1.0", "configurationId": "document-arrival",
               "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"}, "object": obj},
    }


def _install() -> None:
    global _installed
    with _install_lock:
        if _installed:
            return
        from moto.s3 import notifications

        original = notifications.send_event

        def send_event(account_id: str, event_name: Any, bucket: Any, key: Any) -> None:
            original(account_id, event_name, bucket, key)
            name = getattr(event_name, "value", event_name)
            for listener in list(_LISTENERS):
                listener.offer(str(name), bucket.name, key)

        notifications.send_event = send_event
        _installed = True


class ObjectCreatedEvents:
    """Deliver ``ObjectCreated`` events of ``bucket`` under ``prefix`` to ``handler``."""

    def __init__(self, bucket: str, prefix: str, handler: Callable[[dict[str, Any], Any], Any]) -> None:
        self.bucket = bucket
        self.prefix = prefix
        self.handler = handler
        self._queue: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="s3-events", daemon=True)

    def offer(self, event_name: str, bucket: str, key: Any) -> None:
        if bucket != self.bucket or not event_name.startswith("s3:ObjectCreated:") or not key.name.startswith(self.prefix):
            return
        self._queue.put({"Records": [s3_record(event_name, bucket, key.name, key.size, key.etag, key.version_id)]})

    def _run(self) -> None:
        while True:
            event = self._queue.get()
            if event is None:
                return
            try:
                self.handler(event, None)
            except Exception as error:  # noqa: BLE001 - keep delivering, say why (Lambda would retry)
                print(f"document_arrived failed: {error}", file=sys.stderr)

    def start(self) -> ObjectCreatedEvents:
        _install()
        _LISTENERS.append(self)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self in _LISTENERS:
            _LISTENERS.remove(self)
        self._queue.put(None)
