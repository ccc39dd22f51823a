"""The trading window: 10:00-18:00 JST on business days.

Not a business day: Saturday, Sunday, a national holiday of Japan (from the maintained
``holidays`` library), or the government's year-end closure, 29 December - 3 January.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from chalicelib.core.clock import JST

OPENS = time(10, 0)
CLOSES = time(18, 0)
#: Forced-open windows last until changed; this is their stored closing time.
FOREVER = "9999-12-31T23:59:59+09:00"


@lru_cache(maxsize=16)
def _holidays(year: int) -> frozenset[date]:
    from holidays.countries.japan import Japan  # imported where needed: cold start

    return frozenset(Japan(years=year).keys())


def is_year_end_closure(day: date) -> bool:
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year) and not is_year_end_closure(day)


def window_of(day: date) -> tuple[datetime, datetime]:
    return datetime.combine(day, OPENS, JST), datetime.combine(day, CLOSES, JST)


def is_open(now: datetime) -> bool:
    now = now.astimezone(JST)
    opens, closes = window_of(now.date())
    return is_business_day(now.date()) and opens <= now < closes


class NoBusinessDay(ValueError):
    """No business day within the search's horizon: the holiday data is wrong, a bug."""

    def __init__(self, days: int) -> None:
        super().__init__(f"no business day within {days} days")


def next_window(now: datetime) -> tuple[datetime, datetime]:
    """The window open at ``now``, or else the next one to open."""
    now = now.astimezone(JST)
    day = now.date()
    horizon = 400
    for _ in range(horizon):
        if is_business_day(day):
            opens, closes = window_of(day)
            if now < closes:
                return opens, closes
        day += timedelta(days=1)
    raise NoBusinessDay(horizon)


def next_opening(now: datetime) -> datetime:
    """The next opening strictly after ``now`` (after the current window if open)."""
    opens, closes = next_window(now)
    if opens > now.astimezone(JST):
        return opens
    return next_window(closes)[0]


@dataclass(frozen=True)
class MarketState:
    """What is stored: the administrator's mode and the status the schedule derived."""

    mode: str = "auto"  # auto | halted | force_open | force_close
    status: str = "closed"  # open | closed | halted
    closes_at: str = ""
    reason: str = ""
    updated_at: str = ""


def derive(mode: str, now: datetime, reason: str = "") -> MarketState:
    """The state the market should be in at ``now`` under ``mode``."""
    stamp = now.astimezone(JST).isoformat(timespec="seconds")
    if mode == "halted":
        return MarketState(mode, "halted", "", reason, stamp)
    if mode == "force_open":
        return MarketState(mode, "open", FOREVER, reason, stamp)
    if mode == "force_close":
        return MarketState(mode, "closed", "", reason, stamp)
    if is_open(now):
        return MarketState("auto", "open", window_of(now.astimezone(JST).date())[1].isoformat(), reason, stamp)
    return MarketState("auto", "closed", "", reason, stamp)


def effective_status(state: MarketState, now: datetime) -> str:
    """What a transfer at ``now`` meets: open only until the stored closing time."""
    if state.status == "open" and state.closes_at > now.astimezone(JST).isoformat(timespec="seconds"):
        return "open"
    return "halted" if state.status == "halted" else "closed"


def view(state: MarketState, now: datetime) -> dict[str, object]:
    status = effective_status(state, now)
    now_jst = now.astimezone(JST)
    opens_at = closes_at = next_open = None
    if state.mode == "auto":
        opens, closes = next_window(now_jst)
        opens_at, closes_at = opens.isoformat(), closes.isoformat()
        next_open = next_opening(now_jst).isoformat()
    elif state.mode == "force_open":
        closes_at = None
    return {
        "status": status,
        "mode": state.mode,
        "reason": state.reason,
        "now": now_jst.isoformat(timespec="seconds"),
        "opens_at": opens_at,
        "closes_at": closes_at,
        "next_open": next_open,
    }


STATUS_JA = {"open": "取引時間中", "closed": "取引時間外", "halted": "取引停止中"}
_WEEKDAYS_JA = "月火水木金土日"


def closed_notice(status: str, mode: str, next_open: str | None, *, opening: bool = False) -> tuple[str, str]:
    """Why a transfer is refused now, in English and Japanese: halted, closed by the
    administrator, about to open (the calendar says open, the scheduled opening has not
    run yet), or outside the window (with the next opening as people write it)."""
    if status == "halted":
        return "trading is halted by the administrator.", "事務局により取引が停止されています。"
    if opening:
        return "the trading window is opening; please retry in a minute.", "まもなく取引が開始されます。1分ほどおいて再度お試しください。"
    if mode == "force_close" or next_open is None:
        return "the administrator has closed the trading window.", "事務局により取引時間外とされています。"
    opens = datetime.fromisoformat(next_open).astimezone(JST)
    return (
        f"the trading window is closed; it next opens on {opens:%a %d %b %Y}, {opens:%H:%M} JST.",
        f"取引時間外です。次の取引開始は {opens:%Y/%m/%d}({_WEEKDAYS_JA[opens.weekday()]}) {opens:%H:%M} です。",
    )
