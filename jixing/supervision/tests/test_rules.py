"""Each rule: the pattern fires, a near miss does not; re-running creates no duplicates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jixing.registry.models import PersonGroup, TargetGroup
from jixing.supervision.engine import run_rules
from jixing.supervision.models import Finding, RunStatus, SupervisionRun

from . import factories as f

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 3, 4)


def findings(code: str) -> list[Finding]:
    return list(Finding.objects.filter(code=code).order_by("id"))


def run(code: str, **kwargs) -> dict:
    report = run_rules(codes=[code], full=True, **kwargs)
    assert report.results[0].status == RunStatus.SUCCEEDED, report.results[0].reason
    return report.as_dict()


@pytest.fixture
def setup(reference):
    org = f.organisation()
    other = f.organisation()
    class_a = f.training_class(f.project(org))
    class_b = f.training_class(f.project(other))
    return org, other, class_a, class_b


# ---------------------------------------------------------------- R01

def test_it_finds_a_person_in_two_classes_at_once(setup):
    org, other, class_a, class_b = setup
    trainee = f.person()
    s_a = f.session(class_a, f.at(DAY, 9))
    s_b = f.session(class_b, f.at(DAY, 10))
    f.attend(trainee, s_a, f.at(DAY, 9, 2), f.at(DAY, 12))
    f.attend(trainee, s_b, f.at(DAY, 10, 5), f.at(DAY, 12, 30))
    run("R01")
    [finding] = findings("R01")
    assert finding.subject_id == str(trainee.pk)
    assert finding.organisation_id == other.pk  # the later enrollment double-booked the person
    assert len(finding.evidence["pairs"]) == 1
    assert finding.evidence["pairs"][0]["overlap_seconds"] == 115 * 60
    assert class_a.code in finding.explanation and class_b.code in finding.explanation


def test_it_does_not_flag_back_to_back_classes(setup):
    _org, _other, class_a, class_b = setup
    trainee = f.person()
    s_a = f.session(class_a, f.at(DAY, 9))
    s_b = f.session(class_b, f.at(DAY, 12))
    f.attend(trainee, s_a, f.at(DAY, 9), f.at(DAY, 11, 55))
    # overlaps by 5 minutes only: below the 10-minute minimum
    f.attend(trainee, s_b, f.at(DAY, 11, 50), f.at(DAY, 15))
    run("R01")
    assert findings("R01") == []


def test_it_uses_the_session_end_when_check_out_is_missing(setup):
    _org, _other, class_a, class_b = setup
    trainee = f.person()
    s_a = f.session(class_a, f.at(DAY, 9))  # ends 12:00
    s_b = f.session(class_b, f.at(DAY, 11))
    f.attend(trainee, s_a, f.at(DAY, 9))
    f.attend(trainee, s_b, f.at(DAY, 11), f.at(DAY, 14))
    run("R01")
    assert len(findings("R01")) == 1


def test_it_does_not_duplicate_findings_on_rerun(setup):
    _org, _other, class_a, class_b = setup
    trainee = f.person()
    f.attend(trainee, f.session(class_a, f.at(DAY, 9)), f.at(DAY, 9), f.at(DAY, 12))
    f.attend(trainee, f.session(class_b, f.at(DAY, 9)), f.at(DAY, 9, 1), f.at(DAY, 12))
    first = run("R01")
    second = run("R01")
    run_rules(codes=["R01"])  # incremental
    assert first["created"] == 1 and second["created"] == 0
    assert len(findings("R01")) == 1
    # a second overlap of the same person and classes joins the same finding
    f.attend(trainee, f.session(class_a, f.at(DAY + dt.timedelta(days=1), 9)), f.at(DAY + dt.timedelta(days=1), 9))
    f.attend(trainee, f.session(class_b, f.at(DAY + dt.timedelta(days=1), 9)), f.at(DAY + dt.timedelta(days=1), 9, 3))
    report = run_rules(codes=["R01"]).as_dict()
    assert report["rules"]["R01"]["mode"] == "incremental"
    assert report["created"] == 0 and report["updated"] == 1
    [finding] = findings("R01")
    assert len(finding.evidence["pairs"]) == 2


def test_it_reads_only_new_attendance_on_an_incremental_run(setup):
    _org, _other, class_a, class_b = setup
    run("R01")
    mark = SupervisionRun.objects.filter(code="R01", status="succeeded").get()
    assert mark.watermark is not None
    trainee = f.person()
    f.attend(trainee, f.session(class_a, f.at(DAY, 9)), f.at(DAY, 9), f.at(DAY, 12))
    f.attend(trainee, f.session(class_b, f.at(DAY, 9)), f.at(DAY, 9, 1), f.at(DAY, 12))
    report = run_rules(codes=["R01"]).as_dict()
    assert report["rules"]["R01"]["mode"] == "incremental"
    assert report["created"] == 1


# ---------------------------------------------------------------- R02

def test_it_finds_a_teacher_in_two_classes_at_once(setup):
    org, other, class_a, class_b = setup
    who = f.person()
    f.session(class_a, f.at(DAY, 9), tutor=f.teacher(org, who))
    f.session(class_b, f.at(DAY, 10), tutor=f.teacher(other, who))  # same person, registered twice
    run("R02")
    [finding] = findings("R02")
    assert finding.subject_id == str(who.pk)
    assert len(finding.evidence["pairs"]) == 1


def test_it_does_not_flag_a_teacher_with_consecutive_sessions(setup):
    org, _other, class_a, class_b = setup
    tutor = f.teacher(org)
    f.session(class_a, f.at(DAY, 9), tutor=tutor)  # 9–12
    f.session(class_b, f.at(DAY, 12), tutor=tutor)  # 12–15
    run("R02")
    assert findings("R02") == []


# ---------------------------------------------------------------- R03

def _burst(klass, n, *, device=None, spacing=10, lat=None, lon=None):
    sess = f.session(klass, f.at(DAY, 9))
    start = f.at(DAY, 8, 58)
    for i in range(n):
        f.attend(f.person(), sess, start + dt.timedelta(seconds=i * spacing), device=device or "",
                 lat=lat, lon=lon)
    return sess


def test_it_finds_many_trainees_signed_in_from_one_device(setup):
    _org, _other, class_a, _b = setup
    _burst(class_a, 15, device="kiosk-777", spacing=12)  # 15 trainees in 3 minutes
    run("R03")
    [finding] = findings("R03")
    assert finding.evidence["variant"] == "device"
    assert finding.evidence["device"] == "kiosk-777"
    assert len(finding.evidence["records"]) == 15
    assert finding.subject_id == str(class_a.pk)


def test_it_finds_a_new_burst_on_an_incremental_run(setup):
    _org, _other, class_a, class_b = setup
    _burst(class_a, 12, device="kiosk-1")
    assert run("R03")["created"] == 1
    sess = f.session(class_b, f.at(DAY, 14))
    for i in range(11):
        f.attend(f.person(), sess, f.at(DAY, 13, 58, 9 * i), device="kiosk-2")
    report = run_rules(codes=["R03"]).as_dict()
    assert report["rules"]["R03"]["mode"] == "incremental" and report["created"] == 1
    assert {x.evidence["device"] for x in findings("R03")} == {"kiosk-1", "kiosk-2"}
    assert run_rules(codes=["R03"]).as_dict()["created"] == 0


def test_it_does_not_flag_a_device_used_slowly(setup):
    _org, _other, class_a, _b = setup
    _burst(class_a, 15, device="kiosk-778", spacing=60)  # 10 within any 3-minute window is impossible
    run("R03")
    assert findings("R03") == []


def test_it_finds_many_trainees_at_exactly_one_spot(setup):
    _org, _other, class_a, _b = setup
    _burst(class_a, 12, spacing=5, lat=Decimal("36.651234"), lon=Decimal("117.120001"))
    run("R03")
    [finding] = findings("R03")
    assert finding.evidence["variant"] == "spot"
    assert finding.evidence["spot"] == "36.65123,117.12000"


def test_it_does_not_flag_trainees_spread_over_the_site(setup):
    _org, _other, class_a, _b = setup
    sess = f.session(class_a, f.at(DAY, 9))
    for i in range(12):
        f.attend(f.person(), sess, f.at(DAY, 8, 58, i * 5), lat=Decimal("36.651200") + Decimal(i) / 10000,
                 lon=Decimal("117.120000"))
    run("R03")
    assert findings("R03") == []


# ---------------------------------------------------------------- R04

def test_it_finds_identical_stays(setup):
    _org, _other, class_a, _b = setup
    sess = f.session(class_a, f.at(DAY, 9))
    for i in range(9):
        start = f.at(DAY, 9, i)
        f.attend(f.person(), sess, start, start + dt.timedelta(seconds=9000))
    run("R04")
    [finding] = findings("R04")
    assert finding.evidence["pattern"] == "identical"
    assert finding.evidence["seconds"] == 9000
    assert "9000" in finding.explanation


def test_it_finds_check_outs_seconds_after_check_ins(setup):
    _org, _other, class_a, _b = setup
    sess = f.session(class_a, f.at(DAY, 9))
    for i in range(4):
        start = f.at(DAY, 9, 3 * i)
        f.attend(f.person(), sess, start, start + dt.timedelta(seconds=20 + 7 * i))
    run("R04")
    [finding] = findings("R04")
    assert finding.evidence["pattern"] == "short"
    assert len(finding.evidence["records"]) == 4


def test_it_does_not_flag_ordinary_stays(setup):
    _org, _other, class_a, _b = setup
    sess = f.session(class_a, f.at(DAY, 9))
    for i in range(12):
        start = f.at(DAY, 8, 50, i * 13)
        f.attend(f.person(), sess, start, f.at(DAY, 12, 0, i * 17 % 60))
    # two short stays: below the minimum of three
    for _ in range(2):
        f.attend(f.person(), sess, f.at(DAY, 9), f.at(DAY, 9, 1))
    run("R04")
    assert findings("R04") == []


# ---------------------------------------------------------------- R05

def test_it_finds_a_check_in_far_from_the_site(setup):
    _org, _other, class_a, _b = setup
    sess = f.session(class_a, f.at(DAY, 9))
    trainee = f.person()
    f.attend(trainee, sess, f.at(DAY, 9), lat=Decimal("36.066000"), lon=Decimal("120.383000"))  # Qingdao
    run("R05")
    [finding] = findings("R05")
    assert finding.evidence["records"][0]["distance_m"] > 290_000


def test_it_does_not_flag_a_check_in_just_inside_the_limit(setup):
    _org, _other, class_a, _b = setup
    sess = f.session(class_a, f.at(DAY, 9))
    # 0.017° of latitude ≈ 1.89 km north of the site: inside the 2 km default
    f.attend(f.person(), sess, f.at(DAY, 9), lat=Decimal("36.668200"), lon=Decimal("117.120000"))
    run("R05")
    assert findings("R05") == []


# ---------------------------------------------------------------- R06

def test_it_finds_a_trainee_above_retirement_age(setup):
    _org, _other, class_a, _b = setup
    old = f.person(birth=dt.date(1950, 1, 1))  # 75 when the class starts
    f.enroll(old, class_a)
    run("R06")
    [finding] = findings("R06")
    assert finding.evidence["age_on_start"] == 75
    assert "75" in finding.explanation


def test_it_finds_a_pensioner_at_the_time_of_training(setup):
    _org, _other, class_a, _b = setup
    pensioner = f.person(birth=dt.date(1972, 1, 1))
    PersonGroup.objects.create(person=pensioner, group=TargetGroup.objects.get(code="pensioner"),
                               valid_from=dt.date(2024, 6, 1))
    f.enroll(pensioner, class_a)
    run("R06")
    [finding] = findings("R06")
    assert finding.evidence["memberships"][0]["group"] == "已领取养老金的退休人员"


@pytest.mark.parametrize(("birth", "sex", "fires"), [
    # 2024 retirement decision: men born 1965-03 retire at 60 + 1 month (2025-04-03)
    (dt.date(1965, 3, 3), "M", False),
    (dt.date(1965, 1, 1), "M", True),  # retired 2025-02-01
    (dt.date(1970, 3, 3), "F", False),  # women (base 55) born 1970-03: retire 2025-04-03
    (dt.date(1969, 12, 1), "F", True),  # retired at 55 on 2024-12-01
    (dt.date(2009, 3, 3), "M", False),  # 16 on the first day
    (dt.date(2009, 3, 4), "M", True),  # still 15
])
def test_it_flags_age_exactly_at_the_boundaries(setup, birth, sex, fires):
    _org, _other, class_a, _b = setup  # class starts 2025-03-03
    f.enroll(f.person(birth=birth, sex=sex), class_a)
    run("R06")
    assert len(findings("R06")) == (1 if fires else 0)


def test_it_does_not_flag_a_student_membership_that_ended_before_the_class(setup):
    _org, _other, class_a, _b = setup
    graduate = f.person(birth=dt.date(2002, 1, 1))
    PersonGroup.objects.create(person=graduate, group=TargetGroup.objects.get(code="full_time_student"),
                               valid_from=dt.date(2020, 9, 1), valid_to=dt.date(2024, 7, 1))
    f.enroll(graduate, class_a)
    run("R06")
    assert findings("R06") == []


# ---------------------------------------------------------------- R10

def test_it_finds_a_phone_shared_by_many_trainees(setup):
    org, _other, class_a, _b = setup
    for _ in range(5):
        f.enroll(f.person(phone="13900001111"), class_a)
    run("R10")
    [finding] = findings("R10")
    assert finding.organisation_id == org.pk
    assert finding.evidence["total_trainees"] == 5
    assert finding.evidence["phone"] == "139****1111"


def test_it_does_not_flag_a_phone_shared_by_a_family(setup):
    _org, _other, class_a, _b = setup
    for _ in range(4):
        f.enroll(f.person(phone="13900002222"), class_a)
    run("R10")
    assert findings("R10") == []


# ---------------------------------------------------------------- R11

def test_it_finds_a_class_over_capacity(setup):
    org, _other, _a, _b = setup
    small = f.training_class(f.project(org), capacity=3)
    for _ in range(4):
        f.enroll(f.person(), small)
    run("R11")
    [finding] = [x for x in findings("R11") if x.evidence["variant"] == "class"]
    assert finding.evidence["enrolled"] == 4


def test_it_finds_more_classes_at_once_than_teachers(reference):
    org = f.organisation(teacher_count=2)
    proj = f.project(org)
    for _ in range(3):
        f.training_class(proj, start=dt.date(2025, 4, 1))
    run("R11")
    [finding] = findings("R11")
    assert finding.evidence["variant"] == "teachers"
    assert finding.evidence["running"] == 3 and finding.evidence["teachers"] == 2


def test_it_does_not_flag_a_class_at_capacity_or_classes_one_after_another(reference):
    org = f.organisation(teacher_count=1, capacity=10)
    proj = f.project(org)
    full = f.training_class(proj, capacity=3, start=dt.date(2025, 4, 1), days=5)
    f.training_class(proj, start=dt.date(2025, 4, 10), days=5)
    for _ in range(3):
        f.enroll(f.person(), full)
    run("R11")
    assert findings("R11") == []


def test_findings_use_content_types_as_they_are_now(setup):
    """A flush between tests re-creates content types under new ids; the engine must not keep old ones."""
    from django.contrib.contenttypes.models import ContentType

    from jixing.supervision.engine import _content_type

    stale = _content_type("registry.Person")
    try:
        ContentType.objects.filter(pk=stale.pk).delete()
        ContentType.objects.clear_cache()
        fresh = ContentType.objects.create(app_label="registry", model="person")
        assert _content_type("registry.Person").pk == fresh.pk != stale.pk
    finally:
        ContentType.objects.clear_cache()  # the rollback brings the old row back: forget the new one
