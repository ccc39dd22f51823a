"""Structured logging and metrics (Powertools), one instance per container.

The logger never receives request bodies or headers: only the method, path, status,
error code and correlation id, so tokens and passwords cannot reach the logs.
"""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger, Metrics

os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "jvets")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "JVETS")

logger = Logger(service=os.environ["POWERTOOLS_SERVICE_NAME"])
metrics = Metrics(namespace=os.environ["POWERTOOLS_METRICS_NAMESPACE"], service=os.environ["POWERTOOLS_SERVICE_NAME"])
