"""import_insurance: row reasons, held rows for unknown persons, idempotent re-import, a changed
base updating, re-matching, and contributions confirming or deriving placements."""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from decimal import Decimal
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection

from jixing.employment import actions
from jixing.employment.models import (
    HeldBenefitPeriod,
    HeldContribution,
    InsuranceContribution,
    Placement,
    PlacementSource,
    VerificationStatus,
)
from jixing.registry.idgen import make_id_number, make_uscc

from . import factories as f

HEADER = ["公民身份号码", "单位统一社会信用代码", "缴费月份", "缴费基数", "险种", "参保地"]
DEFAULT_TAIL = ["失业保险", "3701"]  # rows written with four cells are unemployment insurance in Jinan
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(dt.datetime(2025, 12, 1, 10, 0, tzinfo=SH), tick=False)


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerows([r + DEFAULT_TAIL if len(r) == 4 else r for r in rows])
    return path


def run(path: Path, *extra: str) -> dict:
    out = StringIO()
    call_command("import_insurance", str(path), "--json", *extra, stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    return json.loads(lines[0])


@pytest.fixture
def setup(personas, frozen):
    ent = f.enterprise()
    unregistered_uscc = make_uscc("370103", random.Random(99))
    unknown_id = make_id_number("370102", dt.date(1992, 2, 2), 77)
    return personas, ent, unregistered_uscc, unknown_id


def sample_rows(personas, ent, other_uscc, unknown_id) -> list[list[str]]:
    lixia = personas.lixia_person.id_number
    shizhong = personas.shizhong_person.id_number
    bad_id = lixia[:-1] + ("0" if lixia[-1] != "0" else "1")
    return [
        [lixia, ent.uscc, "2025-05", "4500"],  # row 2: created
        [lixia, ent.uscc, "202506", "4,500.00"],  # row 3: created
        [unknown_id, ent.uscc, "2025-05", "3000"],  # row 4: held (person not registered)
        [lixia, ent.uscc, "2025/5", "4600"],  # row 5: duplicate of row 2
        [shizhong, other_uscc, "2025-13", "5000"],  # row 6: malformed month
        [shizhong, other_uscc, "2026-01", "5000"],  # row 7: future month (today is 2025-12-01)
        [shizhong, other_uscc, "2025-05", "-100"],  # row 8: negative base
        [bad_id, ent.uscc, "2025-05", "4500"],  # row 9: wrong check digit
        [shizhong, "91370102MA3C4XXXX1", "2025-05", "5000"],  # row 10: bad USCC
        [shizhong, other_uscc, "2025-05", "5000"],  # row 11: created, employer not in the registry
        [shizhong, other_uscc, "2025-06", "0"],  # row 12: zero base
    ]


def test_it_imports_rows_holds_unknown_persons_and_gives_row_reasons(setup, tmp_path):
    personas, ent, other_uscc, unknown_id = setup
    path = write_csv(tmp_path / "si.csv", sample_rows(personas, ent, other_uscc, unknown_id))

    result = run(path)

    assert (result["created"], result["updated"], result["unchanged"]) == (3, 0, 0)
    rejected = {r["row"]: r for r in result["rejected"]}
    assert sorted(rejected) == [5, 6, 7, 8, 9, 10, 12]
    assert rejected[5]["field"] == "" and "2" in rejected[5]["reason"]
    assert rejected[6]["field"] == "缴费月份"
    assert rejected[7]["field"] == "缴费月份" and "2026-01" in rejected[7]["reason"]
    assert rejected[8]["field"] == "缴费基数"
    assert rejected[9]["field"] == "公民身份号码"
    assert rejected[10]["field"] == "单位统一社会信用代码"
    assert rejected[12]["field"] == "缴费基数"
    assert all(personas.lixia_person.id_number not in r["reason"] for r in result["rejected"])
    assert (result["held"], result["held_new"], result["held_rows"]) == (1, 1, [4])

    rows = InsuranceContribution.objects.order_by("person_id", "month", "employer_uscc")
    assert [(r.person_id, r.month, r.base, r.employer_id) for r in rows] == [
        (personas.lixia_person.pk, dt.date(2025, 5, 1), Decimal("4500.00"), ent.pk),
        (personas.lixia_person.pk, dt.date(2025, 6, 1), Decimal("4500.00"), ent.pk),
        (personas.shizhong_person.pk, dt.date(2025, 5, 1), Decimal("5000.00"), None),
    ]
    held = HeldContribution.objects.get()
    assert held.id_number == unknown_id and held.matched_person is None
    with connection.cursor() as cursor:  # D1: the held number is ciphertext at rest
        cursor.execute(f"SELECT id_number FROM {HeldContribution._meta.db_table}")
        raw = cursor.fetchone()[0]
    assert unknown_id not in raw


def test_it_creates_nothing_on_re_import_and_updates_a_changed_base(setup, tmp_path):
    personas, ent, other_uscc, unknown_id = setup
    rows = sample_rows(personas, ent, other_uscc, unknown_id)
    path = write_csv(tmp_path / "si.csv", rows)
    run(path)

    again = run(path)
    assert (again["created"], again["updated"], again["unchanged"], again["held_new"]) == (0, 0, 3, 0)
    assert InsuranceContribution.objects.count() == 3 and HeldContribution.objects.count() == 1

    rows[0][3] = "4800"  # the base of May changed
    rows[2][3] = "3100"  # and the held row's base
    changed = run(write_csv(tmp_path / "si2.csv", rows))
    assert (changed["created"], changed["updated"], changed["unchanged"]) == (0, 1, 2)
    assert InsuranceContribution.objects.get(person=personas.lixia_person, month=dt.date(2025, 5, 1)).base == Decimal("4800.00")
    assert HeldContribution.objects.get().base == Decimal("3100.00")


def test_it_writes_nothing_on_a_dry_run(setup, tmp_path):
    personas, ent, other_uscc, unknown_id = setup
    result = run(write_csv(tmp_path / "si.csv", sample_rows(personas, ent, other_uscc, unknown_id)), "--dry-run")
    assert result["dry_run"] is True and result["created"] == 3
    assert not InsuranceContribution.objects.exists() and not HeldContribution.objects.exists()


def test_it_rematches_held_rows_once_the_person_is_registered(setup, tmp_path):
    personas, ent, other_uscc, unknown_id = setup
    run(write_csv(tmp_path / "si.csv", sample_rows(personas, ent, other_uscc, unknown_id)))
    newcomer = f.make_person("赵新来", "370102", birth=dt.date(1992, 2, 2), seq=77)
    assert newcomer.id_number == unknown_id

    out = StringIO()
    call_command("rematch_insurance", "--json", stdout=out)
    result = json.loads(out.getvalue())

    assert (result["held_rows_matched"], result["persons_matched"]) == (1, 1)
    row = InsuranceContribution.objects.get(person=newcomer)
    assert (row.month, row.base, row.employer_id) == (dt.date(2025, 5, 1), Decimal("3000.00"), ent.pk)
    held = HeldContribution.objects.get()
    assert held.matched_person == newcomer and held.id_number == ""
    # and importing the same file again now files the row under the person, creating nothing
    again = run(tmp_path / "si.csv")
    assert (again["created"], again["held"]) == (0, 0)


def test_it_links_an_employer_registered_after_the_import(setup, tmp_path):
    personas, ent, other_uscc, unknown_id = setup
    run(write_csv(tmp_path / "si.csv", sample_rows(personas, ent, other_uscc, unknown_id)))
    from jixing.registry.models import Organisation, OrganisationKind

    later = Organisation.objects.create(uscc=other_uscc, name="后来登记有限公司", kind=OrganisationKind.ENTERPRISE,
                                        county_id="370103")
    result = actions.rematch_held_contributions()
    assert result["employers_linked"] == 1
    assert InsuranceContribution.objects.get(person=personas.shizhong_person).employer == later


def test_it_confirms_a_reported_placement_from_contributions_in_the_next_month(setup, tmp_path):
    personas, ent, other_uscc, unknown_id = setup
    boss = f.enterprise_user(ent)
    placement = actions.report_placement(
        by=boss, person=personas.lixia_person, kind="employed", start_date=dt.date(2025, 4, 20),
        monthly_wage=Decimal("4500"), post="焊工",
    )
    assert placement.status == VerificationStatus.UNVERIFIED and placement.source == PlacementSource.ENTERPRISE
    early = actions.report_placement(  # starts 2025-03-10: May is two months later, no confirmation
        by=boss, person=personas.shizhong_person, kind="employed", start_date=dt.date(2025, 3, 10),
        monthly_wage=Decimal("4500"),
    )

    result = run(write_csv(tmp_path / "si.csv", [
        [personas.lixia_person.id_number, ent.uscc, "2025-05", "4500"],
        [personas.shizhong_person.id_number, ent.uscc, "2025-05", "4500"],
    ]))

    assert result["placements_confirmed"] == 1
    placement.refresh_from_db()
    early.refresh_from_db()
    assert placement.status == VerificationStatus.VERIFIED and placement.verified_by is None
    assert "2025-05" in placement.verification_note
    assert early.status == VerificationStatus.UNVERIFIED


def test_it_derives_a_verified_placement_for_a_trainee_starting_with_a_new_employer(setup, tmp_path):
    personas, ent, other_uscc, unknown_id = setup
    enrollment = f.completed_training(personas.shizhong_person, personas.institution, personas.dave,
                                      start=dt.date(2025, 3, 1), completed_on=dt.date(2025, 4, 15))
    result = run(write_csv(tmp_path / "si.csv", [
        [personas.shizhong_person.id_number, ent.uscc, "2025-06", "5200"],
        [personas.shizhong_person.id_number, ent.uscc, "2025-07", "5200"],
        [personas.shizhong_person.id_number, other_uscc, "2024-10", "3000"],  # before the training: not a placement
        [personas.shizhong_person.id_number, other_uscc, "2025-06", "3000"],
    ]))

    assert result["placements_derived"] == 1
    p = Placement.objects.get()
    assert (p.person, p.employer, p.start_date, p.monthly_wage, p.source, p.status, p.enrollment) == (
        personas.shizhong_person, ent, dt.date(2025, 6, 1), Decimal("5200.00"), PlacementSource.INSURANCE,
        VerificationStatus.VERIFIED, enrollment,
    )
    assert run(tmp_path / "si.csv")["placements_derived"] == 0
    assert Placement.objects.count() == 1


def test_it_offers_the_insurance_import_on_the_import_pages_to_officers_only(setup, client):
    personas, *_ = setup
    client.force_login(personas.alice)
    assert client.get("/imports/new/insurance/").status_code == 200
    page = client.get("/employment/insurance/").content.decode()
    assert "/imports/new/insurance/" in page
    template = client.get("/imports/template/insurance.xlsx")
    assert template.status_code == 200
    client.force_login(personas.ivan)
    assert client.get("/imports/new/insurance/").status_code in (403, 404)
    assert client.get("/employment/insurance/").status_code == 403


def test_it_rematches_from_the_page_and_writes_one_audit_row(setup, tmp_path, client):
    from jixing.core.models import AuditEvent

    personas, ent, other_uscc, unknown_id = setup
    run(write_csv(tmp_path / "si.csv", sample_rows(personas, ent, other_uscc, unknown_id)))
    f.make_person("赵新来", "370102", birth=dt.date(1992, 2, 2), seq=77)
    client.force_login(personas.alice)
    response = client.post("/employment/insurance/rematch/")
    assert response.status_code == 302
    assert HeldContribution.objects.get().matched_person is not None
    assert AuditEvent.objects.filter(event="insurance.rematched", actor=personas.alice).count() == 1


@pytest.mark.parametrize("chunk", ["1", "2", "3", "50"])
def test_it_gives_the_same_answer_whatever_the_chunk_size(setup, tmp_path, chunk):
    personas, ent, other_uscc, unknown_id = setup
    result = run(write_csv(tmp_path / "si.csv", sample_rows(personas, ent, other_uscc, unknown_id)),
                 "--chunk-size", chunk)
    assert (result["created"], result["held"]) == (3, 1)
    assert sorted(r["row"] for r in result["rejected"]) == [5, 6, 7, 8, 9, 10, 12]


def test_held_rows_are_seen_in_the_region_where_the_employer_was_registered(setup, tmp_path):
    """A held row has no person yet: the employer's credit code (characters 3–8, the registering
    authority's division) places it. Jinan (bob) sees a Lixia-registered employer's rows, Qingdao
    (carol) does not, the province (alice) does."""
    personas, ent, other_uscc, unknown_id = setup
    qingdao_uscc = make_uscc("370202", random.Random(7))
    write_csv(tmp_path / "held.csv", [[unknown_id, other_uscc, "2025-05", "3000"],
                                      [unknown_id, qingdao_uscc, "2025-05", "3100"]])
    run(tmp_path / "held.csv")
    assert other_uscc[2:8] == "370103" and qingdao_uscc[2:8] == "370202"

    def seen(user) -> set[str]:
        return set(HeldContribution.objects.visible_to(user).values_list("employer_uscc", flat=True))

    assert seen(personas.alice) == {other_uscc, qingdao_uscc}
    assert seen(personas.bob) == {other_uscc}
    assert seen(personas.carol) == {qingdao_uscc}
    assert seen(personas.ivan) == set()


# ---------------------------------------------------------------- insurance type, insured city, benefit periods (issue 12)


def test_it_refuses_a_file_without_the_insurance_type_naming_the_column(setup, tmp_path) -> None:
    from django.core.management.base import CommandError

    personas, ent, _uscc, _unknown = setup
    path = tmp_path / "old.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["公民身份号码", "单位统一社会信用代码", "缴费月份", "缴费基数", "参保地"])
        w.writerow([personas.lixia_person.id_number, ent.uscc, "2025-05", "4500", "3701"])
    with pytest.raises(CommandError, match="险种"):
        run(path)
    assert not InsuranceContribution.objects.exists()


def test_it_keeps_pension_and_unemployment_rows_of_one_month_apart(setup, tmp_path) -> None:
    from jixing.employment.models import InsuranceType

    personas, ent, _uscc, unknown_id = setup
    lixia = personas.lixia_person.id_number
    rows = [
        [lixia, ent.uscc, "2025-05", "4500", "失业保险", "3701"],
        [lixia, ent.uscc, "2025-05", "4500", "养老保险", "3701"],
        [lixia, ent.uscc, "2025-06", "4500", "110", "370100"],  # the 险种 code and a 6-digit city code
        [lixia, ent.uscc, "2025-07", "4500", "商业保险", "3701"],  # row 5: unknown type
        [lixia, ent.uscc, "2025-08", "4500", "失业保险", "37A1"],  # row 6: bad city
        [unknown_id, ent.uscc, "2025-05", "3000", "失业保险", "3702"],  # held with its type and city
    ]
    summary = run(write_csv(tmp_path / "types.csv", rows))
    assert summary["created"] == 3 and summary["held"] == 1
    assert {(r["row"], r["field"]) for r in summary["rejected"]} == {(5, "险种"), (6, "参保地")}
    kinds = dict(InsuranceContribution.objects.filter(month=dt.date(2025, 5, 1)).values_list("insurance_type", "insured_city"))
    assert kinds == {InsuranceType.UNEMPLOYMENT: "3701", InsuranceType.PENSION: "3701"}
    assert InsuranceContribution.objects.get(month=dt.date(2025, 6, 1)).insurance_type == InsuranceType.PENSION
    held = HeldContribution.objects.get()
    assert (held.insurance_type, held.insured_city) == (InsuranceType.UNEMPLOYMENT, "3702")
    # the person registers: the held row keeps its type and city when it moves over
    from jixing.core.testing import make_person

    person = make_person("新登记", "370102", birth=dt.date(1992, 2, 2), seq=77)
    assert person.id_number == unknown_id
    actions.rematch_held_contributions()
    moved = InsuranceContribution.objects.get(person=person)
    assert (moved.insurance_type, moved.insured_city) == (InsuranceType.UNEMPLOYMENT, "3702")


def test_it_imports_benefit_periods_and_refuses_one_that_ends_before_it_starts(setup, tmp_path) -> None:
    from jixing.employment.models import UnemploymentBenefitPeriod

    personas, _ent, _uscc, unknown_id = setup
    lixia = personas.lixia_person.id_number
    path = tmp_path / "benefits.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["公民身份号码", "领取起始日期", "领取终止日期", "参保地"])
        w.writerow([lixia, "2025-01-01", "2025-06-30", "3701"])
        w.writerow([lixia, "2025-09-01", "2025-08-01", "3701"])  # row 3: ends before it starts
        w.writerow([unknown_id, "2025-01-01", "2025-03-31", "3701"])  # row 4: not registered: held
        w.writerow([lixia, "2025-13-01", "2025-12-31", "3701"])  # row 5: not a date
    out = StringIO()
    call_command("import_unemployment_benefits", str(path), "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["created"] == 1 and summary["held"] == 1 and summary["held_rows"] == [4]
    assert {(r["row"], r["field"]) for r in summary["rejected"]} == {(3, "领取终止日期"), (5, "领取起始日期")}
    period = UnemploymentBenefitPeriod.objects.get()
    assert (period.starts_on, period.ends_on, period.city) == (dt.date(2025, 1, 1), dt.date(2025, 6, 30), "3701")
    out = StringIO()
    call_command("import_unemployment_benefits", str(path), "--json", stdout=out)
    again = json.loads(out.getvalue())
    assert again["unchanged"] == 1 and UnemploymentBenefitPeriod.objects.count() == 1
    assert again["held"] == 1 and again["held_new"] == 0 and HeldBenefitPeriod.objects.count() == 1
    held = HeldBenefitPeriod.objects.get()
    assert held.id_number == unknown_id and held.matched_person is None
    assert unknown_id not in json.dumps(summary) and unknown_id not in json.dumps(again)


def _benefit_file(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["公民身份号码", "领取起始日期", "领取终止日期", "参保地"])
        w.writerows(rows)
    return path


def test_a_held_benefit_period_is_attached_when_the_person_is_registered(setup, tmp_path) -> None:
    from jixing.employment.models import UnemploymentBenefitPeriod
    from jixing.registry import actions as registry_actions
    from jixing.registry.models import Region

    personas, _ent, _uscc, unknown_id = setup
    call_command("import_unemployment_benefits",
                 str(_benefit_file(tmp_path / "b.csv", [[unknown_id, "2025-01-01", "2025-03-31", "3702"]])),
                 "--json", stdout=StringIO())
    assert not UnemploymentBenefitPeriod.objects.exists()
    # a Jinan city officer sees the Qingdao-paid held row? no: it belongs to the paying city
    assert not HeldBenefitPeriod.objects.visible_to(personas.bob).exists()
    assert HeldBenefitPeriod.objects.visible_to(personas.carol).count() == 1
    county = Region.objects.get(pk="370102")
    person = registry_actions.create_person(by=personas.dave, id_number=unknown_id, name="新登记",
                                            household_region=county, current_region=county)
    period = UnemploymentBenefitPeriod.objects.get(person=person)
    assert (period.starts_on, period.ends_on, period.city) == (dt.date(2025, 1, 1), dt.date(2025, 3, 31), "3702")
    held = HeldBenefitPeriod.objects.get()
    assert held.matched_person == person and held.matched_at is not None and held.id_number == ""
    # nothing left for the scheduled re-match
    assert actions.rematch_held_contributions()["benefit_periods_matched"] == 0


def test_held_rows_are_attached_when_a_person_import_registers_the_person(setup, tmp_path) -> None:
    from jixing.employment.models import UnemploymentBenefitPeriod
    from jixing.registry.models import Person

    personas, ent, _uscc, unknown_id = setup
    call_command("import_unemployment_benefits",
                 str(_benefit_file(tmp_path / "b.csv", [[unknown_id, "2025-02-01", "2025-04-30", "3701"]])),
                 "--json", stdout=StringIO())
    run(write_csv(tmp_path / "c.csv", [[unknown_id, ent.uscc, "2025-05", "3000"]]))
    roster = tmp_path / "persons.csv"
    with roster.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["姓名", "公民身份号码", "户籍地行政区划代码", "现居地行政区划代码"])
        w.writerow(["花名册新人", unknown_id, "370102", "370102"])
    out = StringIO()
    call_command("import_persons", str(roster), "--json", "--user", "dave", stdout=out)
    assert json.loads(out.getvalue().strip().splitlines()[-1])["created"] == 1, out.getvalue()
    person = Person.objects.with_id_number(unknown_id).get()
    assert UnemploymentBenefitPeriod.objects.filter(person=person).count() == 1
    assert InsuranceContribution.objects.filter(person=person).count() == 1
