"""A phase of the scheme: its timeline and its participants (DESIGN.md section 5).

Phase 1 as run: a setting-up year (selection, base-year verification), the commitment
year (a fiscal year, April to March; allowances issued at its start), the adjustment
period until 31 August of the following year, and trading open from the start of the
commitment year to the end of the adjustment period.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from typing import Any

from chalicelib.compliance.domain.errors import InvalidPhase

PHASE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")
PERIOD = re.compile(r"^[0-9]{2}$")


class ParticipantKind(str, Enum):
    #: A target with a subsidy for CO2-reducing equipment (returned if non-compliant).
    TARGET_SUBSIDISED = "target_subsidised"
    #: A target with a reduction commitment only.
    TARGET = "target"
    #: Trades only: no target, no allocation, no true-up.
    TRADING = "trading"

    @property
    def has_target(self) -> bool:
        return self is not ParticipantKind.TRADING


@dataclass(frozen=True)
class Participant:
    org_id: str
    kind: ParticipantKind
    #: Targets only: the committed reduction from base-year emissions, t-CO2.
    committed_reduction_t: int | None = None
    #: Subsidised targets only: the subsidy, yen (returned when non-compliant).
    subsidy_yen: int | None = None
    #: The organisation's names as they were when the phase was defined.
    name: str = ""
    name_ja: str = ""

    def to_record(self) -> dict[str, Any]:
        return {"org_id": self.org_id, "kind": self.kind.value, "committed_reduction_t": self.committed_reduction_t,
                "subsidy_yen": self.subsidy_yen, "name": self.name, "name_ja": self.name_ja}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Participant:
        return cls(record["org_id"], ParticipantKind(record["kind"]), record.get("committed_reduction_t"),
                   record.get("subsidy_yen"), record.get("name", ""), record.get("name_ja", ""))


@dataclass(frozen=True)
class Deadline:
    """The calculation report of ``fiscal_year`` is due (submitted) by ``due``, inclusive."""

    fiscal_year: int
    due: date


@dataclass(frozen=True)
class Phase:
    phase_id: str
    name: str
    name_ja: str
    base_years: tuple[int, int, int]
    commitment_year: int
    adjustment_end: date
    trading_start: date
    trading_end: date
    #: The Kyoto-style period the phase's units are issued for and retired toward ("01").
    compliance_period: str
    deadlines: tuple[Deadline, ...]
    participants: tuple[Participant, ...] = field(default=())

    @property
    def targets(self) -> tuple[Participant, ...]:
        return tuple(p for p in self.participants if p.kind.has_target)

    @property
    def trading(self) -> tuple[Participant, ...]:
        return tuple(p for p in self.participants if not p.kind.has_target)

    def participant(self, org_id: str) -> Participant | None:
        return next((p for p in self.participants if p.org_id == org_id), None)

    @property
    def commitment_start(self) -> date:
        return date(self.commitment_year, 4, 1)

    @property
    def commitment_end(self) -> date:
        return date(self.commitment_year + 1, 3, 31)

    def deadline(self, fiscal_year: int) -> date | None:
        return next((d.due for d in self.deadlines if d.fiscal_year == fiscal_year), None)

    def to_record(self) -> dict[str, Any]:
        return {
            "phase_id": self.phase_id, "name": self.name, "name_ja": self.name_ja,
            "base_years": list(self.base_years), "commitment_year": self.commitment_year,
            "adjustment_end": self.adjustment_end.isoformat(), "trading_start": self.trading_start.isoformat(),
            "trading_end": self.trading_end.isoformat(), "compliance_period": self.compliance_period,
            "deadlines": [{"fiscal_year": d.fiscal_year, "due": d.due.isoformat()} for d in self.deadlines],
            "participants": [p.to_record() for p in self.participants],
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Phase:
        first, second, third = record["base_years"]
        return cls(
            phase_id=record["phase_id"], name=record["name"], name_ja=record["name_ja"],
            base_years=(int(first), int(second), int(third)), commitment_year=int(record["commitment_year"]),
            adjustment_end=date.fromisoformat(record["adjustment_end"]),
            trading_start=date.fromisoformat(record["trading_start"]), trading_end=date.fromisoformat(record["trading_end"]),
            compliance_period=record["compliance_period"],
            deadlines=tuple(Deadline(int(d["fiscal_year"]), date.fromisoformat(d["due"])) for d in record["deadlines"]),
            participants=tuple(Participant.from_record(p) for p in record["participants"]),
        )


def check_phase(phase: Phase) -> None:
    """Every rule a phase's definition must keep; the first broken one is refused."""
    for reason, reason_ja in problems(phase):
        raise InvalidPhase(reason=reason, reason_ja=reason_ja)


def problems(phase: Phase) -> Iterator[tuple[str, str]]:
    """The broken rules of a definition, each as (English, Japanese), first one first."""
    if not PHASE_ID.match(phase.phase_id):
        yield ("the id is 1-32 lower-case letters, digits and hyphens.", "IDは英小文字・数字・ハイフンの1〜32文字です。")
    if not PERIOD.match(phase.compliance_period):
        yield ("the compliance period is two digits, e.g. 01.", "約束期間は2桁の数字（例: 01）です。")
    if len(set(phase.base_years)) != 3 or list(phase.base_years) != sorted(phase.base_years):
        yield ("give three different base fiscal years in order.", "基準年度は異なる3つの年度を昇順で指定してください。")
    if phase.base_years[-1] >= phase.commitment_year:
        yield ("the base years come before the commitment year.", "基準年度は約束年度より前でなければなりません。")
    if phase.adjustment_end <= phase.commitment_end:
        yield ("the adjustment period ends after the commitment year (31 March).",
               "調整期間の終了日は約束年度の末日（3月31日）より後でなければなりません。")
    if not phase.trading_start <= phase.trading_end <= phase.adjustment_end:
        yield ("the trading period starts before it ends, and ends by the end of the adjustment period.",
               "取引期間は開始日が終了日以前で、調整期間の終了日までに終わらなければなりません。")
    owed = {*phase.base_years, phase.commitment_year}
    years = [d.fiscal_year for d in phase.deadlines]
    if len(set(years)) != len(years) or not set(years) <= owed:
        yield ("give at most one report deadline per base or commitment year.",
               "報告期限は基準年度・約束年度ごとに1つまでです。")
    for deadline in phase.deadlines:
        if deadline.due <= date(deadline.fiscal_year + 1, 3, 31):
            yield (f"the report of FY{deadline.fiscal_year} can only be due after that year ends.",
                   f"{deadline.fiscal_year}年度の報告期限は年度終了後でなければなりません。")
    if not phase.participants:
        yield ("a phase has participants.", "参加者を指定してください。")
    ids = [p.org_id for p in phase.participants]
    if len(set(ids)) != len(ids):
        yield ("each organisation takes part once.", "同じ組織を重複して指定することはできません。")
    for participant in phase.participants:
        yield from _participant_problems(participant)


def _participant_problems(participant: Participant) -> Iterator[tuple[str, str]]:
    name = participant.org_id
    if participant.kind.has_target:
        if participant.committed_reduction_t is None or participant.committed_reduction_t < 1:
            yield (f"{name}: a target commits to a reduction of at least 1 t-CO2.",
                   f"{name}: 目標保有参加者の削減約束量は1 t-CO2以上です。")
    elif participant.committed_reduction_t is not None:
        yield (f"{name}: a trading participant has no reduction commitment.", f"{name}: 取引参加者に削減約束量はありません。")
    if participant.kind is ParticipantKind.TARGET_SUBSIDISED:
        if participant.subsidy_yen is None or participant.subsidy_yen < 1:
            yield (f"{name}: a subsidised target has its subsidy in yen.", f"{name}: 補助金付き参加者は補助金額（円）が必要です。")
    elif participant.subsidy_yen is not None:
        yield (f"{name}: only a subsidised target has a subsidy.", f"{name}: 補助金額は補助金付き参加者のみ指定できます。")
