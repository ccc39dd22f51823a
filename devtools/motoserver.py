"""An embedded moto server whose requests are serialized.

moto is not atomic under concurrent requests (its ``transact_write_items``
saves what it touches before its actions and restores it on a cancellation, so two
concurrent transactions can lose each other's writes; ``devtools.moto_transactions``
makes it save the touched items instead of whole tables, and ``devtools.moto_queries``
makes a Query on the table's key read one partition instead of sorting the table,
``devtools.moto_scans`` a Scan page start where the last one stopped;
``devtools.moto_items`` builds an item in linear time, ``devtools.moto_responses`` writes
attribute values without walking the model). This server therefore holds
one lock for the whole of every request, including consuming the response body, so
that moto only ever sees one request at a time. Connections are still accepted concurrently
(``threaded=True``), so clients never deadlock waiting for a socket.

Usage::

    with MotoServer() as moto:
        boto3.client("dynamodb", endpoint_url=moto.endpoint, ...)

Note that moto's backends are process-global: an embedded server shares its
state with any ``moto.mock_aws`` used in the same process.
"""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Callable, Iterable
from typing import Any

from moto.core.model_instances import model_data
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer, make_server

from devtools import cognito_triggers, moto_items, moto_queries, moto_responses, moto_scans, moto_transactions

__all__ = ["MotoServer", "SerializedWSGIApp"]


class SerializedWSGIApp:
    """WSGI wrapper that runs one request at a time and counts requests."""

    def __init__(self, app: Callable[..., Iterable[bytes]]):
        self.app = app
        self._lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._request_count = 0

    @property
    def request_count(self) -> int:
        with self._count_lock:
            return self._request_count

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> list[bytes]:
        with self._count_lock:
            self._request_count += 1
        with self._lock:
            result = self.app(environ, start_response)
            try:
                body = b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
                _forget_dynamodb_instances()
        return [body]


def _forget_dynamodb_instances() -> None:
    """moto records every model instance it ever creates, for its dashboard. Its
    ``transact_write_items`` deep-copies whole tables (every item a model instance) to
    roll back, so that record grows by a table per transaction: 23 GB in a 2,000-transfer
    soak, before devtools.moto_transactions). Nothing here uses the dashboard; DynamoDB's
    record is dropped after each request."""
    for model in model_data.get("dynamodb", {}).values():
        model.instances_tracked = []  # type: ignore[attr-defined]


class _QuietRequestHandler(MotoRequestHandler):
    """moto's request handler without werkzeug's per-request access log."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class MotoServer:
    """A moto server in a daemon thread; ``port=0`` picks a free port."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.host = host
        self.port = port
        moto_transactions.install()
        moto_queries.install()
        moto_scans.install()
        moto_items.install()
        moto_responses.install()
        cognito_triggers.install()
        self._app = SerializedWSGIApp(DomainDispatcherApplication(create_backend_app))
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "", "::") else self.host  # noqa: S104 - a bind-all address, reached on loopback
        return f"http://{host}:{self.port}"

    @property
    def request_count(self) -> int:
        return self._app.request_count

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> MotoServer:
        if self._server is not None:
            return self
        # make_server binds immediately, so the real port is known on return.
        self._server = make_server(
            self.host,
            self.port,
            self._app,
            threaded=True,
            request_handler=_QuietRequestHandler,
        )
        self.port = self._server.server_port
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            name=f"moto-server-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=10)

    def reset(self) -> None:
        """Wipe every moto backend (all services, accounts and regions)."""
        request = urllib.request.Request(
            f"{self.endpoint}/moto-api/reset", data=b"", method="POST"
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()

    def __enter__(self) -> MotoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        # moto's backends are this process's, not the server's: wipe them, or the next
        # server in the process (``make bench`` runs its benches one after another)
        # starts with this one's tables, users and accounts.
        if self.running:
            self.reset()
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<MotoServer {self.endpoint} {state}>"
