"""The local stack that ``make run`` starts: embedded AWS (moto, serialized), the
resources from ``infra/``, demo data, the API under ``chalice local`` and the portal.

    python -m devtools.stack

Writes ``.local/stack.json``; SIGINT or SIGTERM stops every process it started. A second
run while one is up says so and exits.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devtools.matching_schedules import MatchingScheduler

ROOT = Path(__file__).resolve().parents[1]
#: Where the running stack keeps its lock and ``stack.json`` (tests use their own).
LOCAL = Path(os.environ.get("JVETS_LOCAL_DIR", ROOT / ".local"))
STACK_FILE = LOCAL / "stack.json"
LOCK_FILE = LOCAL / "run.lock"
REGION = "ap-northeast-1"


def _port(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def app_environment(endpoint: str, provisioned: dict[str, Any]) -> dict[str, str]:
    """What the API process and the admin CLI need to reach the local resources."""
    pool = provisioned["user_pool_id"]
    return {
        "STAGE": "local",
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "REGISTRY_TABLE": provisioned["tables"]["RegistryTable"],
        "DOCUMENTS_BUCKET": provisioned["buckets"]["DocumentsBucket"],
        "USER_POOL_ID": pool,
        "USER_POOL_CLIENT_ID": provisioned["user_pool_client_id"],
        "COGNITO_JWKS_URL": f"{endpoint}/{pool}/.well-known/jwks.json",
    }


def use_environment(environment: dict[str, str]) -> None:
    """Point this process's adapters at the local resources."""
    from chalicelib import container

    os.environ.update(environment)
    container.reset()


class _PortalHandler(http.server.SimpleHTTPRequestHandler):
    portal_config: bytes = b"{}"

    def do_GET(self) -> None:
        if self.path.split("?", 1)[0] == "/config.json":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(self.portal_config)))
            self.end_headers()
            self.wfile.write(self.portal_config)
            return
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of the base
        pass


def start_portal(port: int, config: dict[str, Any]) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(_PortalHandler, directory=str(ROOT / "frontend"))
    _PortalHandler.portal_config = json.dumps(config).encode()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, name="portal", daemon=True).start()
    return server


def wait_for(url: str, timeout: float, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the API process exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


class WindowScheduler:
    """``chalice local`` serves only HTTP routes: drive the trading-window schedule here,
    with the same function the cloud's schedules call, once at start and every 30 s."""

    def __init__(self, interval: float = 30.0) -> None:
        self.interval = interval
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="trading-window", daemon=True)

    def _run(self) -> None:
        from chalicelib.registry.triggers import run_controls, sync_trading_window

        while not self.stopped.wait(self.interval):
            try:
                sync_trading_window()
                run_controls()  # held transfers due, proposals lapsed (the cloud: every 5 minutes)
            except Exception as error:  # noqa: BLE001 - keep the schedule alive, say why
                print(f"trading-window schedule failed: {error}", file=sys.stderr)

    def start(self) -> WindowScheduler:
        from chalicelib.registry.triggers import sync_trading_window

        sync_trading_window()
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stopped.set()


@dataclass
class Stack:
    aws_port: int = field(default_factory=lambda: _port("AWS_PORT", 4566))
    api_port: int = field(default_factory=lambda: _port("API_PORT", 8000))
    portal_port: int = field(default_factory=lambda: _port("PORTAL_PORT", 8080))
    stack_file: Path = STACK_FILE
    moto: Any = None
    api: subprocess.Popen | None = None
    portal: http.server.ThreadingHTTPServer | None = None
    info: dict[str, Any] = field(default_factory=dict)
    scheduler: WindowScheduler | None = None
    documents: Any = None

    def start(self) -> dict[str, Any]:
        from devtools import demo
        from devtools.motoserver import MotoServer
        from devtools.provision import provision

        started = time.monotonic()
        self.moto = MotoServer(port=self.aws_port).start()
        endpoint = self.moto.endpoint
        provisioned = provision(endpoint, stage="local", region=REGION)
        environment = {**app_environment(endpoint, provisioned), **demo.DEMO_DELAYS}
        use_environment(environment)
        users = demo.load()
        self.scheduler = WindowScheduler().start()
        MatchingScheduler().start()  # the notice board's schedules (expiry, e-mails: logged locally)
        # The documents bucket's notification: every upload is checked as in AWS. As in
        # Lambda, where the function's module is the app, importing the app subscribes every
        # system to the events document_arrived publishes (the performance sheet's import).
        import app  # noqa: F401
        from chalicelib.documents.domain.documents import UPLOAD_PREFIX
        from chalicelib.documents.triggers import document_arrived
        from devtools.s3_events import ObjectCreatedEvents

        self.documents = ObjectCreatedEvents(environment["DOCUMENTS_BUCKET"], UPLOAD_PREFIX, document_arrived).start()
        api_url = f"http://127.0.0.1:{self.api_port}"
        portal_url = f"http://127.0.0.1:{self.portal_port}"
        self.api = subprocess.Popen(
            [str(Path(sys.executable).parent / "chalice"), "local", "--no-autoreload", "--stage", "local",
             "--host", "127.0.0.1", "--port", str(self.api_port)],
            cwd=ROOT,
            env={**os.environ, **environment, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,
        )
        self.portal = start_portal(
            self.portal_port,
            {"apiUrl": api_url, "region": REGION, "userPoolId": environment["USER_POOL_ID"],
             "userPoolClientId": environment["USER_POOL_CLIENT_ID"], "stage": "local"},
        )
        wait_for(f"{api_url}/health", timeout=60, process=self.api)
        self.info = {
            "api_url": api_url,
            "portal_url": portal_url,
            "aws_endpoint": endpoint,
            "region": REGION,
            "pid": os.getpid(),
            "started_in_seconds": round(time.monotonic() - started, 2),
            "environment": environment,
            "users": [
                {"username": u["username"], "password": u["password"], "role": u["role"],
                 "org_id": u["org_id"], "accounts": u["accounts"],
                 **({"totp_secret": u["totp_secret"]} if u.get("totp_secret") else {})}
                for u in users
            ],
        }
        self.stack_file.parent.mkdir(parents=True, exist_ok=True)
        # Written whole, then renamed: a reader waiting for the file never sees it half written.
        partial = self.stack_file.with_suffix(".json.partial")
        partial.write_text(json.dumps(self.info, indent=2, ensure_ascii=False))
        os.replace(partial, self.stack_file)
        return self.info

    def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.stop()
        if self.documents is not None:
            self.documents.stop()
        if self.api is not None and self.api.poll() is None:
            try:
                os.killpg(self.api.pid, signal.SIGTERM)
                self.api.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.api.pid, signal.SIGKILL)
        if self.portal is not None:
            self.portal.shutdown()
            self.portal.server_close()
        if self.moto is not None:
            self.moto.stop()
        if self.stack_file.exists():
            self.stack_file.unlink()


def banner(info: dict[str, Any]) -> str:
    lines = [
        "",
        "JVETS local stack is up (embedded AWS emulation, no AWS account used)",
        f"  portal:        {info['portal_url']}",
        f"  API:           {info['api_url']}   (OpenAPI: {info['api_url']}/openapi.json)",
        f"  AWS emulation: {info['aws_endpoint']}",
        f"  started in {info['started_in_seconds']} s; details in {STACK_FILE}",
        "",
        "  demo logins (username / password / role / organisation / accounts):",
    ]
    for user in info["users"]:
        accounts = ", ".join(user["accounts"]) or "-"
        lines.append(f"    {user['username']:<9} {user['password']:<18} {user['role']:<11} {user['org_id']:<15} {accounts}")
    secrets = [user for user in info["users"] if user.get("totp_secret")]
    for user in secrets:
        lines += [
            "",
            f"  {user['username']} signs in with a one-time code (MFA is required for administrators).",
            f"    authenticator key: {user['totp_secret']}   current code: .venv/bin/python -m devtools.totp",
        ]
    lines += ["", "  admin functions: .venv/bin/python -m chalicelib.admin FUNCTION '<json>'", "  Ctrl-C stops everything.", ""]
    return "\n".join(lines)


def main() -> int:
    LOCAL.mkdir(parents=True, exist_ok=True)
    lock = open(LOCK_FILE, "a+")  # noqa: SIM115 - held for the life of the process
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        running = json.loads(STACK_FILE.read_text()) if STACK_FILE.exists() else {}
        print(
            "The JVETS local stack is already running"
            + (f" (pid {running.get('pid')}): portal {running.get('portal_url')}, API {running.get('api_url')}." if running else " (still starting).")
            + "\nStop it with Ctrl-C in its terminal first."
        )
        return 0
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    stack = Stack()
    try:
        info = stack.start()
        print(banner(info), flush=True)
        while not stop.is_set():
            if stack.api is not None and stack.api.poll() is not None:
                print(f"The API process exited with {stack.api.returncode}; stopping.", file=sys.stderr)
                return 1
            stop.wait(0.5)
    except OSError as error:
        print(f"Could not start the local stack: {error}", file=sys.stderr)
        return 1
    else:
        print("\nStopping the JVETS local stack…", flush=True)
        return 0
    finally:
        stack.stop()
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()


if __name__ == "__main__":
    sys.exit(main())
