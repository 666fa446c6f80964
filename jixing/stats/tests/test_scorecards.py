"""Scorecards rank a planted good and bad institution correctly; the 优选 workflow."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from jixing.core.testing import make_organisation
from jixing.employment.models import InsuranceContribution
from jixing.registry.models import Organisation
from jixing.stats import queries
from jixing.stats.models import InstitutionSelection, SelectionStatus
from jixing.stats.scorecards import ranked_institutions
from jixing.stats.tests.factories import enroll, project, training_class
from jixing.supervision.models import Finding, Severity
from jixing.training.models import EnrollmentStatus

TODAY = dt.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 11, 27, 10, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def planted(personas):
    """Good: 10 trainees, all completed in March, 8 contributing to an employer within 6 months.
    Bad: 10 trainees, 3 completed, nobody employed, two open findings."""
    good = make_organisation("济南优质培训学校", "370102", seed=41)
    bad = make_organisation("济南问题培训学校", "370103", seed=42)
    employer = make_organisation("济南用工企业", "370102", "enterprise", seed=43)
    for org, completed, employed in ((good, 10, 8), (bad, 3, 0)):
        p = project(organiser=org, county=org.county_id, action=3, target="new_occupations", by=personas.alice)
        c = training_class(p, start=dt.date(2026, 2, 1), end=dt.date(2026, 3, 10))
        for i in range(10):
            e = enroll(c, completed_on=dt.date(2026, 3, 10) if i < completed else None)
            if e.status == EnrollmentStatus.ENROLLED:
                e.status = EnrollmentStatus.NOT_COMPLETED
                e.save()
            if i < employed:
                InsuranceContribution.objects.create(person=e.person, employer_uscc=employer.uscc, employer=employer,
                                                     month=dt.date(2026, 5, 1), base=Decimal("4500"))
    for n in range(2):
        Finding.objects.create(
            code="R03", fingerprint=f"planted-{n}", subject_type=ContentType.objects.get_for_model(Organisation),
            subject_id=str(bad.pk), subject_label=bad.name, organisation=bad, county_id=bad.county_id,
            severity=Severity.HIGH, evidence={"planted": n}, last_seen_at=timezone.now(),
        )
    return {"good": good, "bad": bad, "personas": personas}


def test_it_ranks_the_good_institution_above_the_bad_one(planted):
    ranked = ranked_institutions(queries.stats_scope(planted["personas"].alice), year=2026, today=TODAY)
    names = [r.organisation.name for r in ranked]
    assert names == ["济南优质培训学校", "济南问题培训学校"]
    good, bad = ranked[0].card, ranked[1].card
    assert good.rates["completion"] == Decimal("1") and good.rates["employment"] == Decimal("0.8")
    assert bad.rates["completion"] == Decimal("0.3") and bad.facts.open_findings == 2
    assert good.score > bad.score


def test_it_scopes_scorecards_to_the_county(planted):
    ranked = ranked_institutions(queries.stats_scope(planted["personas"].erin), year=2026, today=TODAY)
    assert [r.organisation.name for r in ranked] == ["济南问题培训学校"]


def test_it_runs_the_selection_workflow_with_maker_checker(client, planted):
    p = planted["personas"]
    client.force_login(p.bob)  # Jinan proposes
    response = client.post(f"/stats/scorecards/{planted['good'].pk}/propose/?year=2026", {"reason": "就业成效好"})
    assert response.status_code == 302
    selection = InstitutionSelection.objects.get()
    assert selection.status == SelectionStatus.PROPOSED and selection.score > 0
    # Qingdao cannot propose a Jinan institution (outside its scope).
    client.force_login(p.carol)
    assert client.post(f"/stats/scorecards/{planted['bad'].pk}/propose/?year=2026", {"reason": "x"}).status_code == 404
    # A city cannot decide; the province can, but not on its own proposal.
    client.force_login(p.bob)
    assert client.post(f"/stats/selections/{selection.pk}/decide/", {"decision": "approve"}).status_code == 404
    client.force_login(p.alice)
    client.post(f"/stats/selections/{selection.pk}/decide/", {"decision": "approve", "reason": "同意"})
    selection.refresh_from_db()
    assert selection.status == SelectionStatus.APPROVED and selection.valid_until == dt.date(2027, 12, 31)
    profile = client.get(f"/stats/institutions/{planted['good'].pk}/").content.decode()
    assert "2027-12-31" in profile
    client.logout()
    assert client.get(f"/stats/institutions/{planted['good'].pk}/").status_code == 200  # public


def test_it_refuses_a_proposal_without_reason_and_self_decisions(client, planted):
    p = planted["personas"]
    client.force_login(p.alice)
    client.post(f"/stats/scorecards/{planted['good'].pk}/propose/?year=2026", {"reason": " "})
    assert not InstitutionSelection.objects.exists()
    client.post(f"/stats/scorecards/{planted['good'].pk}/propose/?year=2026", {"reason": "好"})
    selection = InstitutionSelection.objects.get()
    response = client.post(f"/stats/selections/{selection.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 403
    selection.refresh_from_db()
    assert selection.status == SelectionStatus.PROPOSED


def test_it_shows_scorecard_pages(client, planted):
    client.force_login(planted["personas"].alice)
    html = client.get("/stats/scorecards/?year=2026").content.decode()
    assert html.index("济南优质培训学校") < html.index("济南问题培训学校")
    assert client.get("/stats/scorecards/evaluators/?year=2026").status_code == 200
    client.force_login(planted["personas"].ivan)
    assert client.get("/stats/scorecards/").status_code == 403


def test_it_serves_scorecards_through_the_api(client, planted):
    client.force_login(planted["personas"].bob)
    rows = client.get("/api/v1/stats/scorecards/institutions?year=2026").json()
    assert [r["name"] for r in rows] == ["济南优质培训学校", "济南问题培训学校"]
    assert rows[1]["open_findings"] == 2
    client.force_login(planted["personas"].carol)
    assert client.get("/api/v1/stats/scorecards/institutions?year=2026").json() == []
    assert client.get("/api/v1/stats/scorecards/evaluators?year=2026").status_code == 200
