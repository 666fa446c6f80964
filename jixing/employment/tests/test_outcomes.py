"""Outcome measures from the database on frozen dates (time-machine), with hand-computed
expectations; the funds/stats entry point ``employed_within_6_months``; scoped reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from jixing.employment import queries
from jixing.employment.models import Placement, PlacementSource, VerificationStatus
from jixing.employment.rules import MET, NOT_MET, PENDING

from . import factories as f

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(time_machine, day: dt.date) -> None:
    time_machine.move_to(dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=SH), tick=False)


@pytest.fixture
def cohort(employers):
    """Three completers of the Lixia institution.

    - lixia: trained 2025-03-01 … 2025-04-15 (completion quarter 2025Q2 → Q2 after = 2025Q4,
      Q4 after = 2026Q2); contributions 3000/month Dec 2024 – Feb 2025 (before), 5000/month
      with the enterprise Jun – Dec 2025; certificate 2025-05-10.
    - shizhong: completed 2025-05-20; nothing after (window ends 2025-11-20).
    - qingdao: a Qingdao project, completed 2025-11-20 (window ends 2026-05-20).
    """
    p = employers.p
    e1 = f.completed_training(p.lixia_person, p.institution, p.dave,
                              start=dt.date(2025, 3, 1), completed_on=dt.date(2025, 4, 15))
    e2 = f.completed_training(p.shizhong_person, p.institution, p.dave,
                              start=dt.date(2025, 4, 1), completed_on=dt.date(2025, 5, 20), county="370103")
    e3 = f.completed_training(p.qingdao_person, p.institution, p.dave,
                              start=dt.date(2025, 10, 8), completed_on=dt.date(2025, 11, 20), county="370202")
    f.contributions(p.lixia_person, "91370102MA3C000099", ["2024-12", "2025-01", "2025-02"], base="3000")
    f.contributions(p.lixia_person, employers.ent.uscc, [f"2025-{m:02d}" for m in range(6, 13)], base="5000",
                    employer=employers.ent)
    f.certificate(p.lixia_person, p.evaluation_body, p.judy, p.dave, issued_on=dt.date(2025, 5, 10))
    return e1, e2, e3


def test_it_answers_employed_within_6_months_for_funds_on_a_frozen_date(time_machine, cohort, employers):
    e1, e2, e3 = cohort
    at(time_machine, dt.date(2025, 10, 16))
    assert queries.employed_within_6_months([e1.pk, e2.pk, e3.pk]) == {e1.pk: True, e2.pk: False, e3.pk: False}
    evidence = queries.employment_evidence([e1.pk, e2.pk])
    assert evidence[e1.pk].status == MET and evidence[e1.pk].evidence[0].on == dt.date(2025, 6, 1)
    assert evidence[e2.pk].status == PENDING  # window until 2025-11-20
    at(time_machine, dt.date(2025, 11, 21))
    assert queries.employment_evidence([e2.pk])[e2.pk].status == NOT_MET


def test_it_counts_a_verified_placement_but_not_an_unverified_one(time_machine, cohort, employers):
    _e1, e2, _e3 = cohort
    at(time_machine, dt.date(2026, 1, 5))
    placement = Placement.objects.create(
        person=employers.p.shizhong_person, enrollment=e2, kind="flexible", county_id="370103",
        start_date=dt.date(2025, 9, 1), monthly_wage=Decimal("3500"), source=PlacementSource.SELF_REPORT,
        evidence="外卖平台骑手协议",
    )
    assert queries.employed_within_6_months([e2.pk]) == {e2.pk: False}
    placement.status = VerificationStatus.VERIFIED
    placement.save()
    assert queries.employed_within_6_months([e2.pk]) == {e2.pk: True}


def test_it_answers_false_for_an_enrollment_that_is_not_completed(cohort):
    from jixing.training.models import Enrollment

    e1, *_ = cohort
    Enrollment.objects.filter(pk=e1.pk).update(status="withdrawn", completed_on=None)
    assert queries.employed_within_6_months([e1.pk, 999999]) == {e1.pk: False, 999999: False}


def test_it_reports_outcomes_by_city_with_hand_computed_numbers(time_machine, cohort, employers):
    at(time_machine, dt.date(2026, 1, 1))
    rows, total = queries.outcome_report(employers.p.alice, "city")
    by = {r.label: r.summary for r in rows}
    jinan, qingdao = by["济南市"], by["青岛市"]
    assert jinan.completers == 2
    assert (jinan.within_6_months.met, jinan.within_6_months.observed) == (1, 2)
    assert (jinan.q2.met, jinan.q2.observed) == (1, 2)  # lixia: Oct–Dec 2025; shizhong: nothing
    assert jinan.q4.observed == 0  # 2026Q2/Q3 not over
    assert jinan.median_q2_wage == Decimal("5000.00")  # 15000 / 3
    # lixia: 5000 − (3 × 3000) / 6 = 3500; shizhong: 0 − 0 = 0 → median 1750
    assert jinan.median_wage_change == Decimal("1750.00")
    assert (jinan.wage_rose.met, jinan.wage_rose.observed) == (1, 2)
    assert (jinan.certificate.met, jinan.certificate.observed) == (1, 1)  # shizhong's year still open
    assert qingdao.completers == 1 and qingdao.within_6_months.observed == 0
    assert total.completers == 3 and total.median_q2_wage == Decimal("5000.00")


def test_it_keeps_each_officer_to_the_region_in_the_report(time_machine, cohort, employers, client):
    at(time_machine, dt.date(2026, 1, 1))
    client.force_login(employers.p.carol)  # Qingdao
    data = client.get("/api/v1/employment/outcomes?group_by=city").json()
    assert [r["label"] for r in data["rows"]] == ["青岛市"] and data["total"]["completers"] == 1
    client.force_login(employers.p.bob)
    data = client.get("/api/v1/employment/outcomes?group_by=project").json()
    assert data["total"]["completers"] == 2
    assert data["total"]["within_6_months"] == {"met": 1, "observed": 2, "share": "0.500"}


def test_it_shows_an_institution_its_trainees_outcomes(time_machine, cohort, employers, client):
    at(time_machine, dt.date(2026, 1, 1))
    client.force_login(employers.p.ivan)
    response = client.get(reverse("employment:outcomes"))
    assert response.status_code == 200
    assert response.context["group_by"] == "project"
    trainees = {t.enrollment.person_id: t.outcome for t in response.context["trainees"]}
    assert trainees[employers.p.lixia_person.pk].within_6_months.status == MET
    assert trainees[employers.p.lixia_person.pk].wage.after == Decimal("5000.00")
    assert employers.p.lixia_person.id_number not in response.content.decode()
    client.force_login(employers.olga)  # an enterprise that trained nobody sees no trainee
    assert client.get(reverse("employment:outcomes")).context["total"].completers == 0
