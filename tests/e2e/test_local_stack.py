"""The local stack started exactly as `make run` starts it, used over HTTP."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from chalicelib.registry.domain.accounts import AccountNumber

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    local = tmp_path_factory.mktemp("local")
    ports = {"AWS_PORT": _free_port(), "API_PORT": _free_port(), "PORTAL_PORT": _free_port()}
    environment = {**os.environ, **{k: str(v) for k, v in ports.items()}, "JVETS_LOCAL_DIR": str(local)}
    for key in ("AWS_ENDPOINT_URL", "USER_POOL_ID", "USER_POOL_CLIENT_ID", "REGISTRY_TABLE", "COGNITO_JWKS_URL"):
        environment.pop(key, None)
    log = open(local / "make-run.log", "w")  # noqa: SIM115
    started = time.monotonic()
    process = subprocess.Popen(["make", "--no-print-directory", "run"], cwd=ROOT, env=environment,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    stack_file = local / "stack.json"
    while not stack_file.exists():
        if process.poll() is not None or time.monotonic() - started > 120:
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail("make run did not come up:\n" + (local / "make-run.log").read_text())
        time.sleep(0.2)
    info = json.loads(stack_file.read_text())
    yield {"info": info, "process": process, "environment": environment, "local": local, "ports": ports,
           "seconds": time.monotonic() - started}
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    log.close()


def _totp_code(stack) -> str:
    """The current code of the demo administrator, as the banner says to get it."""
    run = subprocess.run([sys.executable, "-m", "devtools.totp"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         env={**os.environ, "JVETS_LOCAL_DIR": str(stack["local"])})
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


def _login(stack, username):
    info = stack["info"]
    user = next(u for u in info["users"] if u["username"] == username)
    response = requests.post(f"{info['api_url']}/auth/login", json={"username": username, "password": user["password"]}, timeout=10)
    if user["role"] == "admin":  # administrators must give a code
        assert response.status_code == 401 and response.json()["error"]["code"] == "MFA_REQUIRED", response.text
        session = response.json()["error"]["details"][0]["session"]
        response = requests.post(f"{info['api_url']}/auth/mfa", timeout=10,
                                 json={"username": username, "session": session, "code": _totp_code(stack)})
    assert response.status_code == 200, response.text
    return response.json()["id_token"]


def test_stack_json_lists_the_urls_and_the_demo_logins(stack):
    info = stack["info"]
    assert info["api_url"] == f"http://127.0.0.1:{stack['ports']['API_PORT']}"
    assert info["portal_url"] == f"http://127.0.0.1:{stack['ports']['PORTAL_PORT']}"
    assert info["aws_endpoint"] == f"http://127.0.0.1:{stack['ports']['AWS_PORT']}"
    roles = {u["role"] for u in info["users"]}
    assert roles == {"admin", "verifier", "participant"}
    for user in info["users"]:
        # Administrators must use MFA: the demo's is enrolled and its key listed.
        assert set(user) == {"username", "password", "role", "org_id", "accounts"} | ({"totp_secret"} if user["role"] == "admin" else set())
        for number in user["accounts"]:
            AccountNumber.parse(number)
    # The two administrators share the scheme's accounts (the registry's 100 and 300).
    account_types = sorted(AccountNumber.parse(n).type for n in {n for u in info["users"] for n in u["accounts"]})
    assert account_types == [100, 120, 120, 121, 300]


def test_every_demo_login_works_over_http_and_me_answers(stack):
    info = stack["info"]
    administrator = next(u for u in info["users"] if u["username"] == "admin")
    deadline = time.monotonic() + 30
    while "authenticator key" not in (stack["local"] / "make-run.log").read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert f"authenticator key: {administrator['totp_secret']}" in (stack["local"] / "make-run.log").read_text()
    for user in info["users"]:
        token = _login(stack, user["username"])
        me = requests.get(f"{info['api_url']}/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert me.status_code == 200
        assert me.json()["org_id"] == user["org_id"]
        assert sorted(a["number"] for a in me.json()["accounts"]) == sorted(user["accounts"])


def test_the_demo_registry_is_alive_with_the_seed_balance_screen(stack):
    info = stack["info"]
    kanto = next(u for u in info["users"] if u["username"] == "kanto")
    token = _login(stack, "kanto")
    balance = requests.get(f"{info['api_url']}/accounts/{kanto['accounts'][0]}/balance",
                           headers={"Authorization": token}, timeout=10).json()
    assert (balance["balance"], balance["commitment_reserve"], balance["transferable"]) == (1125, 800, 325)
    assert [h["amount"] for h in balance["holdings"]] == [50, 50, 1000, 25]
    market = requests.get(f"{info['api_url']}/market", timeout=10).json()
    assert market["mode"] == "auto" and market["status"] in {"open", "closed"}
    run = subprocess.run([sys.executable, "-m", "chalicelib.admin", "audit_ledger", "{}"],
                         cwd=ROOT, env=stack["environment"], capture_output=True, text=True, timeout=60)
    audit = json.loads(run.stdout)
    assert audit["ok"] and audit["transactions"] >= 9, audit


def test_the_portal_is_served_with_its_config(stack):
    info = stack["info"]
    assert requests.get(info["portal_url"], timeout=10).status_code == 200
    config = requests.get(f"{info['portal_url']}/config.json", timeout=10).json()
    assert config["apiUrl"] == info["api_url"]


def test_the_admin_cli_opens_an_account_whose_number_validates(stack):
    run = subprocess.run([sys.executable, "-m", "chalicelib.admin", "open_account", '{"org_id":"aozora-trading","type":121}'],
                         cwd=ROOT, env=stack["environment"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    number = json.loads(run.stdout)["number"]
    assert AccountNumber.parse(number).type == 121
    token = _login(stack, "aozora")
    response = requests.get(f"{stack['info']['api_url']}/accounts/{number}", headers={"Authorization": token}, timeout=10)
    assert response.status_code == 200


def test_the_admin_cli_exits_non_zero_with_the_error_json(stack):
    run = subprocess.run([sys.executable, "-m", "chalicelib.admin", "open_account", '{"org_id":"nobody","type":121}'],
                         cwd=ROOT, env=stack["environment"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert json.loads(run.stdout)["error"]["code"] == "ORGANISATION_NOT_FOUND"


def test_an_upload_is_checked_on_arrival_as_the_bucket_notification_does_in_aws(stack):
    """The stack delivers S3's ObjectCreated events to document_arrived: a participant's
    announced PDF is accepted, a file that is not what was announced is deleted."""
    info = stack["info"]
    headers = {"Authorization": f"Bearer {_login(stack, 'kanto')}"}
    pdf = b"%PDF-1.7\n" + b"0" * 500 + b"\n%%EOF\n"

    def announce_and_upload(content: bytes) -> str:
        announced = requests.post(f"{info['api_url']}/documents", headers=headers, timeout=10, json={
            "kind": "evidence", "filename": "請求書.pdf", "content_type": "application/pdf", "size": len(pdf)})
        assert announced.status_code == 201, announced.text
        form = announced.json()["upload"]
        posted = requests.post(form["url"], data=form["fields"], files={"file": ("請求書.pdf", content)}, timeout=10)
        assert posted.status_code == 204, posted.text
        return announced.json()["document"]["id"]

    def settled(document_id: str) -> dict:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            seen = requests.get(f"{info['api_url']}/documents/{document_id}", headers=headers, timeout=10).json()
            if seen["status"] != "awaiting_upload":
                return seen
            time.sleep(0.2)
        raise AssertionError(f"document {document_id} was never checked")

    accepted = settled(announce_and_upload(pdf))
    assert accepted["status"] == "accepted"
    assert requests.get(accepted["download"]["url"], timeout=10).content == pdf

    refused = settled(announce_and_upload(b"<html>" + b" " * (len(pdf) - 6)))
    assert refused["status"] == "rejected"
    assert [r["code"] for r in refused["reasons"]] == ["signature_mismatch"]


def test_the_ready_to_fill_sheet_is_downloaded_filled_uploaded_and_imported_over_http(stack):
    """The demo's ready-to-fill sheet (Kanto Steelworks, FY2026): downloaded by its link,
    filled with openpyxl, uploaded with the presigned POST, checked and imported by the
    stack's own delivery of S3's event; the calculation is the filled values. A bad
    sheet is then refused with its cell, and the figures stay."""
    import io

    import openpyxl

    info = stack["info"]
    api = info["api_url"]
    headers = {"Authorization": f"Bearer {_login(stack, 'kanto')}"}
    answer = requests.get(f"{api}/emissions/sheets/2026", headers=headers, timeout=30)
    assert answer.status_code == 200, answer.text
    sheet = answer.json()
    assert (sheet["org_id"], sheet["fiscal_year"], sheet["sources"], sheet["purpose"]) == (
        "kanto-steel", 2026, 7, "performance_sheet:FY2026")
    workbook = openpyxl.load_workbook(io.BytesIO(requests.get(sheet["url"], timeout=30).content))

    def submit(workbook) -> dict:
        out = io.BytesIO()
        workbook.save(out)
        data = out.getvalue()
        announced = requests.post(f"{api}/documents", headers=headers, timeout=30, json={
            "kind": "performance_sheet", "filename": sheet["filename"], "content_type":
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "size": len(data), "purpose": sheet["purpose"]})
        assert announced.status_code == 201, announced.text
        form = announced.json()["upload"]
        posted = requests.post(form["url"], data=form["fields"], files={"file": (sheet["filename"], data)}, timeout=30)
        assert posted.status_code == 204, posted.text
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            seen = requests.get(f"{api}/documents/{announced.json()['document']['id']}", headers=headers, timeout=30).json()
            if seen.get("review"):
                return seen
            time.sleep(0.3)
        raise AssertionError("the sheet was never reviewed")

    data_sheet = workbook["実績管理表"]
    data_sheet["E9"], data_sheet["I9"], data_sheet["J9"] = "MWh", 1000, "1,000.5"
    data_sheet["E10"], data_sheet["I10"] = "1000Nm3", 10
    imported = submit(workbook)
    assert imported["status"] == "accepted" and imported["review"]["outcome"] == "imported", imported["review"]
    calculation = requests.get(f"{api}/emissions/calculation?fiscal_year=2026", headers=headers, timeout=30).json()
    # 1000 MWh x 0.555 + 1000.5 MWh x 0.555 + 10 x 1000Nm3 x 2.23
    assert (calculation["t_co2_exact"], calculation["total_t"]) == ("1132.5775", 1132)

    data_sheet["K9"] = -1
    refused = submit(workbook)
    assert refused["review"]["outcome"] == "refused"
    assert [(p["code"], p["cell"]) for p in refused["review"]["problems"]] == [("NEGATIVE_QUANTITY", "K9")]
    again = requests.get(f"{api}/emissions/calculation?fiscal_year=2026", headers=headers, timeout=30).json()
    assert again["t_co2_exact"] == "1132.5775"


def test_a_second_make_run_says_the_stack_is_running_instead_of_crashing(stack):
    run = subprocess.run(["make", "--no-print-directory", "run"], cwd=ROOT, env=stack["environment"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0
    assert "already running" in run.stdout


def test_ctrl_c_stops_every_process_it_started(stack):
    ports = stack["ports"]
    os.killpg(stack["process"].pid, signal.SIGINT)
    assert stack["process"].wait(timeout=30) is not None
    assert not (stack["local"] / "stack.json").exists()
    for port in ports.values():
        assert _port_is_free(port), port
    leftovers = subprocess.run(["pgrep", "-f", f"--port {ports['API_PORT']}"], capture_output=True, text=True)
    assert leftovers.stdout.strip() == ""


def test_sigterm_stops_the_stack_too(tmp_path):
    ports = {"AWS_PORT": _free_port(), "API_PORT": _free_port(), "PORTAL_PORT": _free_port()}
    environment = {**os.environ, **{k: str(v) for k, v in ports.items()}, "JVETS_LOCAL_DIR": str(tmp_path)}
    process = subprocess.Popen([sys.executable, "-m", "devtools.stack"], cwd=ROOT, env=environment,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not (tmp_path / "stack.json").exists():
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    for port in ports.values():
        assert _port_is_free(port), port

