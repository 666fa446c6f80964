"""The shared list machinery (jixing/core/listing.py, jixing/core/exports.py) through HTTP:
sort by whitelisted columns, export what is filtered with real cell types, masked unless
unmasked with an audited reason, formulas neutralised, the filter in a header row."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from jixing.core.models import AuditEvent, ExportJob
from jixing.core.testing import make_person

pytestmark = pytest.mark.django_db


def export(client: Client, list_name: str, query: str, *, fmt: str = "xlsx", reason: str = "") -> ExportJob:
    data = {"list": list_name, "query": query, "fmt": fmt}
    if reason:
        data |= {"unmask": "1", "reason": reason}
    response = client.post(reverse("web:export_start"), data)
    assert response.status_code == 302, response.content[:500]
    job = ExportJob.objects.latest("id")
    assert response["Location"] == reverse("web:export", args=[job.pk])
    return job


def download(client: Client, job: ExportJob) -> bytes:
    response = client.get(reverse("web:export_download", args=[job.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def sheet(content: bytes) -> list[list[object]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return book.get_sheet_by_index(0).to_python(skip_empty_area=False)


def test_it_sorts_persons_by_a_whitelisted_column_and_ignores_others(client, personas):
    make_person("阿历下", "370102", seq=41)
    client.force_login(personas.bob)
    names = lambda r: [p.name for p, _ in r.context["rows"]]  # noqa: E731
    ascending = client.get(reverse("registry:person_list") + "?sort=name")
    assert names(ascending) == sorted(names(ascending))
    descending = client.get(reverse("registry:person_list") + "?sort=-name")
    assert names(descending) == list(reversed(names(ascending)))
    assert client.get(reverse("registry:person_list") + "?sort=id_number_hash").status_code == 200
    assert 'aria-sort="ascending"' in ascending.content.decode()


def test_it_exports_the_filtered_persons_masked_with_types_and_the_filter(client, personas):
    make_person("=HYPERLINK(1)", "370102", seq=52)
    client.force_login(personas.bob)
    job = export(client, "registry.persons", "region=370102&sort=name")
    job.refresh_from_db()
    assert job.status == "done" and not job.unmasked
    rows = sheet(download(client, job))
    assert "历下区" in str(rows[1][0])  # the filter in words
    header_at = next(i for i, r in enumerate(rows) if r[0] == "姓名" or r[0] == "full name")
    data = [r for r in rows[header_at + 1:] if r[0]]
    names = [r[0] for r in data]
    assert "李历下" in names and "王市中" not in names  # only the filtered county
    assert "'=HYPERLINK(1)" in names
    person = next(r for r in data if r[0] == "李历下")
    assert "*" in person[1]  # masked ID number
    assert isinstance(person[3], dt.date)  # birth date as a date
    assert isinstance(person[4], float)  # age as a number


def test_it_unmasks_only_with_a_reason_and_audits_it(client, personas):
    personas.bob.can_unmask = True
    personas.bob.save()
    client.force_login(personas.bob)
    job = export(client, "registry.persons", "region=370102", reason="核对补贴发放名单")
    job.refresh_from_db()
    assert job.unmasked
    rows = sheet(download(client, job))
    assert any(r[1] == personas.lixia_person.id_number for r in rows)
    event = AuditEvent.objects.get(event="export.unmasked")
    assert event.detail["reason"] == "核对补贴发放名单"


def test_it_keeps_masking_for_a_user_who_may_not_unmask(client, personas):
    client.force_login(personas.bob)
    job = export(client, "registry.persons", "", reason="想看全号")
    job.refresh_from_db()
    assert not job.unmasked
    rows = sheet(download(client, job))
    assert not any(r[1] == personas.lixia_person.id_number for r in rows)


def test_it_hides_an_export_from_another_user_and_refuses_a_list_outside_the_role(client, personas):
    client.force_login(personas.bob)
    job = export(client, "registry.persons", "")
    client.force_login(personas.carol)
    assert client.get(reverse("web:export", args=[job.pk])).status_code == 404
    assert client.get(reverse("web:export_download", args=[job.pk])).status_code == 404
    client.force_login(personas.trent)
    assert client.post(reverse("web:export_start"), {"list": "registry.persons", "query": ""}).status_code == 404


def test_it_writes_a_csv_with_a_bom_and_the_filter_line(client, personas):
    client.force_login(personas.bob)
    job = export(client, "registry.persons", "region=370102", fmt="csv")
    content = download(client, job)
    assert content.startswith("\ufeff".encode())
    text = content.decode("utf-8-sig")
    assert "历下区" in text.splitlines()[1]
    assert "李历下" in text
