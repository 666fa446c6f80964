"""Registry API: the same scope, masking and explicit-field rules as the pages."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from jixing.accounts.models import ApiToken
from jixing.core.models import AuditEvent
from jixing.core.testing import make_organisation
from jixing.registry.idgen import make_id_number
from jixing.registry.models import Organisation, OrganisationStatus, Person

pytestmark = pytest.mark.django_db

API = "/api/v1/registry"


def as_user(client: Client, user) -> Client:
    client.force_login(user)
    return client


def new_person(**overrides) -> dict:
    data = {
        "id_number": make_id_number("370102", dt.date(1995, 7, 1), 77),
        "name": "孙新", "household_region": "370102", "current_region": "370102",
        "phone": "13700001111", "education": "senior", "employment_status": "unemployed",
    }
    data.update(overrides)
    return data


def post_json(client: Client, url: str, body: dict):
    return client.post(url, json.dumps(body), content_type="application/json")


# ------------------------------------------------------------------ reading persons

def test_it_lists_only_persons_in_scope_masked(client, personas):
    body = as_user(client, personas.bob).get(f"{API}/persons").json()
    names = {p["name"] for p in body["items"]}
    assert names == {personas.lixia_person.name, personas.shizhong_person.name}
    assert body["count"] == 2
    raw = json.dumps(body)
    for person in (personas.lixia_person, personas.shizhong_person):
        assert person.id_number not in raw and person.phone not in raw
    item = next(p for p in body["items"] if p["name"] == personas.lixia_person.name)
    assert item["id_number_masked"] == personas.lixia_person.masked_id_number
    assert item["household_region"] == "370102"


def test_it_finds_a_person_by_exact_id_number_within_scope_only(client, personas):
    as_user(client, personas.dave)
    found = client.get(f"{API}/persons", {"id_number": personas.lixia_person.id_number}).json()
    assert [p["id"] for p in found["items"]] == [personas.lixia_person.pk]
    outside = client.get(f"{API}/persons", {"id_number": personas.shizhong_person.id_number}).json()
    assert outside == {"items": [], "count": 0}


def test_it_answers_422_for_a_malformed_id_number_query(client, personas):
    response = as_user(client, personas.bob).get(f"{API}/persons", {"id_number": "3701"})
    assert response.status_code == 422
    assert list(response.json()["detail"]) == ["id_number"]  # the one normaliser's message, per field


def test_it_searches_by_name_prefix(client, personas):
    body = as_user(client, personas.alice).get(f"{API}/persons", {"name": "张"}).json()
    assert [p["name"] for p in body["items"]] == [personas.qingdao_person.name]


def test_it_answers_404_for_a_person_outside_scope(client, personas):
    as_user(client, personas.dave)
    assert client.get(f"{API}/persons/{personas.lixia_person.pk}").status_code == 200
    assert client.get(f"{API}/persons/{personas.shizhong_person.pk}").status_code == 404
    assert client.get(f"{API}/persons/999999").status_code == 404


def test_it_lets_bob_read_jinan_persons_but_not_qingdao(client, personas):
    as_user(client, personas.bob)
    assert client.get(f"{API}/persons/{personas.shizhong_person.pk}").status_code == 200
    assert client.get(f"{API}/persons/{personas.qingdao_person.pk}").status_code == 404


def test_it_refuses_persons_to_the_system_administrator_and_trainees(client, personas):
    for user in (personas.sam, personas.trent):
        client.force_login(user)
        assert client.get(f"{API}/persons").status_code == 403


def test_it_requires_authentication(client, personas):
    assert client.get(f"{API}/persons").status_code == 401


def test_it_scopes_an_organisation_api_token_to_the_organisation(client, personas):
    _token, raw = ApiToken.issue(user=personas.ivan, name="学校教务系统")
    persons = client.get(f"{API}/persons", HTTP_X_API_TOKEN=raw)
    assert persons.status_code == 200 and persons.json()["count"] == 0
    orgs = client.get(f"{API}/organisations", HTTP_X_API_TOKEN=raw).json()
    assert [o["id"] for o in orgs["items"]] == [personas.institution.pk]
    assert client.get(f"{API}/organisations/{personas.evaluation_body.pk}", HTTP_X_API_TOKEN=raw).status_code == 404


# ------------------------------------------------------------------ creating persons

def test_it_creates_a_person_with_one_audit_row(client, personas):
    data = new_person()
    response = post_json(as_user(client, personas.dave), f"{API}/persons", data)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id_number_masked"] == data["id_number"][:6] + "********" + data["id_number"][-4:]
    assert data["id_number"] not in response.content.decode()
    person = Person.objects.get(pk=body["id"])
    assert person.id_number == data["id_number"]
    rows = AuditEvent.objects.filter(event="person.create", object_id=str(person.pk))
    assert rows.count() == 1
    assert rows.get().actor == personas.dave and rows.get().ip == "127.0.0.1"


def test_it_reports_validation_errors_as_422_with_the_field(client, personas):
    as_user(client, personas.dave)
    bad_check = new_person(id_number=new_person()["id_number"][:-1] + "X")
    response = post_json(client, f"{API}/persons", bad_check)
    assert response.status_code == 422
    assert "id_number" in response.json()["detail"]
    response = post_json(client, f"{API}/persons", new_person(current_region="999999"))
    assert response.status_code == 422 and "current_region" in response.json()["detail"]
    response = post_json(client, f"{API}/persons", new_person(phone="12345"))
    assert response.status_code == 422 and "phone" in response.json()["detail"]
    missing = new_person()
    del missing["name"]
    assert post_json(client, f"{API}/persons", missing).status_code == 422
    assert Person.objects.count() == 3


def test_it_refuses_to_create_outside_the_officers_region(client, personas):
    response = post_json(as_user(client, personas.dave), f"{API}/persons",
                         new_person(household_region="370103", current_region="370103"))
    assert response.status_code == 422
    assert "current_region" in response.json()["detail"]
    assert Person.objects.count() == 3


def test_it_refuses_creation_to_readers(client, personas):
    for user in (personas.audrey, personas.ivan, personas.frank):
        client.force_login(user)
        assert post_json(client, f"{API}/persons", new_person()).status_code == 403
    assert Person.objects.count() == 3


def test_it_ignores_extra_fields_in_the_body(client, personas):
    data = new_person(archived_at="2025-01-01T00:00:00Z", id_number_hash="0" * 64, birth_date="2001-01-01", sex="F")
    response = post_json(as_user(client, personas.dave), f"{API}/persons", data)
    assert response.status_code == 201
    person = Person.objects.get(pk=response.json()["id"])
    assert person.archived_at is None
    assert person.birth_date == dt.date(1995, 7, 1) and person.sex == "M"
    assert person.id_number_hash == Person.hash_id_number(data["id_number"])


def test_it_enforces_csrf_for_session_posts(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.dave)
    assert post_json(client, f"{API}/persons", new_person()).status_code == 403
    assert Person.objects.count() == 3


# ------------------------------------------------------------------ organisations

def test_it_lists_organisations_in_scope(client, personas):
    make_organisation("青岛培训学校", "370202")
    as_user(client, personas.dave)
    names = {o["name"] for o in client.get(f"{API}/organisations").json()["items"]}
    assert names == {personas.institution.name}
    as_user(client, personas.bob)
    names = {o["name"] for o in client.get(f"{API}/organisations").json()["items"]}
    assert names == {personas.institution.name, personas.evaluation_body.name}


def test_it_filters_organisations_by_kind_status_and_code(client, personas):
    Organisation.objects.filter(pk=personas.institution.pk).update(
        status=OrganisationStatus.BLACKLISTED, status_reason="虚假培训")
    as_user(client, personas.alice)
    blocked = client.get(f"{API}/organisations", {"status": "blacklisted"}).json()["items"]
    assert [(o["name"], o["status_reason"]) for o in blocked] == [(personas.institution.name, "虚假培训")]
    by_code = client.get(f"{API}/organisations", {"q": personas.evaluation_body.uscc}).json()["items"]
    assert [o["id"] for o in by_code] == [personas.evaluation_body.pk]
    by_kind = client.get(f"{API}/organisations", {"kind": "evaluation_institution"}).json()["items"]
    assert [o["id"] for o in by_kind] == [personas.evaluation_body.pk]


def test_it_answers_404_for_an_organisation_outside_scope(client, personas):
    as_user(client, personas.dave)
    assert client.get(f"{API}/organisations/{personas.institution.pk}").status_code == 200
    assert client.get(f"{API}/organisations/{personas.evaluation_body.pk}").status_code == 404
