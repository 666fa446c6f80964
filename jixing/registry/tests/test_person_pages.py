"""Person pages through HTTP: scope (B3), masking (E3, B4), unmasking with a reason (C1),
explicit fields (B5), CSRF (B6) and the archive-instead-of-delete rule."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse

from jixing.core.models import AuditEvent
from jixing.core.testing import make_person
from jixing.registry.idgen import make_id_number
from jixing.registry.models import Person, PersonGroup, TargetGroup

pytestmark = pytest.mark.django_db


def detail(person: Person) -> str:
    return reverse("registry:person_detail", args=[person.pk])


def logged_in(client: Client, user) -> Client:
    client.force_login(user)
    return client


def person_fields(person: Person) -> dict:
    person.refresh_from_db()
    return {f.attname: getattr(person, f.attname) for f in Person._meta.concrete_fields}


# ------------------------------------------------------------------ scope

def test_it_shows_dave_his_county_person_but_not_erins(client, personas):
    logged_in(client, personas.dave)
    assert client.get(detail(personas.lixia_person)).status_code == 200
    response = client.get(detail(personas.shizhong_person))
    assert response.status_code == 404
    assert personas.shizhong_person.name not in response.content.decode()


def test_it_changes_nothing_when_dave_edits_or_archives_erins_person(client, personas):
    target = personas.shizhong_person
    before = person_fields(target)
    logged_in(client, personas.dave)
    edit = reverse("registry:person_edit", args=[target.pk])
    assert client.get(edit).status_code == 404
    response = client.post(edit, {
        "name": "改名", "household_region": "370102", "current_region": "370102", "employment_status": "employed",
    })
    assert response.status_code == 404
    response = client.post(reverse("registry:person_archive", args=[target.pk]), {"archive-reason": "不在本县"})
    assert response.status_code == 404
    assert person_fields(target) == before
    assert not AuditEvent.objects.filter(event__startswith="person.", object_id=str(target.pk)).exists()


def test_it_lets_bob_read_both_jinan_counties_but_not_qingdao(client, personas):
    logged_in(client, personas.bob)
    assert client.get(detail(personas.lixia_person)).status_code == 200
    assert client.get(detail(personas.shizhong_person)).status_code == 200
    assert client.get(detail(personas.qingdao_person)).status_code == 404
    page = client.get(reverse("registry:person_list")).content.decode()
    assert personas.lixia_person.name in page and personas.shizhong_person.name in page
    assert personas.qingdao_person.name not in page


def test_it_answers_404_for_a_missing_person_like_a_forbidden_one(client, personas):
    logged_in(client, personas.bob)
    assert client.get(reverse("registry:person_detail", args=[999_999])).status_code == 404


def test_it_shows_a_trainee_only_their_own_record(client, personas):
    logged_in(client, personas.trent)
    assert client.get(detail(personas.lixia_person)).status_code == 200
    assert client.get(detail(personas.shizhong_person)).status_code == 404
    assert client.get(reverse("registry:person_list")).status_code == 403


def test_it_shows_an_institution_no_persons_it_has_no_link_to(client, personas):
    logged_in(client, personas.ivan)
    page = client.get(reverse("registry:person_list")).content.decode()
    for person in (personas.lixia_person, personas.shizhong_person, personas.qingdao_person):
        assert person.name not in page
    assert client.get(detail(personas.lixia_person)).status_code == 404


def test_it_keeps_the_system_administrator_away_from_personal_data(client, personas):
    logged_in(client, personas.sam)
    assert client.get(reverse("registry:person_list")).status_code == 403
    assert client.get(detail(personas.lixia_person)).status_code == 403


def test_it_sends_anonymous_visitors_to_the_login_page(client, personas):
    response = client.get(reverse("registry:person_list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# ------------------------------------------------------------------ masking

@pytest.mark.parametrize("who", ["alice", "bob", "dave", "audrey"])
def test_it_never_puts_a_full_id_number_on_list_or_detail_pages(client, personas, who):
    logged_in(client, getattr(personas, who))
    person = personas.lixia_person
    pages = [
        client.get(reverse("registry:person_list")),
        client.get(reverse("registry:person_list") + "?q=李"),
        client.get(detail(person)),
        client.get(reverse("web:home")),
    ]
    for response in pages:
        assert response.status_code == 200
        html = response.content.decode()
        assert person.id_number not in html
        assert person.phone not in html
    assert person.masked_id_number in pages[0].content.decode()


def test_it_does_not_echo_a_searched_id_number(client, personas):
    logged_in(client, personas.dave)
    number = personas.qingdao_person.id_number  # exists, but outside dave's county
    response = client.post(reverse("registry:person_list"), {"q": number})
    html = response.content.decode()
    assert response.status_code == 200
    assert number not in html
    assert personas.qingdao_person.name not in html
    assert personas.qingdao_person.masked_id_number in html  # "no person with 370202********xxxx"


def test_it_opens_the_record_when_an_exact_id_number_is_searched(client, personas):
    logged_in(client, personas.bob)
    person = personas.shizhong_person
    response = client.post(reverse("registry:person_list"), {"q": person.id_number.lower()})
    assert response.status_code == 302
    assert response["Location"] == detail(person)


def test_it_turns_a_name_search_into_a_bookmarkable_get(client, personas):
    logged_in(client, personas.bob)
    response = client.post(reverse("registry:person_list"), {"q": "王", "region": "370103"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert personas.shizhong_person.name in page
    assert personas.lixia_person.name not in page


def test_it_filters_by_county_and_pages(client, personas):
    for seq in range(30):
        make_person(f"历{seq:02d}", "370102", seq=100 + seq)
    logged_in(client, personas.bob)
    first = client.get(reverse("registry:person_list") + "?region=370102")
    assert first.context["page_obj"].paginator.count == 31
    assert personas.shizhong_person.name not in first.content.decode()
    second = client.get(reverse("registry:person_list") + "?region=370102&page=2")
    assert len(second.context["page_obj"].object_list) == 6


@pytest.fixture
def disabled_group_member(personas):
    group = TargetGroup.objects.get(code="disabled")
    PersonGroup.objects.create(person=personas.lixia_person, group=group, valid_from=dt.date(2025, 1, 1),
                               evidence="残疾人证 37010219900517")
    return personas.lixia_person


def test_it_hides_sensitive_target_groups_without_the_field_permission(client, personas, disabled_group_member):
    logged_in(client, personas.bob)
    for url in (detail(disabled_group_member), reverse("registry:person_list")):
        html = client.get(url).content.decode()
        assert "敏感信息（已隐藏）" in html
        assert "残疾人" not in html
        assert "残疾人证" not in html


def test_it_shows_sensitive_target_groups_only_after_an_audited_unmask(client, personas, disabled_group_member):
    personas.bob.can_unmask = True
    personas.bob.save()
    html = logged_in(client, personas.bob).get(detail(disabled_group_member)).content.decode()
    assert "敏感信息（已隐藏）" in html and "残疾人" not in html  # masked by default, even with the permission
    html = client.post(reverse("registry:person_unmask", args=[disabled_group_member.pk]),
                       {"unmask-reason": "核验残疾人职业培训补贴资格"}).content.decode()
    assert "残疾人" in html and "残疾人证 37010219900517" in html
    assert "敏感信息（已隐藏）" not in html
    event = AuditEvent.objects.filter(event="person.unmask").latest("id")
    assert "sensitive_groups" in event.detail["fields"]


def test_a_person_sees_their_own_sensitive_groups(client, personas, disabled_group_member):
    html = logged_in(client, personas.trent).get(detail(disabled_group_member)).content.decode()
    assert "残疾人" in html


def test_sensitive_memberships_and_all_evidence_are_ciphertext_at_rest(personas, disabled_group_member):
    """D1/B4: no disability or correction status in the clear — the row has no group key, the
    group code and every evidence text are encrypted, and the readers still get the group."""
    from django.db import connection

    from jixing.registry.models import live_memberships

    m = PersonGroup.objects.get(person=disabled_group_member)
    assert m.group_id is None and m.is_sealed and m.group_code == "disabled"
    with connection.cursor() as cursor:
        cursor.execute("SELECT group_id, sealed_group, sealed_key, evidence FROM registry_persongroup WHERE id = %s", [m.pk])
        group_id, sealed, key, evidence = cursor.fetchone()
    assert group_id is None and "disabled" not in sealed and len(key) == 64
    assert "残疾" not in evidence and "37010219900517" not in evidence
    assert [(p.person_id, g.code) for p, g in live_memberships([disabled_group_member.pk])] == [
        (disabled_group_member.pk, "disabled")]
    veteran = PersonGroup.objects.create(person=disabled_group_member, group=TargetGroup.objects.get(code="veteran"),
                                         valid_from=dt.date(2025, 1, 1), evidence="退役证 123")
    assert veteran.group_id is not None and veteran.sealed_group == ""  # not sensitive: stays filterable


def test_a_sensitive_membership_is_sealed_once(personas, disabled_group_member):
    from django.db import IntegrityError, transaction

    again = PersonGroup(person=disabled_group_member, group=TargetGroup.objects.get(code="disabled"),
                        valid_from=dt.date(2025, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        again.save()


def test_it_does_not_let_a_group_filter_reveal_sensitive_membership(client, personas, disabled_group_member):
    group = TargetGroup.objects.get(code="disabled")
    logged_in(client, personas.bob)
    response = client.get(reverse("registry:person_list") + f"?group={group.pk}")
    names = {p.name for p in response.context["page_obj"].object_list}
    assert personas.shizhong_person.name in names  # the filter was refused, not applied


# ------------------------------------------------------------------ unmasking

def unmask_url(person: Person) -> str:
    return reverse("registry:person_unmask", args=[person.pk])


def test_it_refuses_to_unmask_without_the_field_permission(client, personas):
    logged_in(client, personas.bob)
    response = client.post(unmask_url(personas.lixia_person), {"unmask-reason": "核验身份信息"})
    assert response.status_code == 403
    assert personas.lixia_person.id_number not in response.content.decode()
    assert not AuditEvent.objects.filter(event="person.unmask").exists()
    assert AuditEvent.objects.filter(event="authorization.denied", actor=personas.bob).count() == 1


def test_it_needs_a_reason_to_unmask(client, personas):
    personas.bob.can_unmask = True
    personas.bob.save()
    logged_in(client, personas.bob)
    response = client.post(unmask_url(personas.lixia_person), {"unmask-reason": " "})
    assert response.status_code == 400
    assert personas.lixia_person.id_number not in response.content.decode()
    assert not AuditEvent.objects.filter(event="person.unmask").exists()


def test_it_unmasks_once_with_a_reason_and_one_audit_row(client, personas):
    person = personas.lixia_person
    personas.bob.can_unmask = True
    personas.bob.save()
    logged_in(client, personas.bob)
    response = client.post(unmask_url(person), {"unmask-reason": "核验补贴申领人身份"})
    assert response.status_code == 200
    assert person.id_number in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    rows = AuditEvent.objects.filter(event="person.unmask")
    assert rows.count() == 1
    row = rows.get()
    assert row.actor == personas.bob
    assert row.object_id == str(person.pk)
    assert row.detail["reason"] == "核验补贴申领人身份"
    assert person.id_number not in json.dumps([row.detail, row.before, row.after, row.object_label], ensure_ascii=False)
    # Shown once: the next ordinary view is masked again.
    assert person.id_number not in client.get(detail(person)).content.decode()


def test_it_does_not_unmask_outside_scope_even_with_the_permission(client, personas):
    personas.dave.can_unmask = True
    personas.dave.save()
    logged_in(client, personas.dave)
    response = client.post(unmask_url(personas.shizhong_person), {"unmask-reason": "核验身份信息"})
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(event="person.unmask").exists()


def test_it_does_not_unmask_on_get(client, personas):
    personas.bob.can_unmask = True
    personas.bob.save()
    response = logged_in(client, personas.bob).get(unmask_url(personas.lixia_person) + "?unmask-reason=abcdef")
    assert response.status_code == 405
    assert not AuditEvent.objects.filter(event="person.unmask").exists()


# ------------------------------------------------------------------ create, edit, archive

def new_person_form(**overrides) -> dict:
    data = {
        "id_number": make_id_number("370102", dt.date(1988, 3, 9), 57),
        "name": "赵新", "phone": "138 0000 1234", "household_region": "370102", "current_region": "370102",
        "education": "college", "employment_status": "unemployed",
    }
    data.update(overrides)
    return data


def test_it_registers_a_person_with_one_masked_audit_row(client, personas):
    logged_in(client, personas.dave)
    data = new_person_form()
    response = client.post(reverse("registry:person_create"), data)
    person = Person.objects.with_id_number(data["id_number"]).get()
    assert response.status_code == 302 and response["Location"] == detail(person)
    assert (person.name, person.phone, person.birth_date, person.sex) == ("赵新", "13800001234", dt.date(1988, 3, 9), "M")
    rows = AuditEvent.objects.filter(event="person.create")
    assert rows.count() == 1
    assert rows.get().after["id_number"] == person.masked_id_number
    assert data["id_number"] not in json.dumps(rows.get().after)


def test_it_rejects_a_bad_id_number_in_chinese(client, personas):
    logged_in(client, personas.dave)
    bad = new_person_form()["id_number"][:-1] + ("0" if new_person_form()["id_number"][-1] != "0" else "1")
    response = client.post(reverse("registry:person_create"), new_person_form(id_number=bad))
    assert response.status_code == 200
    assert "身份证号码的校验码错误" in response.content.decode()
    assert not Person.objects.with_id_number(bad).exists()


def test_it_rejects_a_duplicate_id_number(client, personas):
    logged_in(client, personas.dave)
    response = client.post(reverse("registry:person_create"), new_person_form(id_number=personas.qingdao_person.id_number))
    assert "该身份证号码的人员已经登记" in response.content.decode()
    assert Person.objects.count() == 3


def test_it_does_not_let_a_county_officer_register_into_another_county(client, personas):
    logged_in(client, personas.dave)
    response = client.post(reverse("registry:person_create"), new_person_form(household_region="370103", current_region="370103"))
    assert response.status_code == 200
    assert Person.objects.count() == 3


def test_it_ignores_extra_fields_when_registering(client, personas):
    logged_in(client, personas.dave)
    data = new_person_form(archived_at="2025-01-01T00:00:00Z", archive_reason="x", id_number_hash="0" * 64,
                           birth_date="2000-01-01", sex="F", created_at="2020-01-01")
    client.post(reverse("registry:person_create"), data)
    person = Person.objects.with_id_number(data["id_number"]).get()
    assert person.archived_at is None and person.archive_reason == ""
    assert person.birth_date == dt.date(1988, 3, 9) and person.sex == "M"


def test_it_edits_a_person_and_keeps_the_id_number(client, personas):
    person = personas.lixia_person
    number = person.id_number
    logged_in(client, personas.dave)
    response = client.post(reverse("registry:person_edit", args=[person.pk]), {
        "name": "李历下", "phone": "13912345678", "household_region": "370102", "current_region": "370102",
        "education": "bachelor", "employment_status": "employed",
        "id_number": personas.qingdao_person.id_number, "archived_at": "2025-01-01T00:00:00Z",
    })
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.id_number == number and person.archived_at is None
    assert (person.phone, person.education, person.employment_status) == ("13912345678", "bachelor", "employed")
    row = AuditEvent.objects.get(event="person.update")
    assert row.after == {"phone": "139****5678", "education": "bachelor", "employment_status": "employed"}


def test_it_archives_with_a_reason_instead_of_deleting(client, personas):
    person = personas.lixia_person
    logged_in(client, personas.dave)
    url = reverse("registry:person_archive", args=[person.pk])
    assert client.post(url, {"archive-reason": ""}).status_code == 400
    response = client.post(url, {"archive-reason": "重复登记，已合并"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.is_archived and person.archived_by == personas.dave and person.archive_reason == "重复登记，已合并"
    assert AuditEvent.objects.filter(event="person.archive", object_id=str(person.pk)).count() == 1
    assert person.name not in client.get(reverse("registry:person_list")).content.decode()
    assert person.name in client.get(reverse("registry:person_list") + "?archived=on").content.decode()
    assert client.get(reverse("registry:person_edit", args=[person.pk])).status_code == 404


def test_it_keeps_readers_from_writing(client, personas):
    for user in (personas.audrey, personas.grace, personas.ivan):
        client.force_login(user)
        assert client.get(reverse("registry:person_create")).status_code == 403
        assert client.post(reverse("registry:person_create"), new_person_form()).status_code == 403
    assert Person.objects.count() == 3


def test_it_enforces_csrf_on_person_writes(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.dave)
    assert client.post(reverse("registry:person_create"), new_person_form()).status_code == 403
    assert client.post(reverse("registry:person_archive", args=[personas.lixia_person.pk]),
                       {"archive-reason": "重复登记"}).status_code == 403
    assert Person.objects.count() == 3
    personas.lixia_person.refresh_from_db()
    assert not personas.lixia_person.is_archived
