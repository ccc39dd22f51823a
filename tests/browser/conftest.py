"""Browser tests of the participant portal: the local stack started exactly as `make run`
starts it (free ports, its own JVETS_LOCAL_DIR), headless Debian Chromium driven by
Playwright, axe-core for accessibility, screenshots under test-artifacts/screenshots/."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import axe_results

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
WIDTHS = {"desktop": 1280, "mobile": 390}
HEIGHTS = {"desktop": 900, "mobile": 844}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """`make run` on free ports with its own state directory; the trading window forced
    open with the administrator CLI (as an operator would) so transfers are possible."""
    local = tmp_path_factory.mktemp("local")
    ports = {"AWS_PORT": _free_port(), "API_PORT": _free_port(), "PORTAL_PORT": _free_port()}
    environment = {**os.environ, **{k: str(v) for k, v in ports.items()}, "JVETS_LOCAL_DIR": str(local)}
    for key in ("AWS_ENDPOINT_URL", "USER_POOL_ID", "USER_POOL_CLIENT_ID", "REGISTRY_TABLE", "COGNITO_JWKS_URL"):
        environment.pop(key, None)
    log = open(local / "make-run.log", "w")  # noqa: SIM115 - closed at teardown
    started = time.monotonic()
    process = subprocess.Popen(["make", "--no-print-directory", "run"], cwd=ROOT, env=environment,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    stack_file = local / "stack.json"
    try:
        while not stack_file.exists():
            if process.poll() is not None or time.monotonic() - started > 120:
                pytest.fail("make run did not come up:\n" + (local / "make-run.log").read_text())
            time.sleep(0.2)
        info = json.loads(stack_file.read_text())
        handle = {"info": info, "environment": environment, "local": local}
        admin(handle, "set_market", {"action": "force_open", "reason": "browser tests"})
        yield handle
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        log.close()


def admin(stack: dict[str, Any], function: str, event: dict[str, Any]) -> dict[str, Any]:
    """Run an administrator function against the stack, as `python -m chalicelib.admin` does."""
    run = subprocess.run([sys.executable, "-m", "chalicelib.admin", function, json.dumps(event)], cwd=ROOT,
                         env=stack["environment"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    return json.loads(run.stdout)


def user(stack: dict[str, Any], username: str) -> dict[str, Any]:
    return next(u for u in stack["info"]["users"] if u["username"] == username)


def api_error_classes() -> dict[str, type]:
    """Every error the API can answer with, by code: the subclasses of JvetsError once the
    app has imported every route."""
    import app  # noqa: F401 - imports every route and so every error class
    from chalicelib.core.errors import JvetsError
    classes: dict[str, type] = {}
    pending = [JvetsError]
    while pending:
        cls = pending.pop()
        classes.setdefault(cls.code, cls)
        pending.extend(cls.__subclasses__())
    return classes


def api_error_body(code: str, **params: Any) -> dict[str, Any]:
    """The error body the API answers for this code: ``{"error": {"code", "message", "message_ja"}}``.
    Placeholders not given in params are filled with "<name>"."""
    import string

    cls = api_error_classes()[code]
    fields = {name.split(".")[0].split("[")[0] for template in (cls.message_en, cls.message_ja)
              for _, name, _, _ in string.Formatter().parse(template) if name}
    return {"error": cls(**{**{name: f"<{name}>" for name in fields}, **params}).to_dict()}


class Api:
    """The API over HTTP, to check what the portal shows against what the registry holds."""

    def __init__(self, stack: dict[str, Any]) -> None:
        self.stack = stack
        self.base = stack["info"]["api_url"]
        self.tokens: dict[str, str] = {}

    def token(self, username: str) -> str:
        if username not in self.tokens:
            import requests

            response = requests.post(f"{self.base}/auth/login", timeout=10,
                                     json={"username": username, "password": user(self.stack, username)["password"]})
            assert response.status_code == 200, response.text
            self.tokens[username] = response.json()["id_token"]
        return self.tokens[username]

    def get(self, username: str, path: str, **params: Any) -> dict[str, Any]:
        import requests

        response = requests.get(f"{self.base}{path}", params=params, timeout=10,
                                headers={"Authorization": f"Bearer {self.token(username)}"})
        assert response.status_code == 200, response.text
        return response.json()

    def account(self, username: str) -> str:
        return user(self.stack, username)["accounts"][0]

    def balance(self, username: str) -> dict[str, Any]:
        return self.get(username, f"/accounts/{self.account(username)}/balance")

    def history(self, username: str, **params: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        cursor = None
        while True:
            page = self.get(username, f"/accounts/{self.account(username)}/transactions", limit=200,
                            **params, **({"cursor": cursor} if cursor else {}))
            items += page["items"]
            cursor = page["next_cursor"]
            if not cursor:
                return items


@pytest.fixture(scope="module")
def registry(stack: dict[str, Any]) -> Api:
    """The API over HTTP (named apart from tests/conftest.py's in-process ``api``)."""
    return Api(stack)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Portal:
    """One browser context (one user's tab) on the portal, with the helpers the tests share."""

    def __init__(self, browser: Any, stack: dict[str, Any], width: str = "desktop") -> None:
        self.stack = stack
        self.url = stack["info"]["portal_url"]
        # A browser far from Japan: every date and time shown must still be JST.
        self.context = browser.new_context(viewport={"width": WIDTHS[width], "height": HEIGHTS[width]},
                                           locale="ja-JP", timezone_id="Europe/London")
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.set_default_timeout(10_000)

    def close(self) -> None:
        self.context.close()
        assert self.errors == [], self.errors

    # --- navigation -------------------------------------------------------------------------

    def open(self, route: str = "") -> None:
        self.page.goto(f"{self.url}/{route}")
        self.page.wait_for_selector("#page-title")

    def go(self, route: str) -> None:
        """Follow a route inside the app (no reload), as clicking a link does."""
        self.page.evaluate("(hash) => { location.hash = hash; }", route)

    def login(self, username: str, password: str | None = None) -> None:
        self.open("#/login")
        self.page.fill("#username", username)
        self.page.fill("#password", password or user(self.stack, username)["password"])
        self.page.click("#login-submit")
        self.page.wait_for_selector("#nav-balance")

    def lang(self) -> str:
        return self.page.evaluate("document.documentElement.lang")

    def set_lang(self, lang: str) -> None:
        if self.lang() != lang:
            self.page.click("#lang-toggle")
        self.page.wait_for_function("(lang) => document.documentElement.lang === lang", arg=lang)

    def text(self, selector: str) -> str:
        return self.page.locator(selector).inner_text()

    # --- checks -------------------------------------------------------------------------------

    def assert_fits(self) -> None:
        widths = self.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"horizontal overflow: scrollWidth {widths[0]} > innerWidth {widths[1]}"

    def assert_no_japanese_in_english(self) -> None:
        """In English, no visible text is Japanese, except text marked lang="ja": the toggle
        back to 日本語 and what the organisation wrote in Japanese (a site's name, a reason)."""
        body = self.page.evaluate(
            """() => {
                let text = document.body.innerText;
                for (const element of document.body.querySelectorAll('[lang="ja"]')) text = text.replace(element.innerText, '');
                return text;
            }"""
        )
        japanese = re.findall(r"[\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]+", body)
        assert japanese == [], f"Japanese text on an English page: {japanese}"

    def axe(self) -> dict[str, int]:
        """axe-core on the page: every violation counted by impact."""
        from axe_playwright_python.sync_playwright import Axe

        results = Axe().run(self.page)
        counts: dict[str, int] = {}
        for violation in results.response["violations"]:
            counts[violation["impact"] or "unknown"] = counts.get(violation["impact"] or "unknown", 0) + 1
        serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == [], results.generate_report()
        return counts

    def capture(self, name: str, check_axe: bool = True) -> dict[str, int]:
        """The screen in both languages at 1280 and 390 px: no overflow, a PNG of each,
        English free of Japanese, axe with no serious or critical violation."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        counts: dict[str, int] = {}
        original = self.lang()
        size = self.page.viewport_size
        for lang in (original, "en" if original == "ja" else "ja"):
            self.set_lang(lang)
            if lang == "en":
                self.assert_no_japanese_in_english()
            for width_name, width in WIDTHS.items():
                self.page.set_viewport_size({"width": width, "height": HEIGHTS[width_name]})
                self.assert_fits()
                self.page.screenshot(path=str(SCREENSHOTS / f"{name}-{lang}-{width}.png"), full_page=True)
                if check_axe and (width_name == "desktop" or name in MOBILE_AXE):
                    for impact, count in self.axe().items():
                        counts[impact] = counts.get(impact, 0) + count
        self.page.set_viewport_size(size)
        self.set_lang(original)
        AXE_RESULTS[name] = counts
        return counts


@contextmanager
def answered(portal: Portal, path: str) -> Iterator[dict[str, Any]]:
    """The error body of the API's answer to the page's next request to this path, filled
    in when the block ends:

        with answered(p, "/transfers") as refusal:
            p.page.click("#execute")
        refusal["message_ja"]
    """
    refusal: dict[str, Any] = {}
    with portal.page.expect_response(lambda r: r.url.split("?")[0].endswith(path) and r.request.method != "OPTIONS") as info:
        yield refusal
    body = info.value.json()
    assert {"code", "message", "message_ja"} <= set(body["error"]), body
    refusal.update(body["error"])


def expect_api_text(portal: Portal, locator: Any, error: dict[str, Any]) -> None:
    """The element shows the API's own message and code in the current language, then in
    the other one (the language is switched back afterwards)."""
    from playwright.sync_api import expect

    original = portal.lang()
    for lang in (original, "en" if original == "ja" else "ja"):
        portal.set_lang(lang)
        expect(locator).to_contain_text(error["message_ja"] if lang == "ja" else error["message"])
        expect(locator).to_contain_text(error["code"])
    portal.set_lang(original)


#: Screens also checked with axe at 390 px (the stacked tables and wrapped header).
MOBILE_AXE = {"balance", "history", "transfer-input"}
#: Violations by screen (minor and moderate only; serious and critical fail the test),
#: printed at the end of the run by tests/conftest.py (which also gathers xdist workers').
AXE_RESULTS = axe_results


@pytest.fixture
def portal(browser: Any, stack: dict[str, Any]) -> Iterator[Any]:
    opened: list[Portal] = []

    def make(width: str = "desktop") -> Portal:
        opened.append(Portal(browser, stack, width))
        return opened[-1]

    yield make
    for one in opened:
        one.close()


_APPROVER_TOKENS: dict[str, str] = {}


def approved(stack: dict[str, Any], function: str, event: dict[str, Any], approver: str = "admin2") -> dict[str, Any]:
    """Propose with the console function (it may only propose), then approve through the
    API as the demo's second administrator, signed in with TOTP; what it executed."""
    import requests

    from devtools.totp import code

    proposal = admin(stack, function, event)["proposal"]
    base = stack["info"]["api_url"]
    key = f"{base}|{approver}"
    if key not in _APPROVER_TOKENS:
        who = user(stack, approver)
        answer = requests.post(f"{base}/auth/login", json={"username": approver, "password": who["password"]}, timeout=10).json()
        session = answer["error"]["details"][0]["session"]
        signed_in = requests.post(f"{base}/auth/mfa", timeout=10,
                                  json={"username": approver, "session": session, "code": code(who["totp_secret"])})
        assert signed_in.status_code == 200, signed_in.text
        _APPROVER_TOKENS[key] = signed_in.json()["id_token"]
    response = requests.post(f"{base}/proposals/{proposal['id']}/approve", json={"reason": "browser tests"}, timeout=30,
                             headers={"Authorization": f"Bearer {_APPROVER_TOKENS[key]}"})
    assert response.status_code == 200, response.text
    return dict(response.json()["result"] or {})
