"""A case decision bars a person from subsidies (issue 12, seed 二(六)): the measure writes the
registry's restriction with the case number, the person's new claim is refused naming it (which
restriction, since when, which decision); lifting the measure or overturning the decision lifts
it, and the registry alone cannot."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from jixing.core.models import AuditEvent
from jixing.core.workflow import IllegalTransition
from jixing.funds import actions as funds_actions
from jixing.funds.tests import factories as ff
from jixing.registry import actions as registry_actions
from jixing.registry.models import Organisation, OrganisationStatus, PersonRestriction, RestrictionOrigin
from jixing.supervision import actions
from jixing.supervision.models import Case, CaseStatus, MeasureKind

from .test_cases import plant_old_trainees

pytestmark = pytest.mark.django_db


def violation(personas) -> Case:
    case = actions.open_case(plant_old_trainees(personas.institution), by=personas.dave, title="冒名参训",
                             assign_to=personas.dave)
    return actions.decide_case(case, by=personas.dave, violation=True, reasons="学员身份被冒用，骗取补贴。")


@pytest.fixture
def claimable(personas):
    """The Lixia trainee holds a claimable certificate (insured 12 months) and a card account."""
    ff.rule_table(personas)
    person = personas.lixia_person
    cert = ff.certificate(person, lvl=3, issued_on=ff.today() - dt.timedelta(days=100))
    ff.insured(person, months=12, until=cert.issued_on)
    return person, cert, ff.card_account(personas, person)


def problems(exc: funds_actions.ClaimRefused) -> str:
    return "；".join(text for _label, texts in exc.lines for text in texts)


def test_a_case_restriction_refuses_the_claim_and_is_lifted_on_the_case(personas, claimable, client) -> None:
    person, cert, card = claimable
    case = violation(personas)
    client.force_login(personas.dave)
    response = client.post(reverse("supervision:case_step", args=[case.pk, "restrict_person"]), {
        "id_number": person.id_number, "kind": "case_decision", "reason": "出借身份证供机构虚报学员"}, follow=True)
    assert response.status_code == 200
    measure = case.measures.get(kind=MeasureKind.PERSON_RESTRICTION)
    restriction = measure.restriction
    assert restriction is not None and restriction.person == person and restriction.reference == case.number
    assert restriction.origin == RestrictionOrigin.CASE and restriction.starts_on == timezone.localdate()
    assert measure.reference == person.masked_id_number and person.id_number not in response.content.decode()

    with pytest.raises(funds_actions.ClaimRefused) as exc:
        funds_actions.create_person_claim(by=personas.trent, certificate=cert, payee_account=card)
    found = problems(exc.value)
    # what was found: which restriction, since when, by which decision
    assert case.number in found and timezone.localdate().isoformat() in found and "案件处理决定" in found

    # the registry alone cannot lift it; the case can
    with pytest.raises(ValidationError, match=case.number):
        registry_actions.lift_restriction(restriction, by=personas.dave, reason="直接解除")
    client.post(reverse("supervision:case_step", args=[case.pk, "lift_restriction"]),
                {"measure": measure.pk, "reason": "查明系身份被冒用，本人不知情"})
    restriction.refresh_from_db()
    assert restriction.lifted_at is not None and case.number in restriction.lift_reason
    assert AuditEvent.objects.filter(event="supervision.case.lift_restriction").exists()
    claim = funds_actions.create_person_claim(by=personas.trent, certificate=cert, payee_account=card)
    assert claim.amount > 0


def test_overturning_the_decision_lifts_its_restrictions_and_reinstates_the_institution(personas, claimable) -> None:
    person, cert, card = claimable
    case = violation(personas)
    actions.restrict_person(case, by=personas.dave, person=person, blacklist=True, until=None,
                            reason="骗取补贴，列入黑名单")
    actions.restrict_person(case, by=personas.dave, person=personas.lixia_person, blacklist=False,
                            until=timezone.localdate() + dt.timedelta(days=30), reason="同案另一处理决定")
    actions.sanction_institution(case, by=personas.dave, blacklist=True, until=None, reason="骗取培训补贴资金")
    # an earlier restriction recorded by an officer is not the case's and stays
    own = registry_actions.restrict_person(person, by=personas.dave, kind="blacklist", reason="另案黑名单登记",
                                           starts_on=timezone.localdate(), reference="LX-OTHER")
    actions.close_case(case, by=personas.dave, reason="处理措施已落实。")
    with pytest.raises(ValidationError):  # reasons required
        actions.overturn_decision(case, by=personas.dave, reason="")
    actions.overturn_decision(case, by=personas.dave, reason="行政复议决定撤销原处理决定")
    case.refresh_from_db()
    assert case.status == CaseStatus.OVERTURNED
    case_rows = PersonRestriction.objects.filter(origin=RestrictionOrigin.CASE)
    assert case_rows.count() == 2 and not case_rows.filter(lifted_at__isnull=True).exists()
    assert PersonRestriction.objects.get(pk=own.pk).lifted_at is None
    assert Organisation.objects.get(pk=personas.institution.pk).status == OrganisationStatus.ACTIVE
    event = AuditEvent.objects.get(event="supervision.case.overturn")
    assert len(event.detail["restrictions_lifted"]) == 2 and event.detail["institution_reinstated"]
    with pytest.raises(IllegalTransition):
        actions.overturn_decision(case, by=personas.dave, reason="再次撤销决定")
    # the officer's own restriction still refuses the claim, naming its document
    with pytest.raises(funds_actions.ClaimRefused) as exc:
        funds_actions.create_person_claim(by=personas.trent, certificate=cert, payee_account=card)
    assert "LX-OTHER" in problems(exc.value) and case.number not in problems(exc.value)


def test_measures_on_persons_need_a_violation_and_scope(personas) -> None:
    case = actions.open_case(plant_old_trainees(personas.institution), by=personas.dave, assign_to=personas.dave)
    with pytest.raises(ValidationError):  # not decided yet
        actions.restrict_person(case, by=personas.dave, person=personas.lixia_person, blacklist=True, until=None,
                                reason="尚未认定违规")
    case = actions.decide_case(case, by=personas.dave, violation=True, reasons="虚假学员，骗取补贴。")
    with pytest.raises(ValidationError):  # an end date in the past
        actions.restrict_person(case, by=personas.dave, person=personas.lixia_person, blacklist=False,
                                until=timezone.localdate() - dt.timedelta(days=1), reason="日期错误的措施")
    assert not PersonRestriction.objects.exists() and not case.measures.exists()


def test_the_api_restricts_lifts_and_overturns(personas, client) -> None:
    case = violation(personas)
    client.force_login(personas.dave)
    person = personas.lixia_person
    url = f"/api/v1/supervision/cases/{case.pk}/person-restrictions"
    outside = client.post(url, {"person_id": personas.qingdao_person.pk, "reason": "越权限制他市人员"},
                          content_type="application/json")
    assert outside.status_code == 404
    created = client.post(url, {"person_id": person.pk, "blacklist": True, "reason": "骗取补贴，列入黑名单"},
                          content_type="application/json")
    assert created.status_code == 201, created.content
    measure = next(m for m in created.json()["measures"] if m["kind"] == "person_restriction")
    assert measure["restriction_kind"] == "blacklist" and measure["lifted_at"] is None
    assert person.is_blocked_on(timezone.localdate())
    lift = f"/api/v1/supervision/cases/{case.pk}/measures/{measure['id']}/lift"
    assert client.post(lift, {"reason": "查明系冒用身份"}, content_type="application/json").status_code == 200
    assert client.post(lift, {"reason": "再次解除限制"}, content_type="application/json").status_code == 422
    assert not person.is_blocked_on(timezone.localdate())
    client.post(url, {"person_id": person.pk, "reason": "同案再次限制"}, content_type="application/json")
    done = client.post(f"/api/v1/supervision/cases/{case.pk}/transition",
                       {"action": "overturn", "reasons": "法院判决撤销处理决定"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "overturned"
    assert not person.is_blocked_on(timezone.localdate())
    client.force_login(personas.ivan)
    assert client.post(url, {"person_id": person.pk, "reason": "机构自行限制"},
                       content_type="application/json").status_code == 403
