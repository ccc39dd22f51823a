"""Start the local stack as `make run` does, in a temp dir with free ports (for tests,
the soak and benchmarks that need the whole system running)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RunningStack:
    def __init__(self, local: Path) -> None:
        self.local = local
        self.ports = {"AWS_PORT": free_port(), "API_PORT": free_port(), "PORTAL_PORT": free_port()}
        self.environment = {**os.environ, **{k: str(v) for k, v in self.ports.items()}, "JVETS_LOCAL_DIR": str(local)}
        for key in ("AWS_ENDPOINT_URL", "USER_POOL_ID", "USER_POOL_CLIENT_ID", "REGISTRY_TABLE", "COGNITO_JWKS_URL"):
            self.environment.pop(key, None)
        self.process: subprocess.Popen | None = None
        self.info: dict[str, Any] = {}

    def start(self, timeout: float = 120) -> RunningStack:
        self.log = open(self.local / "make-run.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(["make", "--no-print-directory", "run"], cwd=ROOT, env=self.environment,
                                        stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        stack_file = self.local / "stack.json"
        while not stack_file.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("make run did not come up:\n" + (self.local / "make-run.log").read_text())
            time.sleep(0.2)
        self.info = json.loads(stack_file.read_text())
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        if hasattr(self, "log"):
            self.log.close()

    def admin(self, function: str, event: dict[str, Any]) -> dict[str, Any]:
        run = subprocess.run([sys.executable, "-m", "chalicelib.admin", function, json.dumps(event)], cwd=ROOT,
                             env=self.environment, capture_output=True, text=True, timeout=120)
        result = json.loads(run.stdout)
        if run.returncode != 0:
            raise AssertionError(f"{function} failed: {result}")
        return result

    def user(self, username: str) -> dict[str, Any]:
        return next(u for u in self.info["users"] if u["username"] == username)

    def login(self, username: str) -> str:
        """Sign in; a user with an authenticator (every administrator) gives its code."""
        user = self.user(username)
        response = requests.post(f"{self.info['api_url']}/auth/login",
                                 json={"username": username, "password": user["password"]}, timeout=30)
        if response.status_code == 401 and response.json()["error"]["code"] == "MFA_REQUIRED":
            from devtools.totp import code

            session = response.json()["error"]["details"][0]["session"]
            response = requests.post(f"{self.info['api_url']}/auth/mfa", timeout=30, json={
                "username": username, "session": session, "code": code(user["totp_secret"])})
        response.raise_for_status()
        return response.json()["id_token"]

    def approved(self, function: str, event: dict[str, Any], approver: str = "admin2") -> dict[str, Any]:
        """Propose with the console function (it may only propose), then approve through
        the API as ``approver`` signed in with MFA; returns what the approval executed."""
        proposal = self.admin(function, event)["proposal"]
        tokens: dict[str, str] = self.__dict__.setdefault("_approver_tokens", {})
        if approver not in tokens:  # one sign-in: a TOTP code is good once per 30 s
            tokens[approver] = self.login(approver)
        response = requests.post(f"{self.info['api_url']}/proposals/{proposal['id']}/approve", json={"reason": "four eyes"},
                                 headers={"Authorization": f"Bearer {tokens[approver]}"}, timeout=60)
        if response.status_code != 200:
            raise AssertionError(f"approving {function} failed: {response.text}")
        return dict(response.json()["result"] or {})
