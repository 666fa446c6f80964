"""One normaliser for identity numbers at every door (issue 11, defect 5).

``normalise_id_number``: NFKC (full-width and superscript digits become ASCII), then only the
ASCII digits 0-9 and a final X. Before it, a superscript digit passed ``isdigit()`` and crashed
``int()`` (500s, import tracebacks); Arabic-Indic digits made a second person; the attendance
import called a full-width number "not on the roster". Each door is tried here with hypothesis
over Unicode digit classes: the pure function, a page, the API and the import commands.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import unicodedata
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixing.registry.idgen import make_id_number
from jixing.registry.models import Person
from jixing.registry.validators import normalise_id_number, parse_resident_id

NUMBER = make_id_number("370102", dt.date(1990, 3, 15), 101)  # 370102199003151019

# Characters whose NFKC is an ASCII digit (full-width, superscript, subscript, circled …) and
# decimal digits of other scripts (NFKC keeps them: Arabic-Indic, Devanagari, Thai …).
ALL_DIGITS = [chr(c) for c in range(0x110000)
              if unicodedata.category(chr(c)) in ("Nd", "No") and chr(c) not in "0123456789"]
COMPATIBLE = {d: [c for c in ALL_DIGITS if unicodedata.normalize("NFKC", c) == d] for d in "0123456789"}
FOREIGN_DECIMALS = [c for c in ALL_DIGITS if unicodedata.category(c) == "Nd" and unicodedata.normalize("NFKC", c) not in "0123456789"]
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

SPELLINGS_OF_NUMBER = st.lists(st.sampled_from([0, 1]), min_size=18, max_size=18).flatmap(
    lambda picks: st.tuples(*[
        st.sampled_from(COMPATIBLE[ch]) if pick and ch in COMPATIBLE else st.just(ch)
        for ch, pick in zip(NUMBER, picks, strict=True)
    ]).map("".join))
WITH_A_FOREIGN_DIGIT = st.tuples(st.integers(0, 16), st.sampled_from(FOREIGN_DECIMALS)).map(
    lambda t: NUMBER[:t[0]] + t[1] + NUMBER[t[0] + 1:])
ANY_DIGITS = st.text(st.sampled_from(ALL_DIGITS + list("0123456789X")), min_size=17, max_size=19)
FEW = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def test_the_digit_classes_it_draws_from_are_what_they_claim() -> None:
    assert "¹" in COMPATIBLE["1"] and "１" in COMPATIBLE["1"] and "٣" in FOREIGN_DECIMALS and "३" in FOREIGN_DECIMALS


# ------------------------------------------------------------------ the function


@given(SPELLINGS_OF_NUMBER)
def test_it_reads_every_compatibility_spelling_as_the_ascii_number(spelling: str) -> None:
    assert normalise_id_number(spelling) == NUMBER
    assert parse_resident_id(spelling).number == NUMBER


@given(WITH_A_FOREIGN_DIGIT)
def test_it_refuses_other_scripts_digits_with_a_clear_error(spelling: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_resident_id(spelling)
    assert caught.value.code == "format"


@given(ANY_DIGITS)
def test_it_answers_any_digit_string_with_an_ascii_number_or_a_validation_error(text: str) -> None:
    try:
        parsed = parse_resident_id(text)
    except ValidationError:
        return
    assert parsed.number.isascii() and len(parsed.number) == 18


# ------------------------------------------------------------------ a page


def _form(number: str) -> dict[str, str]:
    return {"id_number": number, "name": "赵新", "phone": "", "household_region": "370102",
            "current_region": "370102", "education": "college", "employment_status": "unemployed"}


@FEW
@given(spelling=st.one_of(SPELLINGS_OF_NUMBER, WITH_A_FOREIGN_DIGIT))
def test_it_registers_one_person_through_the_page_whatever_the_digits(client, personas, spelling: str) -> None:
    client.force_login(personas.dave)
    response = client.post(reverse("registry:person_create"), _form(spelling))
    assert response.status_code in (200, 302)
    assert Person.objects.filter(name="赵新").count() <= 1
    if Person.objects.filter(name="赵新").exists():
        assert Person.objects.get(name="赵新").id_number == NUMBER


def test_it_says_why_the_page_refuses_arabic_indic_digits(client, personas) -> None:
    client.force_login(personas.dave)
    response = client.post(reverse("registry:person_create"), _form(NUMBER.translate(ARABIC_INDIC)))
    assert response.status_code == 200 and "身份证号码只能由数字 0–9 组成" in response.content.decode()
    assert not Person.objects.filter(name="赵新").exists()


# ------------------------------------------------------------------ the API


@FEW
@given(spelling=st.one_of(SPELLINGS_OF_NUMBER, WITH_A_FOREIGN_DIGIT))
def test_it_never_answers_500_and_never_makes_a_second_person_through_the_api(client, personas, spelling: str) -> None:
    client.force_login(personas.dave)
    body = {**_form(spelling), "phone": ""}
    created = client.post("/api/v1/registry/persons", body, content_type="application/json")
    assert created.status_code in (201, 422), created.content
    assert Person.objects.filter(name="赵新").count() <= 1
    found = client.get("/api/v1/registry/persons", {"id_number": spelling})
    assert found.status_code in (200, 422)
    if created.status_code == 201:
        assert Person.objects.get(name="赵新").id_number == NUMBER


def test_it_finds_a_person_by_a_full_width_number_and_refuses_a_foreign_one_through_the_api(client, personas) -> None:
    client.force_login(personas.dave)
    person = personas.lixia_person
    items = client.get("/api/v1/registry/persons", {"id_number": person.id_number.translate(FULL_WIDTH)}).json()["items"]
    assert [row["id"] for row in items] == [person.pk]
    refused = client.get("/api/v1/registry/persons", {"id_number": person.id_number.translate(ARABIC_INDIC)})
    assert refused.status_code == 422 and "id_number" in refused.json()["detail"]


# ------------------------------------------------------------------ the import commands


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _run(command: str, path: Path, *args: str) -> dict:
    out = io.StringIO()
    call_command(command, str(path), "--json", *args, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


PERSON_HEADER = ["姓名", "公民身份号码", "手机号码", "户籍地行政区划代码", "现居地行政区划代码", "人员类别"]


@pytest.fixture
def uploads(settings, tmp_path):
    settings.JIXING_UPLOAD_DIR = tmp_path / "uploads"


def test_it_imports_persons_with_superscript_and_full_width_digits_as_one_person(personas, tmp_path, uploads) -> None:
    rows = [["赵新", NUMBER.translate(SUPERSCRIPT), "", "370102", "370102", ""],
            ["赵新", NUMBER.translate(FULL_WIDTH), "", "370102", "370102", ""],
            ["钱二", NUMBER.translate(ARABIC_INDIC), "", "370102", "370102", ""]]
    summary = _run("import_persons", _csv(tmp_path / "p.csv", PERSON_HEADER, rows))
    assert Person.objects.filter(name="赵新").count() == 1 and Person.objects.get(name="赵新").id_number == NUMBER
    assert not Person.objects.filter(name="钱二").exists()
    rejected = {r["row"]: r for r in summary["rejected"]}
    assert 4 in rejected and "0–9" in rejected[4]["reason"] and NUMBER not in json.dumps(summary, ensure_ascii=False)


@FEW
@given(spelling=st.one_of(SPELLINGS_OF_NUMBER, WITH_A_FOREIGN_DIGIT))
def test_it_never_raises_from_an_import_command_whatever_the_digits(personas, tmp_path, uploads, spelling: str) -> None:
    path = _csv(tmp_path / "p.csv", PERSON_HEADER, [["孙三", spelling, "", "370102", "370102", ""]])
    summary = _run("import_persons", path)
    assert summary["created"] + summary["updated"] + summary["unchanged"] + len(summary["rejected"]) == 1
    insurance = _csv(tmp_path / "i.csv", ["公民身份号码", "单位统一社会信用代码", "缴费月份", "缴费基数", "险种", "参保地"],
                     [[spelling, personas.institution.uscc, "2025-03", "4500", "110", "370100"]])
    _run("import_insurance", insurance)
    assert Person.objects.filter(name="孙三").count() <= 1


def _stdnum_reading(value: str, today: dt.date) -> tuple[str, object]:
    """What parse_resident_id answered when it called python-stdnum for the date and the
    check digit (before its inline fast path): ("ok", parsed) or ("error", code)."""
    from stdnum.cn import ric
    from stdnum.exceptions import ValidationError as StdnumError

    try:
        number = normalise_id_number(value)
    except ValidationError as exc:
        return "error", exc.code
    try:
        birth = ric.get_birth_date(number)
    except StdnumError:
        return "error", "birth_date"
    if birth > today or birth.year < 1900:
        return "error", "birth_date"
    if ric.calc_check_digit(number) != number[17]:
        return "error", "checksum"
    return "ok", (number, birth, "M" if int(number[16]) % 2 else "F")


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="0123456789X", min_size=17, max_size=19)
       | st.builds(lambda d, s, c: f"370102{d:%Y%m%d}{s:03d}{c}",
                   st.dates(dt.date(1890, 1, 1), dt.date(2030, 12, 31)), st.integers(0, 999),
                   st.sampled_from("0123456789Xx")))
def test_the_fast_path_reads_numbers_as_python_stdnum_does(value):
    today = dt.date(2026, 12, 2)
    try:
        parsed = parse_resident_id(value, today=today)
    except ValidationError as exc:
        assert _stdnum_reading(value, today) == ("error", exc.code)
    else:
        assert _stdnum_reading(value, today) == ("ok", (parsed.number, parsed.birth_date, parsed.sex))
