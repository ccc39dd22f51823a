"""The trading window: 10:00-18:00 JST on business days."""

from __future__ import annotations

from datetime import datetime

import pytest

from chalicelib.core.clock import JST
from chalicelib.registry.domain import calendar


def jst(*parts):
    return datetime(*parts, tzinfo=JST)


@pytest.mark.parametrize("day", [21, 22, 23])
def test_silver_week_2026_is_closed(day):
    assert not calendar.is_open(jst(2026, 9, day, 12, 0))


@pytest.mark.parametrize("moment", [jst(2026, 12, 29, 12), jst(2026, 12, 31, 11), jst(2027, 1, 2, 10), jst(2027, 1, 3, 15)])
def test_the_year_end_closure_is_closed(moment):
    assert not calendar.is_open(moment)


def test_2027_01_04_opens_at_ten_jst():
    assert not calendar.is_open(jst(2027, 1, 4, 9, 59, 59))
    assert calendar.is_open(jst(2027, 1, 4, 10, 0))
    assert calendar.is_open(jst(2027, 1, 4, 17, 59, 59))
    assert not calendar.is_open(jst(2027, 1, 4, 18, 0))


def test_weekends_are_closed_and_utc_instants_are_read_in_jst():
    assert not calendar.is_open(jst(2026, 11, 28, 12))  # Saturday
    assert calendar.is_open(datetime.fromisoformat("2026-11-30T01:30:00+00:00"))  # Monday 10:30 JST


def test_the_next_opening_skips_the_year_end_and_holidays():
    assert calendar.next_opening(jst(2026, 12, 28, 18, 5)) == jst(2027, 1, 4, 10)
    assert calendar.next_opening(jst(2026, 9, 18, 19)) == jst(2026, 9, 24, 10)
    assert calendar.next_opening(jst(2026, 11, 30, 9)) == jst(2026, 11, 30, 10)
    assert calendar.next_opening(jst(2026, 11, 30, 11)) == jst(2026, 12, 1, 10)


def test_derive_is_idempotent_and_a_missed_close_cannot_leave_the_window_open():
    opened = calendar.derive("auto", jst(2026, 11, 30, 10, 0, 5))
    assert (opened.status, opened.closes_at) == ("open", "2026-11-30T18:00:00+09:00")
    assert calendar.derive("auto", jst(2026, 11, 30, 10, 0, 5)) == opened
    # The 18:00 run never came: the stored state still says open, yet at 18:30 it is closed.
    assert calendar.effective_status(opened, jst(2026, 11, 30, 18, 30)) == "closed"
    assert calendar.derive("auto", jst(2026, 11, 30, 18, 30)).status == "closed"


def test_modes_override_the_calendar():
    sunday = jst(2026, 11, 29, 12)
    assert calendar.effective_status(calendar.derive("force_open", sunday), sunday) == "open"
    monday = jst(2026, 11, 30, 12)
    assert calendar.effective_status(calendar.derive("force_close", monday), monday) == "closed"
    halted = calendar.derive("halted", monday, "maintenance")
    assert calendar.view(halted, monday)["status"] == "halted" and calendar.view(halted, monday)["reason"] == "maintenance"


def test_the_view_gives_the_next_opening_in_jst():
    view = calendar.view(calendar.derive("auto", jst(2026, 12, 28, 19)), jst(2026, 12, 28, 19))
    assert view["next_open"] == "2027-01-04T10:00:00+09:00"
    assert view["status"] == "closed"


def test_a_refused_transfer_says_when_the_window_next_opens_as_people_write_it():
    from chalicelib.registry.domain.calendar import closed_notice

    assert closed_notice("closed", "auto", "2026-11-30T10:00:00+09:00") == (
        "the trading window is closed; it next opens on Mon 30 Nov 2026, 10:00 JST.",
        "取引時間外です。次の取引開始は 2026/11/30(月) 10:00 です。",
    )
    assert closed_notice("halted", "halted", None)[1] == "事務局により取引が停止されています。"
    assert closed_notice("closed", "force_close", None)[0] == "the administrator has closed the trading window."


def test_a_transfer_before_the_scheduled_opening_has_run_is_told_to_retry_shortly():
    from chalicelib.registry.domain.calendar import closed_notice

    assert closed_notice("closed", "auto", "2026-12-03T10:00:00+09:00", opening=True) == (
        "the trading window is opening; please retry in a minute.",
        "まもなく取引が開始されます。1分ほどおいて再度お試しください。",
    )
