"""Placements: who may report, scope (an enterprise sees only its own; 404 otherwise, page and
API), the verification queue, maker ≠ checker, self-reports needing evidence."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from jixing.core.models import AuditEvent
from jixing.employment import actions
from jixing.employment.models import Placement, PlacementSource, VerificationStatus
from jixing.registry.idgen import make_uscc

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def placements(employers):
    """One placement at each enterprise."""
    p = employers.p
    f.completed_training(p.lixia_person, p.institution, p.dave)
    own = actions.report_placement(by=employers.eve, person=p.lixia_person, kind="employed",
                                   start_date=dt.date(2025, 6, 2), monthly_wage=Decimal("5200"), post="焊工")
    other = actions.report_placement(by=employers.olga, person=p.qingdao_person, kind="employed",
                                     start_date=dt.date(2025, 7, 1), monthly_wage=Decimal("6100"))
    return own, other


def test_it_shows_an_enterprise_only_its_own_placements_and_404_otherwise(client, employers, placements):
    own, other = placements
    client.force_login(employers.eve)
    assert client.get(reverse("employment:placement_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("employment:placement_detail", args=[other.pk])).status_code == 404
    listed = client.get(reverse("employment:placement_list")).context["page_obj"].object_list
    assert list(listed) == [own]
    assert client.get(f"/api/v1/employment/placements/{other.pk}").status_code == 404
    api = client.get("/api/v1/employment/placements").json()
    assert [row["id"] for row in api["items"]] == [own.pk]
    assert api["items"][0]["id_number_masked"] == employers.p.lixia_person.masked_id_number


def test_it_shows_the_training_institution_the_placements_of_its_trainees(client, employers, placements):
    own, other = placements
    client.force_login(employers.p.ivan)
    assert client.get(reverse("employment:placement_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("employment:placement_detail", args=[other.pk])).status_code == 404


def test_it_scopes_placements_to_the_officers_region(client, employers, placements):
    own, other = placements
    client.force_login(employers.p.carol)  # Qingdao
    assert client.get(reverse("employment:placement_detail", args=[own.pk])).status_code == 404
    assert client.get(reverse("employment:placement_detail", args=[other.pk])).status_code == 200


def test_it_verifies_from_the_queue_and_requires_a_reason_to_reject(client, employers, placements):
    own, other = placements
    client.force_login(employers.p.dave)  # Lixia officer
    queue = client.get(reverse("employment:verification_queue")).context["page_obj"].object_list
    assert list(queue) == [own]
    url = reverse("employment:placement_verify", args=[own.pk])
    client.post(url, {"decision": "reject", "note": ""})
    own.refresh_from_db()
    assert own.status == VerificationStatus.UNVERIFIED
    client.post(url, {"decision": "verify", "note": "劳动合同已核", "status": "rejected", "monthly_wage": "1"})
    own.refresh_from_db()
    assert (own.status, own.verified_by, own.monthly_wage) == (VerificationStatus.VERIFIED, employers.p.dave, Decimal("5200.00"))
    assert AuditEvent.objects.filter(event="placement.verified", object_id=str(own.pk)).count() == 1
    client.post(reverse("employment:placement_verify", args=[other.pk]), {"decision": "verify"})  # Qingdao: 404
    other.refresh_from_db()
    assert other.status == VerificationStatus.UNVERIFIED


def test_it_lets_the_reporter_resubmit_a_rejected_placement(client, employers, placements):
    own, _other = placements
    actions.reject_placement(own, by=employers.p.dave, note="合同编号不符")
    client.force_login(employers.eve)
    client.post(reverse("employment:placement_resubmit", args=[own.pk]), {"evidence": "新合同 HT-2025-118"})
    own.refresh_from_db()
    assert own.status == VerificationStatus.UNVERIFIED and "HT-2025-118" in own.evidence


def test_it_refuses_an_officer_verifying_a_placement_she_reported(employers):
    own = Placement.objects.create(
        person=employers.p.lixia_person, kind="flexible", county_id="370102", start_date=dt.date(2025, 6, 1),
        monthly_wage=Decimal("3000"), source=PlacementSource.INSTITUTION, reported_by=employers.p.dave,
    )
    with pytest.raises(PermissionDenied):
        actions.verify_placement(own, by=employers.p.dave)
    own.refresh_from_db()
    assert own.status == VerificationStatus.UNVERIFIED


def test_it_needs_evidence_for_a_self_report_and_records_a_business_start_up(client, employers):
    client.force_login(employers.p.trent)  # trainee = lixia_person
    url = reverse("employment:placement_create")
    licence = make_uscc("370102", random.Random(7), kind="92")
    data = {"kind": "startup", "business_licence_uscc": licence, "start_date": "2025-08-01",
            "monthly_wage": "4000", "post": "个体面点店", "evidence": ""}
    response = client.post(url, data)
    assert response.status_code == 200 and response.context["form"].errors.get("evidence")
    data["evidence"] = "营业执照照片编号 YZ-88"
    assert client.post(url, data).status_code == 302
    p = Placement.objects.get()
    assert (p.person, p.kind, p.business_licence_uscc, p.source, p.status) == (
        employers.p.lixia_person, "startup", licence, PlacementSource.SELF_REPORT, VerificationStatus.UNVERIFIED)


def test_it_refuses_a_start_up_without_a_valid_licence_code(client, employers):
    client.force_login(employers.p.trent)
    response = client.post(reverse("employment:placement_create"), {
        "kind": "startup", "business_licence_uscc": "91370102MA3C4XXXX1", "start_date": "2025-08-01",
        "monthly_wage": "4000", "evidence": "执照"})
    assert response.context["form"].errors.get("business_licence_uscc")
    assert not Placement.objects.exists()


def test_it_lets_an_institution_report_only_for_its_own_trainees(client, employers):
    p = employers.p
    f.completed_training(p.lixia_person, p.institution, p.dave)
    client.force_login(p.ivan)
    url = reverse("employment:placement_create")
    data = {"kind": "employed", "employer_uscc": employers.other_ent.uscc, "start_date": "2025-07-01",
            "monthly_wage": "5000", "evidence": "回访电话"}
    assert client.post(url, {**data, "id_number": p.shizhong_person.id_number}).status_code == 200  # not trained
    assert client.post(url, {**data, "id_number": p.lixia_person.id_number}).status_code == 302
    placement = Placement.objects.get()
    assert (placement.source, placement.employer, placement.county_id, placement.reporting_organisation) == (
        PlacementSource.INSTITUTION, employers.other_ent, "370202", p.institution)


def test_it_keeps_an_employer_unknown_to_the_registry_by_its_code(client, employers):
    p = employers.p
    f.completed_training(p.lixia_person, p.institution, p.dave)
    unknown = make_uscc("370103", random.Random(11))
    placement = actions.report_placement(by=p.ivan, person=p.lixia_person, kind="employed", employer_uscc=unknown,
                                         employer_name="未登记商贸公司", start_date=dt.date(2025, 7, 1),
                                         monthly_wage=Decimal("4100"))
    assert (placement.employer, placement.employer_uscc, placement.county_id) == (None, unknown, "370102")
    from jixing.registry.models import Organisation

    org = Organisation.objects.create(uscc=unknown, name="未登记商贸公司", kind="enterprise", county_id="370103")
    actions.link_contribution_employers()
    placement.refresh_from_db()
    assert placement.employer == org
