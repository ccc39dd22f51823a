"""Demo data of compliance: the seed's phase 1 and phase 2 as past phases, with generated
participants whose sums reproduce DESIGN.md section 7 exactly, and one phase in progress
(Kanto Steelworks, Minato Foods and Aozora Trading; Kanto's base-year report is under
verification by the demo verifier, which the reports' demo data seeds).

``generate(spec)`` is pure and deterministic (a seeded generator): it returns the phase's
organisations and definition, every target's reviewed figures (three base years and the
commitment year) and the settled deals of its trading period. ``load()`` writes them: the
organisations and the phases through the administrator functions, the reviewed figures
through the reports' ``seed_reviewed_reports`` and the deals through the notice board's
``seed_settled_deals`` (their branches provide them).

How the sums come out exact: each target's base-year emissions, committed and achieved
reductions are whole shares of the seed's totals (largest remainders); its three base-year
figures average, rounded down, to exactly its base-year emissions; the deals' quantities
are whole shares of the traded volume and the last deal's price puts the volume-weighted
average, rounded half up, on the seed's price.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from chalicelib.admin import FUNCTIONS


@dataclass(frozen=True)
class PhaseSpec:
    """One row of the seed's results tables, and the phase's timeline."""

    phase_id: str
    number: int
    name: str
    name_ja: str
    base_years: tuple[int, int, int]
    commitment_year: int
    adjustment_end: date
    trading_start: date
    trading_end: date
    #: The deals are settled between these dates (inside the trading period and outside
    #: any other phase's, so that statistics by date tell the phases apart).
    deals_from: date
    deals_to: date
    targets: int
    subsidised: int
    trading: int
    base_t: int
    achieved_t: int
    committed_t: int
    deals: int
    volume_t: int
    average_price_yen: int


#: DESIGN.md section 7 (the seed's results tables). Phase 1 as run: base years FY2002-2004,
#: commitment year FY2006, adjustment period until 31 August 2007.
PHASE_1 = PhaseSpec(
    phase_id="phase-1", number=1, name="Phase 1", name_ja="第1期", base_years=(2002, 2003, 2004), commitment_year=2006,
    adjustment_end=date(2007, 8, 31), trading_start=date(2006, 4, 1), trading_end=date(2007, 8, 31),
    deals_from=date(2006, 4, 1), deals_to=date(2007, 3, 31),
    targets=31, subsidised=31, trading=7, base_t=1_288_543, achieved_t=377_056, committed_t=273_076,
    deals=24, volume_t=82_624, average_price_yen=1_212,
)
PHASE_2 = PhaseSpec(
    phase_id="phase-2", number=2, name="Phase 2", name_ja="第2期", base_years=(2003, 2004, 2005), commitment_year=2007,
    adjustment_end=date(2008, 8, 31), trading_start=date(2007, 4, 1), trading_end=date(2008, 8, 31),
    deals_from=date(2007, 9, 1), deals_to=date(2008, 8, 31),
    targets=61, subsidised=50, trading=12, base_t=1_122_593, achieved_t=280_192, committed_t=217_167,
    deals=51, volume_t=54_643, average_price_yen=1_250,
)
PAST_PHASES = (PHASE_1, PHASE_2)

#: The phase in progress: its setting-up year is now (base-year verification of FY2023-2025).
CURRENT_PHASE: dict[str, Any] = {
    "id": "phase-2027", "name": "Phase FY2027 (setting up)", "name_ja": "2027年度フェーズ（準備中）",
    "base_years": [2023, 2024, 2025], "commitment_year": 2027, "adjustment_end": "2028-08-31",
    "trading_period": {"start": "2027-04-01", "end": "2028-08-31"}, "compliance_period": "03",
    "report_deadlines": [{"fiscal_year": 2025, "due": "2026-09-30"}, {"fiscal_year": 2027, "due": "2028-06-30"}],
    "participants": [
        {"org_id": "kanto-steel", "kind": "target_subsidised", "committed_reduction_t": 1_800, "subsidy_yen": 120_000_000},
        {"org_id": "minato-foods", "kind": "target", "committed_reduction_t": 450},
        {"org_id": "aozora-trading", "kind": "trading"},
    ],
}

_PLACES = [("Hokkai", "北海"), ("Tohoku", "東北"), ("Joban", "常磐"), ("Shinano", "信濃"), ("Tokai", "東海"), ("Hokuriku", "北陸"),
           ("Kinki", "近畿"), ("Setouchi", "瀬戸内"), ("San'in", "山陰"), ("Shikoku", "四国"), ("Kyushu", "九州"), ("Ryukyu", "琉球")]
_TRADES = [("Foods", "食品"), ("Brewery", "醸造"), ("Paper", "製紙"), ("Textiles", "繊維"), ("Ceramics", "窯業"), ("Chemicals", "化学"),
           ("Printing", "印刷"), ("Dairy", "乳業"), ("Metals", "金属"), ("Logistics", "物流"), ("Retail", "小売"), ("Glass", "硝子")]
_TRADERS = [("Securities", "証券"), ("Trading", "商事"), ("Energy Trading", "エネルギー取引"), ("Capital", "キャピタル")]


@dataclass
class GeneratedPhase:
    spec: PhaseSpec
    organisations: list[dict[str, str]] = field(default_factory=list)
    definition: dict[str, Any] = field(default_factory=dict)
    #: Reviewed (accepted) figures: {"org_id", "fiscal_year", "t_co2"}.
    reviewed: list[dict[str, Any]] = field(default_factory=list)
    #: Settled deals: {"date", "quantity", "price_yen", "seller_org", "buyer_org"}.
    deals: list[dict[str, Any]] = field(default_factory=list)


def shares(total: int, weights: list[int]) -> list[int]:
    """``total`` split in whole parts proportional to ``weights`` (largest remainders)."""
    whole = sum(weights)
    parts = [total * w // whole for w in weights]
    order = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def _base_years(rng: random.Random, base: int) -> list[int]:
    """Three figures whose average, rounded down, is ``base``."""
    a, c, r = rng.randint(0, base // 40), rng.randint(0, base // 40), rng.randint(0, 2)
    return [base + a, base - a - c, base + c + r]


def _business_days(first: date, last: date) -> list[date]:
    days, day = [], first
    while day <= last:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def generate(spec: PhaseSpec) -> GeneratedPhase:
    rng = random.Random(f"jvets-demo-{spec.phase_id}")
    out = GeneratedPhase(spec)
    targets = [f"p{spec.number}-t{i:02d}" for i in range(1, spec.targets + 1)]
    traders = [f"p{spec.number}-x{i:02d}" for i in range(1, spec.trading + 1)]
    for i, org_id in enumerate(targets):
        (place, place_ja), (trade, trade_ja) = _PLACES[i % len(_PLACES)], _TRADES[(i // len(_PLACES) + i) % len(_TRADES)]
        kind = "target_subsidised" if i < spec.subsidised else "target"
        out.organisations.append({"org_id": org_id, "name": f"{place} {trade} Co., Ltd. (P{spec.number}-{i + 1:02d})",
                                  "name_ja": f"{place_ja}{trade_ja}株式会社（第{spec.number}期{i + 1:02d}）", "kind": kind})
    for i, org_id in enumerate(traders):
        (place, place_ja), (trade, trade_ja) = _PLACES[(i * 5) % len(_PLACES)], _TRADERS[i % len(_TRADERS)]
        out.organisations.append({"org_id": org_id, "name": f"{place} {trade} Co., Ltd. (P{spec.number}-X{i + 1:02d})",
                                  "name_ja": f"{place_ja}{trade_ja}株式会社（第{spec.number}期X{i + 1:02d}）", "kind": "trading"})
    # Sizes vary a hundredfold, as among the seed's factories, offices and chains.
    weights = [rng.randint(10, 1000) for _ in targets]
    bases = shares(spec.base_t, weights)
    committed = shares(spec.committed_t, bases)
    achieved = shares(spec.achieved_t, bases)
    participants: list[dict[str, Any]] = []
    for i, org_id in enumerate(targets):
        kind = out.organisations[i]["kind"]
        row: dict[str, Any] = {"org_id": org_id, "kind": kind, "committed_reduction_t": committed[i]}
        if kind == "target_subsidised":
            row["subsidy_yen"] = rng.randint(5, 200) * 1_000_000
        participants.append(row)
        for year, figure in zip(spec.base_years, _base_years(rng, bases[i]), strict=True):
            out.reviewed.append({"org_id": org_id, "fiscal_year": year, "t_co2": figure})
        out.reviewed.append({"org_id": org_id, "fiscal_year": spec.commitment_year, "t_co2": bases[i] - achieved[i]})
    participants.extend({"org_id": org_id, "kind": "trading"} for org_id in traders)
    out.definition = {
        "id": spec.phase_id, "name": spec.name, "name_ja": spec.name_ja, "base_years": list(spec.base_years),
        "commitment_year": spec.commitment_year, "adjustment_end": spec.adjustment_end.isoformat(),
        "trading_period": {"start": spec.trading_start.isoformat(), "end": spec.trading_end.isoformat()},
        "compliance_period": f"{spec.number:02d}",
        "report_deadlines": [{"fiscal_year": spec.base_years[-1], "due": date(spec.base_years[-1] + 1, 9, 30).isoformat()},
                             {"fiscal_year": spec.commitment_year, "due": date(spec.commitment_year + 1, 6, 30).isoformat()}],
        "participants": participants,
    }
    out.deals = _deals(rng, spec, targets, traders)
    return out


def _deals(rng: random.Random, spec: PhaseSpec, targets: list[str], traders: list[str]) -> list[dict[str, Any]]:
    days = sorted(rng.sample(_business_days(spec.deals_from, spec.deals_to), spec.deals))
    quantities = shares(spec.volume_t, [rng.randint(5, 60) for _ in range(spec.deals)])
    prices = [spec.average_price_yen + rng.randint(-150, 150) for _ in range(spec.deals)]
    # The last deal's price brings the amount to the nearest of volume x average: the
    # average, rounded half up, is then the seed's (the error is under half its quantity).
    rest = sum(q * p for q, p in zip(quantities[:-1], prices[:-1], strict=True))
    target = spec.volume_t * spec.average_price_yen
    prices[-1] = (2 * (target - rest) + quantities[-1]) // (2 * quantities[-1])
    parties = targets + traders
    deals = []
    for day, quantity, price in zip(days, quantities, prices, strict=True):
        seller, buyer = rng.sample(parties, 2)
        deals.append({"date": day.isoformat(), "quantity": quantity, "price_yen": price, "seller_org": seller, "buyer_org": buyer})
    return deals


class DemoComplianceError(RuntimeError):
    pass


def _call(name: str, event: dict[str, Any]) -> dict[str, Any]:
    result = FUNCTIONS[name](event, None)
    if "error" in result:
        raise DemoComplianceError(f"{name}: {result['error']}")
    return result


def seeders() -> tuple[Any, Any]:
    """The reports' and the notice board's demo seeders, or None while their branches are
    not merged (then the phases are defined and the report shows no figures yet)."""
    try:
        from devtools.demo_reports import seed_reviewed_reports
    except ImportError:
        seed_reviewed_reports = None
    try:
        from devtools.demo_matching import seed_settled_deals
    except ImportError:
        seed_settled_deals = None
    return seed_reviewed_reports, seed_settled_deals


def load(env: Any = None) -> list[GeneratedPhase]:
    """Write the past phases (organisations, definitions, reviewed figures, deals) and the
    phase in progress."""
    seed_reviewed_reports, seed_settled_deals = seeders()
    generated = [generate(spec) for spec in PAST_PHASES]
    for phase in generated:
        for organisation in phase.organisations:
            _call("create_organisation", organisation)
        _call("define_phase", {**phase.definition, "requested_by": "demo"})
        if seed_reviewed_reports is not None:
            seed_reviewed_reports(env, phase.reviewed)
        if seed_settled_deals is not None:
            seed_settled_deals(env, phase.deals)
    _call("define_phase", {**CURRENT_PHASE, "requested_by": "demo"})
    return generated
