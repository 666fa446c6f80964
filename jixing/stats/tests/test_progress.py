"""Every figure of a small known data set against hand-computed expectations (issue 7)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from jixing.stats import queries, rollup
from jixing.stats.tests.factories import known_dataset

TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def dataset(personas):
    known_dataset(personas.alice)
    return personas


def _rows(user, **kw):
    scope = queries.stats_scope(user, **kw)
    return {r.target.code: r for r in queries.progress_rows(scope, year=2026, today=TODAY)}


def test_it_counts_subsidised_completions_for_the_province(dataset):
    rows = _rows(dataset.alice)
    overall = rows["overall_subsidized"]
    assert overall.progress.actual == 6  # 3 + 1 (2025) + 2; not the ineligible nor the unsubsidised one
    assert overall.progress.target == Decimal("1500000")
    assert overall.progress.time_share == Decimal("0.6356")  # 696 / 1095 days
    assert rows["domestic_service"].progress.actual == 3  # 2026 only
    assert rows["domestic_service"].progress.target == Decimal("65000")
    assert rows["domestic_service"].progress.time_share == Decimal("0.9068")  # 331 / 365
    assert rows["domestic_service"].progress.light == "red"
    assert rows["digital"].progress.actual == 2
    assert rows["elderly_care"].progress.actual == 0


def test_it_scopes_figures_to_a_city_and_a_county(dataset):
    jinan = _rows(dataset.bob)
    assert jinan["overall_subsidized"].progress.actual == 4
    assert jinan["digital"].progress.actual == 0
    assert jinan["domestic_service"].progress.target is None  # no allocation to Jinan yet
    qingdao = _rows(dataset.carol)
    assert qingdao["overall_subsidized"].progress.actual == 2
    assert _rows(dataset.erin)["overall_subsidized"].progress.actual == 0  # Shizhong county
    assert _rows(dataset.dave)["overall_subsidized"].progress.actual == 4  # Lixia county


def test_it_uses_the_city_allocation_as_the_city_target(dataset):
    from jixing.plan.models import Target, TargetAllocation

    TargetAllocation.objects.create(target=Target.objects.get(code="domestic_service"), city_id="370100", year=2026, value=10)
    row = _rows(dataset.bob)["domestic_service"]
    assert row.progress.target == Decimal("10")
    assert row.progress.completion == Decimal("0.3")


def test_it_refuses_a_region_outside_the_viewers_scope(dataset):
    assert not queries.stats_scope(dataset.bob, region_code="370200").allowed
    assert queries.stats_scope(dataset.alice, region_code="370200").allowed
    assert not queries.stats_scope(dataset.ivan).allowed


def test_it_shows_a_sector_officer_only_the_actions_of_the_department(dataset):
    rows = _rows(dataset.frank)  # civil affairs: action 4
    assert "domestic_service" in rows and "digital" not in rows
    assert rows["domestic_service"].progress.actual == 3


def test_it_ranks_cities_and_builds_the_trend(dataset):
    scope = queries.stats_scope(dataset.alice)
    rollup.refresh()
    ranking = queries.city_ranking(scope, year=2026, today=TODAY)
    assert [(r["city"].code, int(r["progress"].actual)) for r in ranking[:2]] == [("370100", 3), ("370200", 2)]
    assert len(ranking) == 16
    trend = queries.monthly_trend(scope, year=2026)
    assert trend[2] == 3 and trend[9] == 2 and sum(trend) == 5


def test_it_builds_the_funnel(dataset):
    scope = queries.stats_scope(dataset.bob)
    with time_machine.travel(dt.datetime(2026, 11, 27, 10, tzinfo=dt.UTC)):
        stages = {s["key"]: s["count"] for s in queries.funnel(scope, year=2026, today=TODAY)}
    # Jinan classes started in 2026: the domestic class (5 enrollments) and the unsubsidised one (1).
    assert stages["enrolled"] == 6
    assert stages["completed"] == 5
    assert stages["started"] == 6


def test_it_drills_down_to_the_records_behind_a_figure(dataset):
    rollup.refresh()
    scope = queries.stats_scope(dataset.alice)
    assert queries.counted_enrollments(scope, year=2026, target_code="domestic_service").count() == 3
    assert queries.counted_enrollments(queries.stats_scope(dataset.carol), year=2026).count() == 2


def test_it_checks_the_frontline_share_of_staff_education_funds(dataset):
    from jixing.core.testing import make_organisation
    from jixing.funds.models import StaffEducationReport
    from jixing.registry.models import OrganisationKind

    good = make_organisation("济南一线企业", "370102", OrganisationKind.ENTERPRISE, seed=21)
    poor = make_organisation("青岛少投企业", "370202", OrganisationKind.ENTERPRISE, seed=22)
    for org, frontline in ((good, 60), (poor, 59)):  # "60%以上" includes exactly 60%
        StaffEducationReport.objects.create(enterprise=org, year=2026, extracted=Decimal(150), spent=Decimal(100),
                                            spent_frontline=Decimal(frontline), reported_by=dataset.alice)
    row = _rows(dataset.alice)["frontline_share_of_staff_education_funds"]
    assert (row.progress.actual, row.progress.target) == (Decimal(1), Decimal(2))
    assert _rows(dataset.carol)["frontline_share_of_staff_education_funds"].progress.actual == 0


def test_it_checks_vocational_colleges_against_their_enrolled_students(dataset):
    from jixing.core.testing import make_organisation
    from jixing.registry.models import OrganisationKind
    from jixing.stats.tests.factories import enroll, project, training_class

    college = make_organisation("济南职业学院", "370102", OrganisationKind.VOCATIONAL_COLLEGE, seed=31, enrolled_students=2)
    p = project(organiser=college, county="370102", action=8, target=None, by=dataset.alice)
    c = training_class(p, start=dt.date(2026, 4, 1), end=dt.date(2026, 4, 20))
    enroll(c, completed_on=dt.date(2026, 4, 20))
    row = _rows(dataset.alice)["college_social_training"]
    assert (row.progress.actual, row.progress.target) == (Decimal(0), Decimal(1))
    enroll(c, completed_on=dt.date(2026, 4, 20))
    row = _rows(dataset.alice)["college_social_training"]
    assert (row.progress.actual, row.progress.target) == (Decimal(1), Decimal(1))


def test_it_adds_digital_engineers_certified_outside_a_counted_training_to_the_digital_line(dataset):
    """数字技术工程师 (seed 一(一)) certified without a training enrollment count toward the digital
    line once each, in the certifying site's region, up to a report's as-of day."""
    from jixing.evaluation import engineer_actions
    from jixing.evaluation.engineer_models import DigitalField, EngineerLevel

    p = dataset
    qingdao_before = _rows(p.carol)["digital"].progress.actual
    session = engineer_actions.create_engineer_session(
        by=p.judy, organisation=p.evaluation_body, field=DigitalField.objects.get(key="artificial-intelligence"),
        level=EngineerLevel.JUNIOR, date=dt.date(2026, 11, 20), site="济南市历下区")
    candidate = engineer_actions.add_engineer_candidate(session, by=p.judy, person=p.shizhong_person)
    engineer_actions.record_engineer_score(candidate, by=p.judy, score="75")
    [certificate] = engineer_actions.lock_engineer_session(session, by=p.bob)
    digital = _rows(p.alice)["digital"]
    assert digital.progress.actual == 3  # the 2 trained + the engineer
    assert "1" in digital.note
    assert _rows(p.carol)["digital"].progress.actual == qingdao_before  # the Lixia engineer is not Qingdao's
    scope = dataclasses.replace(queries.stats_scope(p.alice), until=certificate.issued_on - dt.timedelta(days=1))
    before = {r.target.code: r for r in queries.progress_rows(scope, year=2026, today=TODAY)}
    assert before["digital"].progress.actual == 2
