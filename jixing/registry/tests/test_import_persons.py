"""Person import (kind ``persons``) end to end: command, page, API; rows, scope, re-import."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from jixing.core.models import AuditEvent
from jixing.core.testing import TEST_PASSWORD
from jixing.imports.models import ImportJob, ImportRejectedRow, ImportStatus
from jixing.imports.pipeline import get_importer, run_import
from jixing.imports.readers import inspect_upload
from jixing.imports.tests.files import csv_bytes, xlsx_bytes
from jixing.registry.idgen import make_id_number
from jixing.registry.models import Person, PersonGroup

HEADER = ["姓名", "公民身份号码", "手机号码", "户籍地行政区划代码", "现居地行政区划代码", "人员类别"]
FULL_ID = re.compile(r"\d{17}[\dX]")


def zh(msgid: str) -> str:
    """The Chinese text users see for a validator message (translated by the registry app)."""
    with translation.override("zh-hans"):
        text = translation.gettext(msgid)
    assert text != msgid and re.search(r"[\u4e00-\u9fff]", text)
    return text


def pid(county: str = "370102", seq: int = 101, birth: dt.date = dt.date(1991, 3, 4)) -> str:
    return make_id_number(county, birth, seq)


def bad_check_digit(number: str) -> str:
    last = number[-1]
    return number[:-1] + ("0" if last != "0" else "1")


@pytest.fixture
def uploads(settings, tmp_path):
    settings.JIXING_UPLOAD_DIR = tmp_path / "uploads"
    return settings.JIXING_UPLOAD_DIR


def mixed_rows() -> list[list[object]]:
    """Row numbers as a spreadsheet shows them: header = 1, first data row = 2."""
    return [
        HEADER,
        ["张三", pid(seq=101), "13912345678", "370102", "370102", "退役军人；就业困难人员"],  # 2 ok
        ["李四", bad_check_digit(pid(seq=103)), "13912345679", "370102", "370102", ""],  # 3 check digit
        ["王五", pid(seq=105, birth=dt.date(2090, 1, 1)), "", "370102", "370102", ""],  # 4 future birth
        ["赵六", pid(seq=107), "1391234", "370102", "370102", ""],  # 5 bad phone
        ["钱七", pid(seq=109), "", "379999", "370102", ""],  # 6 unknown region
        ["孙八", pid(seq=111), "", "370100", "370102", ""],  # 7 city code, not county
        ["周九", pid(seq=101), "", "370102", "370102", ""],  # 8 duplicate of row 2
        ["吴十", pid(seq=113), "", "370102", "370102", "外星人"],  # 9 unknown group
        ["阿依古丽·买买提", pid(seq=115), "", "370102", "370103", "veteran"],  # 10 ok, group by code
    ]


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def run_json(path, *extra: str) -> dict:
    out = io.StringIO()
    call_command("import_persons", str(path), "--json", *extra, stdout=out)
    text = out.getvalue()
    assert text.count("\n") <= 1 and text.strip().count("\n") == 0
    return json.loads(text)


# --------------------------------------------------------------------------- command


def test_it_reports_every_bad_row_with_its_row_field_and_reason(personas, tmp_path, uploads):
    path = write(tmp_path, "persons.xlsx", xlsx_bytes(mixed_rows()))
    summary = run_json(path)

    assert summary["created"] == 2 and summary["updated"] == 0 and summary["unchanged"] == 0
    got = [(e["row"], e["field"]) for e in summary["rejected"]]
    assert got == [
        (3, "公民身份号码"), (4, "公民身份号码"), (5, "手机号码"), (6, "户籍地行政区划代码"),
        (7, "户籍地行政区划代码"), (8, "公民身份号码"), (9, "人员类别"),
    ]
    reasons = {e["row"]: e["reason"] for e in summary["rejected"]}
    assert reasons[3] == zh("The check digit of the ID number is wrong.")
    assert reasons[4] == zh("The birth date inside the ID number is in the future.")
    assert reasons[5] == zh("The mobile number must be 11 digits starting with 13–19.")
    assert "379999" in reasons[6] and "不是山东省的行政区划代码" in reasons[6]
    assert "济南市" in reasons[7] and "不是县级行政区划" in reasons[7]
    assert reasons[8] == "与本文件第2行重复；只导入第一次出现的行。"
    assert "外星人" in reasons[9]
    assert not FULL_ID.search(json.dumps(summary, ensure_ascii=False))
    assert Person.objects.with_id_number(pid(seq=101)).get().name == "张三"
    assert Person.objects.with_id_number(pid(seq=115)).get().current_region_id == "370103"
    assert not Person.objects.with_id_number(pid(seq=107)).exists()  # rejected rows write nothing
    zhang = Person.objects.with_id_number(pid(seq=101)).get()
    assert sorted(PersonGroup.objects.filter(person=zhang).values_list("group__code", flat=True)) == [
        "employment_difficulty", "veteran"]


def test_it_imports_the_same_file_twice_without_creating_anything(personas, tmp_path, uploads):
    path = write(tmp_path, "persons.xlsx", xlsx_bytes(mixed_rows()))
    first = run_json(path)
    persons, memberships = Person.objects.count(), PersonGroup.objects.count()
    second = run_json(path)
    assert first["created"] == 2
    assert second["created"] == 0 and second["updated"] == 0 and second["unchanged"] == 2
    assert (Person.objects.count(), PersonGroup.objects.count()) == (persons, memberships)
    jobs = list(ImportJob.objects.order_by("id"))
    assert len(jobs) == 2 and jobs[0].sha256 == jobs[1].sha256


def test_it_updates_a_changed_person_and_keeps_the_phone_when_left_blank(personas, tmp_path, uploads):
    number = pid(seq=201)
    run_json(write(tmp_path, "a.csv", csv_bytes([HEADER, ["张三", number, "13912345678", "370102", "370102", ""]])))
    summary = run_json(write(tmp_path, "b.csv", csv_bytes([HEADER, ["张三丰", number, "", "370102", "370103", ""]])))
    assert (summary["created"], summary["updated"], summary["unchanged"]) == (0, 1, 0)
    person = Person.objects.with_id_number(number).get()
    assert (person.name, person.current_region_id, person.phone) == ("张三丰", "370103", "13912345678")


def test_it_writes_nothing_on_a_dry_run(personas, tmp_path, uploads):
    persons, jobs, events = Person.objects.count(), ImportJob.objects.count(), AuditEvent.objects.count()
    summary = run_json(write(tmp_path, "p.xlsx", xlsx_bytes(mixed_rows())), "--dry-run")
    assert summary["dry_run"] is True and summary["created"] == 2 and len(summary["rejected"]) == 7
    assert (Person.objects.count(), ImportJob.objects.count(), AuditEvent.objects.count()) == (persons, jobs, events)


def test_it_reads_gbk_csv_english_keys_and_a_title_row(personas, tmp_path, uploads):
    rows = [["2025年培训人员名册"], [], ["name", "ID_NUMBER", "phone", "household_region", "current_region"],
            ["张三", pid(seq=301), "139 1234 5678", "370102", "370102"]]
    summary = run_json(write(tmp_path, "gbk.csv", csv_bytes(rows, encoding="gb18030")))
    assert summary["created"] == 1 and summary["rejected"] == []
    rows[3][1] = bad_check_digit(pid(seq=303))
    summary = run_json(write(tmp_path, "bom.csv", csv_bytes(rows, bom=True)))
    assert [e["row"] for e in summary["rejected"]] == [4]


def test_it_rejects_names_that_are_formulas(personas, tmp_path, uploads):
    rows = [HEADER, ['=HYPERLINK("http://evil.example","点我")', pid(seq=401), "", "370102", "370102", ""]]
    summary = run_json(write(tmp_path, "f.csv", csv_bytes(rows)))
    assert summary["created"] == 0 and summary["rejected"][0]["field"] == "姓名"


def test_it_rejects_rows_outside_the_officers_region(personas, tmp_path, uploads):
    rows = [HEADER,
            ["张三", pid(seq=501), "", "370102", "370102", ""],  # dave's county
            ["李四", pid("370202", seq=503), "", "370202", "370202", ""],  # Qingdao
            ["王五", pid("370103", seq=505), "", "370103", "370102", ""]]  # lives in dave's county
    summary = run_json(write(tmp_path, "s.csv", csv_bytes(rows)), "--user", "dave")
    assert summary["created"] == 2
    assert [(e["row"], e["field"]) for e in summary["rejected"]] == [(3, "现居地行政区划代码")]
    assert "管辖" in summary["rejected"][0]["reason"]
    # Erin (Shizhong) may not rewrite a person registered in Lixia only.
    rows = [HEADER, ["张三改名", pid(seq=501), "", "370103", "370103", ""]]
    summary = run_json(write(tmp_path, "t.csv", csv_bytes(rows)), "--user", "erin")
    assert summary["created"] == 0 and summary["updated"] == 0 and summary["rejected"][0]["row"] == 2
    assert Person.objects.with_id_number(pid(seq=501)).get().name == "张三"


def test_it_prints_exactly_one_json_line_and_a_readable_text_summary(personas, tmp_path, uploads):
    path = write(tmp_path, "p.xlsx", xlsx_bytes(mixed_rows()))
    out = io.StringIO()
    call_command("import_persons", str(path), "--json", "--dry-run", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    assert set(json.loads(lines[0])) >= {"created", "updated", "unchanged", "rejected", "seconds"}
    out = io.StringIO()
    call_command("import_persons", str(path), "--dry-run", stdout=out)
    assert re.search(r"第 ?3 ?行", out.getvalue()) and not FULL_ID.search(out.getvalue())


# --------------------------------------------------------------------------- hypothesis


@hsettings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chunk=st.integers(min_value=1, max_value=12))
def test_it_gives_the_same_result_for_any_chunk_size(personas, tmp_path, chunk):
    rows = mixed_rows() + [["郑一", pid(seq=109), "", "370102", "370102", ""],  # duplicate of row 6 (rejected there)
                           ["冯二", pid(seq=115), "", "370102", "370102", ""]]  # duplicate of row 10
    path = tmp_path / "h.csv"
    path.write_bytes(csv_bytes(rows))
    info = inspect_upload(path, "h.csv")
    importer_cls = get_importer("persons")
    whole = run_import(importer_cls(), path, info, dry_run=True, chunk_size=1000)
    part = run_import(importer_cls(), path, info, dry_run=True, chunk_size=chunk)
    assert part.errors == whole.errors
    assert (part.counts, part.valid_rows, part.rejected_rows) == (whole.counts, whole.valid_rows, whole.rejected_rows)
    assert part.preview == whole.preview


# --------------------------------------------------------------------------- pages


def login(client, user):
    assert client.login(username=user.username, password=TEST_PASSWORD)


def upload(client, name: str, data: bytes, kind: str = "persons"):
    return client.post(reverse("imports:upload", args=[kind]), {"file": _named(name, data)})


def _named(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_it_previews_without_writing_then_commits_through_the_page(client, personas, uploads):
    login(client, personas.dave)
    persons = Person.objects.count()
    response = upload(client, "p.xlsx", xlsx_bytes(mixed_rows()))
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("imports:job", args=[job.pk])
    assert job.status == ImportStatus.VALIDATED and (job.valid_rows, job.rejected_rows) == (2, 7)
    assert Person.objects.count() == persons  # the preview wrote nothing

    page = client.get(reverse("imports:job", args=[job.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "370102********" in html and pid(seq=101) not in html  # masked preview
    assert zh("The check digit of the ID number is wrong.") in html and "与本文件第2行重复" in html

    response = client.post(reverse("imports:commit", args=[job.pk]))
    job.refresh_from_db()
    assert response.status_code == 302 and job.status == ImportStatus.COMMITTED
    assert (job.created_count, job.rejected_rows) == (2, 7)
    assert Person.objects.count() == persons + 2
    assert list(uploads.iterdir()) == []  # D4: the upload is gone
    assert AuditEvent.objects.filter(event="import.committed", object_id=str(job.pk)).count() == 1

    again = client.post(reverse("imports:commit", args=[job.pk]))  # a second click changes nothing
    assert again.status_code == 302 and Person.objects.count() == persons + 2


def test_it_shows_progress_to_htmx_while_running_and_refreshes_when_done(client, personas, uploads):
    login(client, personas.dave)
    upload(client, "p.xlsx", xlsx_bytes(mixed_rows()))
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(stage="validating", rows_done=3, rows_total=9)
    fragment = client.get(reverse("imports:job", args=[job.pk]), headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and 'aria-valuenow="33"' in fragment.content.decode()
    ImportJob.objects.filter(pk=job.pk).update(stage="")
    done = client.get(reverse("imports:job", args=[job.pk]), headers={"HX-Request": "true"})
    assert done.status_code == 204 and done["HX-Refresh"] == "true"


def test_it_cancels_a_preview_and_deletes_the_file(client, personas, uploads):
    login(client, personas.dave)
    upload(client, "p.csv", csv_bytes(mixed_rows()))
    job = ImportJob.objects.get()
    assert len(list(uploads.iterdir())) == 1  # kept for the commit
    client.post(reverse("imports:cancel", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.CANCELLED and list(uploads.iterdir()) == []
    assert client.post(reverse("imports:commit", args=[job.pk])).status_code == 302
    assert Person.objects.filter(name="张三").count() == 0


def test_it_hands_back_rejected_rows_as_an_xlsx_with_formulas_escaped(client, personas, uploads, tmp_path):
    login(client, personas.dave)
    rows = mixed_rows() + [['=HYPERLINK("http://evil.example","点我")', pid(seq=601), "", "370102", "370102", ""]]
    upload(client, "p.xlsx", xlsx_bytes(rows))
    job = ImportJob.objects.get()
    response = client.get(reverse("imports:errors", args=[job.pk]))
    assert response.status_code == 200
    path = tmp_path / "errors.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    with CalamineWorkbook.from_path(str(path)) as book:
        sheet = book.get_sheet_by_index(0).to_python()
    assert sheet[0] == [*HEADER, "错误字段", "错误原因"]
    assert [r[1] == bad_check_digit(pid(seq=103)) for r in sheet[1:2]] == [True]  # original cells back
    assert len(sheet) == 1 + 8
    formula_row = sheet[-1]
    assert formula_row[0] == '\'=HYPERLINK("http://evil.example","点我")'
    assert formula_row[6] == "姓名"
    assert [p.name for p in uploads.iterdir() if p.name.startswith("errors-")] == []  # nothing left on disk
    assert AuditEvent.objects.filter(event="import.error_file").count() == 1


def test_it_keeps_another_countys_job_hidden(client, personas, uploads):
    login(client, personas.dave)
    upload(client, "p.csv", csv_bytes(mixed_rows()))
    job = ImportJob.objects.get()
    client.logout()
    login(client, personas.erin)
    for name in ("imports:job", "imports:errors"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert client.post(reverse("imports:commit", args=[job.pk])).status_code == 404
    assert client.get(f"/api/v1/imports/jobs/{job.pk}").status_code == 404
    assert job.file_name not in client.get(reverse("imports:jobs")).content.decode()
    client.logout()
    login(client, personas.bob)  # Jinan city sees its county's job, but cannot commit it
    assert client.get(reverse("imports:job", args=[job.pk])).status_code == 200
    assert client.post(reverse("imports:commit", args=[job.pk])).status_code == 404
    assert client.get(reverse("imports:errors", args=[job.pk])).status_code == 404  # full IDs: uploader only


def test_it_refuses_the_person_import_to_other_roles(client, personas, uploads):
    for user in (personas.ivan, personas.trent, personas.sam):
        login(client, user)
        assert client.get(reverse("imports:upload", args=["persons"])).status_code == 403
        assert upload(client, "p.csv", csv_bytes(mixed_rows())).status_code == 403
        client.logout()
    assert ImportJob.objects.count() == 0


def test_it_warns_when_the_same_file_was_already_imported(client, personas, uploads):
    login(client, personas.dave)
    data = csv_bytes(mixed_rows())
    upload(client, "p.csv", data)
    client.post(reverse("imports:commit", args=[ImportJob.objects.get().pk]))
    upload(client, "p-again.csv", data)
    job = ImportJob.objects.order_by("-id").first()
    assert job.created_count == 0 and job.unchanged_count == 2
    assert "已导入过" in client.get(reverse("imports:job", args=[job.pk])).content.decode()


def test_it_serves_the_template_with_the_headers(client, personas, tmp_path):
    login(client, personas.dave)
    response = client.get(reverse("imports:template", args=["persons"]))
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    with CalamineWorkbook.from_path(str(path)) as book:
        assert book.get_sheet_by_index(0).to_python()[0] == HEADER


# --------------------------------------------------------------------------- API


def test_it_imports_through_the_api_with_a_dry_run_then_a_commit(client, personas, uploads):
    login(client, personas.dave)
    persons = Person.objects.count()
    response = client.post("/api/v1/imports/persons", {"file": _named("p.xlsx", xlsx_bytes(mixed_rows())),
                                                         "dry_run": "true"})
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "validated" and body["created"] == 2 and len(body["rejected"]) == 7
    assert Person.objects.count() == persons
    response = client.post(f"/api/v1/imports/jobs/{body['id']}/commit")
    assert response.status_code == 200 and response.json()["status"] == "committed"
    assert Person.objects.count() == persons + 2
    assert client.post(f"/api/v1/imports/jobs/{body['id']}/commit").status_code == 409
    direct = client.post("/api/v1/imports/persons", {"file": _named("p2.xlsx", xlsx_bytes(mixed_rows()))})
    assert direct.status_code == 200 and direct.json()["created"] == 0 and direct.json()["unchanged"] == 2
    assert list(uploads.iterdir()) == []
    got = client.get(f"/api/v1/imports/jobs/{body['id']}").json()
    assert got["rejected"][0] == {"row": 3, "field": "公民身份号码", "reason": zh("The check digit of the ID number is wrong.")}
    assert ImportRejectedRow.objects.filter(job_id=body["id"]).count() == 7


def test_it_refuses_the_api_to_other_roles_and_unknown_kinds(client, personas, uploads):
    login(client, personas.ivan)
    assert client.post("/api/v1/imports/persons", {"file": _named("p.csv", csv_bytes(mixed_rows()))}).status_code == 403
    login(client, personas.dave)
    assert client.post("/api/v1/imports/nope", {"file": _named("p.csv", b"a,b\n")}).status_code == 404
