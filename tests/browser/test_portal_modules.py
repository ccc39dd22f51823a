"""The portal's JavaScript modules on their own (run with node, no browser, no stack):
dictionary parity, no copy of the API's error texts (an API error is shown with its own
message), the check-digit function against the registry's own, and no HTML parsing
anywhere."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from chalicelib.registry.domain.accounts import AccountType, check_digits, is_valid
from tests.browser.conftest import api_error_body, api_error_classes

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="node is needed to run the portal's modules")


def node(script: str, payload: object = None) -> object:
    """Run an ES module snippet with node; it prints JSON; the payload arrives on stdin."""
    run = subprocess.run([NODE, "--input-type=module", "-e", script], cwd=FRONTEND, input=json.dumps(payload),
                         env={**os.environ, "TZ": "Europe/London"},
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def dictionaries() -> dict[str, dict[str, str]]:
    return node('import { dictionaries } from "./i18n.js"; console.log(JSON.stringify(dictionaries));')


def test_the_japanese_and_english_dictionaries_have_the_same_keys():
    loaded = dictionaries()
    assert set(loaded) == {"ja", "en"}
    only_ja = sorted(set(loaded["ja"]) - set(loaded["en"]))
    only_en = sorted(set(loaded["en"]) - set(loaded["ja"]))
    assert only_ja == [] and only_en == [], f"only in ja: {only_ja}; only in en: {only_en}"


def test_every_entry_is_non_empty_text_with_the_same_placeholders_in_both_languages():
    loaded = dictionaries()
    for key, japanese in loaded["ja"].items():
        english = loaded["en"][key]
        assert isinstance(japanese, str) and japanese.strip(), key
        assert isinstance(english, str) and english.strip(), key
        assert sorted(re.findall(r"\{(\w+)\}", japanese)) == sorted(re.findall(r"\{(\w+)\}", english)), key


def test_english_entries_are_english_and_japanese_entries_are_japanese():
    loaded = dictionaries()
    cjk = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
    exceptions = {"lang.toggle"}  # the toggle names the other language in that language
    english_with_japanese = [k for k, v in loaded["en"].items() if cjk.search(v) and k not in exceptions]
    assert english_with_japanese == []
    # A Japanese text identical to the English one is a forgotten translation (units aside).
    same = sorted(k for k, v in loaded["ja"].items() if v == loaded["en"][k])
    assert same == ["common.amount"], same


def _documented_error_codes(document: dict) -> set[str]:
    """Every code named in the response descriptions ("Refused: CODE_A, CODE_B")."""
    codes: set[str] = set()
    for operations in document["paths"].values():
        for operation in operations.values():
            for response in operation.get("responses", {}).values():
                description = response.get("description", "")
                if ":" in description:
                    codes.update(re.findall(r"\b[A-Z][A-Z0-9_]{2,}\b", description.split(":", 1)[1]))
    return codes


def _api_error_codes() -> set[str]:
    """Every code the API can answer with: its error classes and its OpenAPI document."""
    import app  # noqa: F401 - registers every route
    from chalicelib.core.http.openapi import document

    codes = set(api_error_classes()) | _documented_error_codes(document())
    assert {"AUTH_FAILED", "INSUFFICIENT_UNITS", "MARKET_CLOSED", "INVALID_TOKEN", "INTERNAL_ERROR", "SERVICE_UNAVAILABLE"} <= codes
    return codes


def test_the_dictionaries_keep_no_copy_of_the_api_s_error_texts():
    """An API error is shown with the API's own message: "error.<CODE>" is only for the
    failures that bring no API body (api.js PORTAL_ERRORS) and the last resort UNKNOWN."""
    api_codes = _api_error_codes()
    portal_codes = node('import { PORTAL_ERRORS } from "./api.js"; console.log(JSON.stringify(PORTAL_ERRORS));')
    assert sorted(set(portal_codes) & api_codes) == [], "a portal code must not look like one of the API's"
    loaded = dictionaries()
    for lang in ("ja", "en"):
        error_keys = {key.removeprefix("error.") for key in loaded[lang] if key.startswith("error.")}
        assert sorted(error_keys & api_codes) == [], f"{lang} repeats the API's text of these codes"
        assert error_keys == set(portal_codes) | {"UNKNOWN"}, lang


def test_an_api_error_is_shown_with_the_api_s_own_message_in_the_current_language():
    classes = api_error_classes()
    bodies = []
    for code in sorted(classes):
        try:
            bodies.append(api_error_body(code)["error"])
        except TypeError:
            continue  # its own constructor (InvalidToken(reason)): covered below
    bodies.append(classes["INVALID_TOKEN"]("expired").to_dict())
    assert {"MARKET_CLOSED", "RESERVE_BREACH", "AUTH_FAILED", "INVALID_TOKEN"} <= {body["code"] for body in bodies}
    shown = node(
        """
        import { setLang } from "./i18n.js";
        import { ApiError } from "./api.js";
        import { clientError, errorText } from "./ui.js";
        import { readFileSync } from "node:fs";
        const bodies = JSON.parse(readFileSync(0, "utf8"));
        const out = {};
        for (const lang of ["ja", "en"]) {
          setLang(lang);
          out[lang] = {
            api: bodies.map((body) => errorText(new ApiError(409, body))),
            portal: [new ApiError(0, { code: "NETWORK_ERROR" }), new ApiError(502, { code: "GATEWAY_ERROR" }),
                     { code: "CONFIG_UNAVAILABLE" }].map(errorText),
            unknown: errorText(new ApiError(418, { code: "NO_SUCH_CODE" })),
            client: errorText(clientError("validation.required")),
          };
        }
        console.log(JSON.stringify(out));
        """,
        bodies,
    )
    assert shown["ja"]["api"] == [body["message_ja"] for body in bodies]
    assert shown["en"]["api"] == [body["message"] for body in bodies]
    assert shown["ja"]["portal"] == ["サーバーに接続できませんでした。通信環境を確認し、再度お試しください。",
                                     "サーバーが応答しませんでした（混雑または時間切れ）。しばらくしてから再度お試しください。",
                                     "ポータルの設定を読み込めませんでした。時間をおいて再読み込みしてください。"]
    assert shown["en"]["portal"] == ["Could not reach the server. Check your connection and try again.",
                                     "The server did not answer (busy or timed out). Please try again shortly.",
                                     "The portal's settings could not be loaded. Please reload later."]
    assert (shown["ja"]["unknown"], shown["en"]["unknown"]) == ("エラーが発生しました。", "An error occurred.")
    assert (shown["ja"]["client"], shown["en"]["client"]) == ("入力してください。", "Enter a value.")


def test_the_check_digits_match_the_registry_for_random_account_numbers():
    rng = random.Random(20260401)
    cases = [
        {"registry": "JP", "type": int(rng.choice(list(AccountType))), "identifier": rng.randint(1, 10 ** rng.randint(1, 15) - 1),
         "period": rng.randint(0, 99)}
        for _ in range(500)
    ] + [{"registry": "JP", "type": 121, "identifier": 10 ** 15 - 1, "period": 99}, {"registry": "GB", "type": 100, "identifier": 7, "period": 2}]
    computed = node(
        """
        import { checkDigits } from "./accounts.js";
        import { readFileSync } from "node:fs";
        const cases = JSON.parse(readFileSync(0, "utf8"));
        console.log(JSON.stringify(cases.map((c) => checkDigits(c.registry, c.type, String(c.identifier), c.period))));
        """,
        cases,
    )
    expected = [check_digits(c["registry"], c["type"], c["identifier"], c["period"]) for c in cases]
    assert computed == expected


def test_the_javascript_validation_agrees_with_the_registry_on_valid_and_mistyped_numbers():
    rng = random.Random(7)
    samples = ["JP-121-1053-0-25", "JP-120-6-0-31", "JP-100-1-0-42", "JP-121-1053-0-26", "JP-121-1053-00-25", "JP-999-1-0-42",
               "GB-121-1053-0-25", "JP-121-01053-0-25", "JP-121-1053-0-5", "JP-121-1053-0", "", "JP121105302",
               "JP-300-1-0-85", "JP-120-1-0-56", "JP-120-2-0-51", "JP-121-1-0-47", "JP-230-12-1-0"]
    for _ in range(300):
        type_code = int(rng.choice(list(AccountType)))
        identifier, period = rng.randint(1, 10 ** 9), rng.randint(0, 2)
        good = f"JP-{type_code}-{identifier}-{period}-{check_digits('JP', type_code, identifier, period):02d}"
        samples.append(good)
        position = rng.randrange(len(good))
        if good[position].isdigit():  # one mistyped digit, as a user would
            samples.append(good[:position] + str((int(good[position]) + rng.randint(1, 9)) % 10) + good[position + 1:])
        swapped = list(good)
        i = rng.randrange(len(good) - 1)
        swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
        samples.append("".join(swapped))
    results = node(
        """
        import { validateAccountNumber } from "./accounts.js";
        import { readFileSync } from "node:fs";
        const samples = JSON.parse(readFileSync(0, "utf8"));
        console.log(JSON.stringify(samples.map((s) => validateAccountNumber(s))));
        """,
        samples,
    )
    disagreements = [(s, r) for s, r in zip(samples, results, strict=True) if r["valid"] != is_valid(s)]
    assert disagreements == []
    reasons = dict(zip(samples, (r.get("reason") for r in results), strict=True))
    assert reasons["JP-121-1053-0-26"] == "check"
    assert reasons["JP-999-1-0-42"] == "type"
    assert reasons["GB-121-1053-0-25"] == "registry"
    assert reasons["JP-121-1053-0"] == "format"
    assert reasons[""] == "empty"


def test_what_a_user_types_in_full_width_is_normalised_before_it_is_checked():
    results = node(
        """
        import { validateAccountNumber } from "./accounts.js";
        console.log(JSON.stringify(["ＪＰ－１２１－１０５３－０－２５", " jp-121-1053-0-25 ", "JP‐121‐1053‐0‐25"].map(validateAccountNumber)));
        """
    )
    assert [r["valid"] for r in results] == [True, True, True]
    assert {r["value"] for r in results} == {"JP-121-1053-0-25"}


def test_numbers_have_thousands_separators_and_times_are_japan_time_wherever_the_browser_is():
    shown = node(
        """
        import { setLang, fmtAmount, fmtDate, fmtDateTime, fmtTime, jstDateString } from "./i18n.js";
        const out = {};
        for (const lang of ["ja", "en"]) {
          setLang(lang);
          out[lang] = [fmtAmount(1125), fmtDate("2026-11-29"), fmtDateTime("2026-11-29T16:46:15.152487+09:00"),
                       fmtDateTime("2026-11-30T10:00:00+09:00", { seconds: false, weekday: true }), fmtTime("2026-11-30T09:00:00Z")];
        }
        out.today = jstDateString(0, new Date("2026-11-29T15:30:00Z"));  // 00:30 on the 30th in Japan
        out.monthAgo = jstDateString(-30, new Date("2026-11-29T15:30:00Z"));
        console.log(JSON.stringify(out));
        """
    )
    assert shown["ja"] == ["1,125 t-CO2", "2026/11/29", "2026/11/29 16:46:15", "2026/11/30(月) 10:00", "18:00"]
    assert shown["en"] == ["1,125 t-CO2", "29 Nov 2026", "29 Nov 2026, 16:46:15", "Mon, 30 Nov 2026, 10:00", "18:00"]
    assert (shown["today"], shown["monthAgo"]) == ("2026-11-30", "2026-10-31")


def test_the_portal_never_parses_html_and_never_hard_codes_the_api_address():
    forbidden = re.compile(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|DOMParser|createContextualFragment|eval\(|new Function")
    for path in FRONTEND.rglob("*.js"):
        if not path.is_file():
            continue  # vendor/chart.js/ is a folder
        text = path.read_text()
        assert not forbidden.search(text), f"{path.relative_to(ROOT)} builds HTML from text"
        assert not re.search(r"https?://(127\.0\.0\.1|localhost)|:8000|execute-api", text), f"{path.relative_to(ROOT)} hard-codes an address"
    html = (FRONTEND / "index.html").read_text()
    assert "<script>" not in html and "onclick=" not in html  # no inline script: the CSP allows only 'self'
