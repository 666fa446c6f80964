"""The pure subsidy rules: amounts and their reasons (no database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from jixing.funds import rules
from jixing.funds.rules import CertificateFacts, Check, LineFacts, Rate, RuleTable, SubsidyCase, Uplift

D = Decimal

TABLE = RuleTable(
    id=7, city="370100", version=3, valid_from=dt.date(2025, 7, 1), name="济南市标准",
    rates=(
        Rate(1, "vocational_training", D("600")),
        Rate(2, "vocational_training", D("1500"), certificate_type="skill_level", level=3),
        Rate(3, "vocational_training", D("2000"), certificate_type="skill_level", level=4),
        Rate(4, "vocational_training", D("2400"), certificate_type="skill_level", level=4, occupation="welder"),
        Rate(5, "skill_upgrade", D("1000"), payee_kind="person", level=2),
        Rate(6, "skill_upgrade", D("1500"), payee_kind="person", level=3),
        Rate(7, "living_allowance", D("300"), target_group="employment_difficulty"),
        Rate(8, "living_allowance", D("450"), target_group="poverty_monitoring"),
        Rate(9, "apprenticeship", D("4000"), payee_kind="enterprise"),
    ),
    uplifts=(
        Uplift(11, "shortage", percent=D("20")),
        Uplift(12, "employed_6m", fixed_amount=D("300"), item="vocational_training"),
        Uplift(13, "target_group", percent=D("10"), target_group="employment_difficulty", note="就业困难人员"),
        Uplift(14, "target_group", percent=D("5"), target_group="veteran", note="退役军人"),
    ),
    shortage_occupations=frozenset({"welder"}),
)


def case(**kw: object) -> SubsidyCase:
    base: dict[str, object] = {"item": "vocational_training", "payee_kind": "institution"}
    base.update(kw)
    return SubsidyCase(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kw", "amount", "rate_id", "codes"),
    [
        # training certificate only: the general row
        ({"certificate_type": "training"}, "600.00", 1, ["table", "base", "employed_6m_unknown", "total"]),
        # level 3 skill certificate: the more specific row wins
        ({"certificate_type": "skill_level", "level": 3}, "1500.00", 2, ["table", "base", "employed_6m_unknown", "total"]),
        # level 4 welder: occupation-specific row, plus the shortage uplift of 20%
        ({"certificate_type": "skill_level", "level": 4, "occupation": "welder", "occupation_name": "焊工"},
         "2880.00", 4, ["table", "base", "shortage", "employed_6m_unknown", "total"]),
        # employed within 6 months: +300 fixed (鲁人社字〔2025〕37号)
        ({"certificate_type": "skill_level", "level": 3, "employed_within_6_months": True}, "1800.00", 2,
         ["table", "base", "employed_6m", "total"]),
        # known not employed: no uplift, and it says so
        ({"certificate_type": "skill_level", "level": 3, "employed_within_6_months": False}, "1500.00", 2,
         ["table", "base", "employed_6m_no", "total"]),
        # target group uplift: only the most favourable of two groups applies
        ({"certificate_type": "skill_level", "level": 3, "target_groups": frozenset({"veteran", "employment_difficulty"})},
         "1650.00", 2, ["table", "base", "target_group", "employed_6m_unknown", "total"]),
        # every uplift at once
        ({"certificate_type": "skill_level", "level": 4, "occupation": "welder", "employed_within_6_months": True,
          "target_groups": frozenset({"employment_difficulty"})},
         "3420.00", 4, ["table", "base", "shortage", "target_group", "employed_6m", "total"]),
        # 技能提升补贴 for a person at level 2 (no employment uplift for this item)
        ({"item": "skill_upgrade", "payee_kind": "person", "level": 2}, "1000.00", 5, ["table", "base", "total"]),
        # living allowance: the more favourable group row
        ({"item": "living_allowance", "target_groups": frozenset({"employment_difficulty", "poverty_monitoring"})},
         "495.00", 8, ["table", "base", "target_group", "total"]),
        ({"item": "apprenticeship", "payee_kind": "enterprise"}, "4000.00", 9, ["table", "base", "total"]),
    ],
)
def test_it_computes_amounts_with_reasons(kw: dict[str, object], amount: str, rate_id: int, codes: list[str]) -> None:
    decision = rules.compute_subsidy(TABLE, case(**kw))
    assert decision.eligible
    assert decision.amount == D(amount)
    assert decision.rate_id == rate_id
    assert (decision.table_id, decision.table_version) == (7, 3)
    assert [r.code for r in decision.reasons] == codes
    # the reasons add up: base + uplifts = total
    parts = [r.amount for r in decision.reasons if r.code not in ("total",) and r.amount is not None]
    assert sum(parts, D("0")) == decision.amount
    assert decision.reasons[-1].amount == decision.amount


def test_it_gives_living_allowance_with_group_uplift_when_the_group_row_matches() -> None:
    # poverty row (450) vs employment_difficulty row (300): the more favourable 450 row is the base,
    # and the employment_difficulty uplift (10%, not limited to an item) still applies on top.
    decision = rules.compute_subsidy(TABLE, case(item="living_allowance",
                                                 target_groups=frozenset({"employment_difficulty", "poverty_monitoring"})))
    assert [r.amount for r in decision.reasons if r.code in ("base", "target_group")] == [D("450.00"), D("45.00")]


@pytest.mark.parametrize(
    ("kw", "code"),
    [
        ({"item": "skill_upgrade", "payee_kind": "person", "level": 5}, "no_rate"),  # no level-5 row
        ({"item": "living_allowance", "target_groups": frozenset({"youth"})}, "no_rate"),  # not an eligible group
        ({"item": "skill_upgrade", "payee_kind": "institution", "level": 2}, "no_rate"),  # payee must be the person
        ({"item": "education"}, "no_rate"),
    ],
)
def test_it_refuses_when_no_rate_matches(kw: dict[str, object], code: str) -> None:
    decision = rules.compute_subsidy(TABLE, case(**kw))
    assert not decision.eligible
    assert decision.amount == D("0")
    assert decision.reasons[-1].code == code


def test_it_refuses_without_a_table() -> None:
    decision = rules.compute_subsidy(None, case())
    assert not decision.eligible and decision.reasons[0].code == "no_table"


def test_it_writes_reasons_in_chinese() -> None:
    with translation.override("zh-hans"):
        decision = rules.compute_subsidy(TABLE, case(certificate_type="skill_level", level=4, occupation="welder",
                                                     occupation_name="焊工"))
    texts = " ".join(r.text for r in decision.reasons)
    assert "焊工" in texts and "紧缺" in texts and "元" in texts


V1 = RuleTable(1, "370100", 1, dt.date(2025, 1, 1))
V2 = RuleTable(2, "370100", 2, dt.date(2025, 7, 1))
V3 = RuleTable(3, "370100", 3, dt.date(2026, 1, 1))


@pytest.mark.parametrize(
    ("day", "version"),
    [(dt.date(2024, 12, 31), None), (dt.date(2025, 1, 1), 1), (dt.date(2025, 6, 30), 1), (dt.date(2025, 7, 1), 2),
     (dt.date(2025, 12, 31), 2), (dt.date(2027, 3, 1), 3)],
)
def test_it_selects_the_version_in_force(day: dt.date, version: int | None) -> None:
    chosen = rules.select_table([V3, V1, V2], day)
    assert (chosen.version if chosen else None) == version


def _facts(**kw: object) -> LineFacts:
    base: dict[str, object] = {
        "item": "vocational_training", "on_date": dt.date(2026, 3, 1), "enrollment_status": "completed",
        "attendance_rate": D("0.900"), "required_attendance_rate": D("0.800"), "enrollment_subsidised": True,
    }
    base.update(kw)
    return LineFacts(**base)  # type: ignore[arg-type]


CERT = CertificateFacts("S1", True, dt.date(2025, 6, 10), "welder", 3)


@pytest.mark.parametrize(
    ("kw", "failing"),
    [
        ({}, []),
        ({"enrollment_status": "enrolled"}, ["completed"]),
        ({"enrollment_status": "withdrawn"}, ["completed"]),
        ({"attendance_rate": D("0.799")}, ["attendance"]),
        ({"attendance_rate": D("0.800")}, []),  # exactly the required rate passes
        ({"attendance_rate": D("0.700"), "required_attendance_rate": D("0.700")}, []),
        ({"requires_certificate": True}, ["certificate"]),
        ({"requires_certificate": True, "certificate": CERT, "expected_occupation": "welder", "expected_level": 3}, []),
        ({"requires_certificate": True, "certificate": CERT, "expected_level": 4}, ["certificate"]),
        ({"requires_certificate": True, "certificate": CertificateFacts("S2", False, dt.date(2025, 6, 10), "welder", 3)},
         ["certificate"]),
        ({"already_claimed": True}, ["not_claimed"]),
        ({"project_subsidised": False}, ["project_subsidised"]),
        ({"enrollment_subsidised": False}, ["enrollment_subsidised"]),
        ({"claimant_blocked": True}, ["claimant_blocked"]),
        ({"cap_checks": (Check("yearly_cap", False, "已满3次"),)}, ["yearly_cap"]),
        # 技能提升补贴: a certificate within 12 months of issue ([V])
        ({"item": "skill_upgrade", "certificate": CERT, "on_date": dt.date(2026, 6, 9)}, []),
        ({"item": "skill_upgrade", "certificate": CERT, "on_date": dt.date(2026, 6, 10)}, ["within_12_months"]),
        ({"item": "skill_upgrade"}, ["certificate"]),
    ],
)
def test_it_checks_claim_lines(kw: dict[str, object], failing: list[str]) -> None:
    checks = rules.check_line(_facts(**kw))
    assert [c.code for c in checks if not c.ok] == failing
    assert rules.all_passed(checks) == (not failing)
    assert all(c.text for c in checks)


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [(dt.date(2025, 1, 31), dt.date(2025, 2, 28), 0), (dt.date(2025, 1, 15), dt.date(2025, 2, 15), 1),
     (dt.date(2025, 6, 10), dt.date(2026, 6, 9), 11), (dt.date(2025, 6, 10), dt.date(2026, 6, 10), 12)],
)
def test_it_counts_whole_months(start: dt.date, end: dt.date, months: int) -> None:
    assert rules.months_between(start, end) == months
