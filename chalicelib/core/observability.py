"""Structured logging and metrics (Powertools), one instance per container.

The logger never receives request bodies or headers: only the method, path, status,
error code and correlation id, so tokens and passwords cannot reach the logs.
"""

from __future__ import annotations

import os
import time

from aws_lambda_powertools import Logger, Metrics

os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "jvets")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "JVETS")

logger = Logger(service=os.environ["POWERTOOLS_SERVICE_NAME"])
metrics = Metrics(namespace=os.environ["POWERTOOLS_METRICS_NAMESPACE"], service=os.environ["POWERTOOLS_SERVICE_NAME"])


def record_request(method: str, route: str, status: int, code: str | None, started: float) -> None:
    """The request's one log line and its metrics (never its body or headers)."""
    logger.info(
        "request",
        extra={
            "method": method,
            "route": route,
            "status": status,
            "code": code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        },
    )
    logger.remove_keys(["username", "org_id"])
    metrics.add_metric(name="Requests", unit="Count", value=1)
    if status >= 500:
        metrics.add_metric(name="ServerErrors", unit="Count", value=1)
    metrics.flush_metrics()
