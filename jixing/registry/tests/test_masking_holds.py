"""Masking that holds (issue 11, defect 1; docs/security.md "Masking rule").

The masked digits of a resident ID number (370102********1019) are the birth date, so a page
or API answer that shows the masked ID beside the full birth date hands the whole number out.
Beside a masked ID only the birth year (or age) may appear; month and day only after the
audited unmask; the public certificate check shows no part of the ID at all.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from jixing.core.models import AuditEvent
from jixing.core.testing import make_person
from jixing.evaluation.tests import factories as ef

BIRTH = dt.date(1987, 11, 23)


def birth_date_spellings(day: dt.date) -> list[str]:
    return [day.isoformat(), day.strftime("%Y%m%d"), f"{day.year}年{day.month}月{day.day}日", day.strftime("%Y/%m/%d"),
            f"{day.year}-{day.month}-{day.day}"]


def shows_birth_date(text: str, day: dt.date = BIRTH) -> bool:
    return any(spelling in text for spelling in birth_date_spellings(day))


@pytest.fixture
def person(personas):
    return make_person("钱生日", "370102", birth=BIRTH, seq=631)


def test_it_shows_the_birth_year_not_the_birth_date_beside_the_masked_id_on_the_person_page(client, personas, person):
    client.force_login(personas.dave)
    html = client.get(reverse("registry:person_detail", args=[person.pk])).content.decode()
    assert person.masked_id_number in html and "1987" in html
    assert not shows_birth_date(html)


def test_it_answers_the_birth_year_not_the_birth_date_in_the_api(client, personas, person):
    client.force_login(personas.dave)
    detail = client.get(f"/api/v1/registry/persons/{person.pk}").json()
    assert detail["id_number_masked"] == person.masked_id_number and detail["birth_year"] == 1987
    assert "birth_date" not in detail and not shows_birth_date(str(detail))
    listed = client.get("/api/v1/registry/persons", {"limit": 200}).content.decode()
    assert person.masked_id_number in listed and not shows_birth_date(listed)


def test_it_shows_the_birth_date_only_after_the_audited_unmask(client, personas, person):
    personas.dave.can_unmask = True
    personas.dave.save()
    client.force_login(personas.dave)
    assert not shows_birth_date(client.get(reverse("registry:person_detail", args=[person.pk])).content.decode())
    html = client.post(reverse("registry:person_unmask", args=[person.pk]), {"unmask-reason": "核验出生日期"}).content.decode()
    assert shows_birth_date(html) and person.id_number in html
    assert AuditEvent.objects.filter(event="person.unmask", object_id=str(person.pk)).count() == 1


def test_it_shows_no_birth_date_beside_the_masked_id_in_the_admin(client, personas, person):
    client.force_login(personas.sam)
    for url in (reverse("admin:registry_person_changelist"), reverse("admin:registry_person_change", args=[person.pk])):
        html = client.get(url).content.decode()
        assert person.masked_id_number in html and not shows_birth_date(html), url


def test_it_shows_no_part_of_the_id_number_on_the_public_certificate_check(client, personas):
    holder = personas.lixia_person
    cert = ef.locked_pass(personas).certificates[0]
    body = client.get("/api/v1/evaluation/certificates/verify", {"number": cert.number, "name": holder.name}).json()
    assert body["found"] and body["holder"] == "李**"
    page = client.post(reverse("evaluation:verify"), {"number": cert.number, "name": holder.name}).content.decode()
    assert cert.number in page
    for text in (str(body), page):
        assert holder.masked_id_number not in text and holder.id_number[-4:] not in text
        assert not shows_birth_date(text, holder.birth_date)
