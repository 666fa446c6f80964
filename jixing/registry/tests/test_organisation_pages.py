"""Organisation pages: scope, status display, officers' create/edit with explicit fields."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.test import Client
from django.urls import reverse

from jixing.core.models import AuditEvent
from jixing.core.testing import make_organisation
from jixing.core.workflow import move
from jixing.registry.idgen import make_uscc
from jixing.registry.models import Organisation, OrganisationStatus

pytestmark = pytest.mark.django_db


def detail(org: Organisation) -> str:
    return reverse("registry:organisation_detail", args=[org.pk])


def org_form(**overrides) -> dict:
    data = {
        "uscc": make_uscc("370102", random.Random(7)), "name": "历下新技能培训学校", "kind": "private_institution",
        "county": "370102", "address": "济南市历下区泉城路1号", "is_specialised": "on",
        "teacher_count": "12", "capacity": "200", "enrolled_students": "",
    }
    data.update(overrides)
    return data


def test_it_lists_organisations_in_the_officers_region_only(client, personas):
    qingdao = make_organisation("青岛技能学校", "370202")
    client.force_login(personas.dave)
    html = client.get(reverse("registry:organisation_list")).content.decode()
    assert personas.institution.name in html
    assert personas.evaluation_body.name not in html and qingdao.name not in html
    assert client.get(detail(personas.evaluation_body)).status_code == 404
    assert client.get(detail(qingdao)).status_code == 404


def test_it_shows_an_institution_its_own_organisation_only(client, personas):
    client.force_login(personas.ivan)
    assert client.get(detail(personas.institution)).status_code == 200
    assert client.get(detail(personas.evaluation_body)).status_code == 404
    html = client.get(reverse("registry:organisation_list")).content.decode()
    assert personas.institution.name in html and personas.evaluation_body.name not in html


def test_it_searches_by_name_credit_code_kind_and_city(client, personas):
    qingdao = make_organisation("青岛技能学校", "370202")
    client.force_login(personas.alice)
    list_url = reverse("registry:organisation_list")

    def names(query: str) -> set[str]:
        return {o.name for o in client.get(list_url + query).context["page_obj"].object_list}

    assert names("?q=学校") == {personas.institution.name, qingdao.name}
    assert names(f"?q={personas.evaluation_body.uscc}") == {personas.evaluation_body.name}
    assert names("?kind=evaluation_institution") == {personas.evaluation_body.name}
    assert names("?city=370200") == {qingdao.name}


def test_it_shows_status_reason_and_history(client, personas):
    org = personas.institution
    move(org, OrganisationStatus.SUSPENDED, by=personas.alice, reason="学员签到异常，暂停开班",
         transitions={(OrganisationStatus.ACTIVE, OrganisationStatus.SUSPENDED)})
    Organisation.objects.filter(pk=org.pk).update(status_reason="学员签到异常，暂停开班", status_until=dt.date(2027, 6, 30))
    client.force_login(personas.bob)
    html = client.get(detail(org)).content.decode()
    assert "暂停" in html and "学员签到异常，暂停开班" in html and "2027-06-30" in html
    assert "有效 → 暂停" in html
    blocked = client.get(reverse("registry:organisation_list") + "?status=blocked").context["page_obj"].object_list
    assert [o.pk for o in blocked] == [org.pk]


def test_it_registers_an_organisation_with_one_audit_row(client, personas):
    client.force_login(personas.dave)
    data = org_form()
    response = client.post(reverse("registry:organisation_create"), data)
    org = Organisation.objects.get(uscc=data["uscc"])
    assert response.status_code == 302 and response["Location"] == detail(org)
    assert org.is_specialised and org.capacity == 200 and org.status == OrganisationStatus.ACTIVE
    assert AuditEvent.objects.filter(event="organisation.create", object_id=str(org.pk)).count() == 1


def test_it_asks_colleges_for_their_enrolled_students(client, personas):
    client.force_login(personas.dave)
    response = client.post(reverse("registry:organisation_create"), org_form(kind="vocational_college"))
    assert "职业院校和技工院校须填写在校生人数" in response.content.decode()
    assert Organisation.objects.count() == 2


def test_it_rejects_a_bad_credit_code(client, personas):
    client.force_login(personas.dave)
    code = org_form()["uscc"]
    bad = code[:-1] + ("0" if code[-1] != "0" else "1")
    response = client.post(reverse("registry:organisation_create"), org_form(uscc=bad))
    assert "统一社会信用代码的校验码错误" in response.content.decode()
    assert Organisation.objects.count() == 2


def test_it_ignores_status_and_code_in_an_edit(client, personas):
    org = personas.institution
    uscc = org.uscc
    client.force_login(personas.dave)
    response = client.post(reverse("registry:organisation_edit", args=[org.pk]), org_form(
        name="历下技能培训学校（更名）", uscc="91370102MA00000000", status="blacklisted", status_reason="x",
        archived_at="2025-01-01T00:00:00Z",
    ))
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.name == "历下技能培训学校（更名）"
    assert (org.uscc, org.status, org.status_reason, org.archived_at) == (uscc, OrganisationStatus.ACTIVE, "", None)
    row = AuditEvent.objects.get(event="organisation.update")
    assert row.before["name"] == "历下技能培训学校" and row.after["name"] == "历下技能培训学校（更名）"


def test_it_keeps_other_regions_and_readers_from_editing(client, personas):
    before = Organisation.objects.get(pk=personas.institution.pk).name
    edit = reverse("registry:organisation_edit", args=[personas.institution.pk])
    client.force_login(personas.erin)
    assert client.post(edit, org_form(name="别人改的")).status_code == 404
    for reader in (personas.ivan, personas.audrey):
        client.force_login(reader)
        assert client.post(edit, org_form(name="别人改的")).status_code == 403
    assert Organisation.objects.get(pk=personas.institution.pk).name == before


def test_it_enforces_csrf_on_organisation_writes(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.dave)
    assert client.post(reverse("registry:organisation_create"), org_form()).status_code == 403
    assert Organisation.objects.count() == 2
