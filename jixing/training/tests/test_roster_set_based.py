"""The set-based roster path (``enroll_roster``, ``EligibilityBook``, ``rules.Decider``,
``copy_rows``) stores what the per-person path stores: one ``enroll_persons`` call per class,
which reads ``eligibility_facts`` and calls ``decide_eligibility`` for every person.

A roster with every rule in play — excluded and sensitive groups (registered and declared),
the yearly cap, a person on two classes whose sessions overlap and whose occupation and level
are the same, a required target group, under-age and retired persons, rows refused for a
full class, duplicates, bad numbers and a failed real-name check — is imported once through
the set-based path and once with ``enroll_roster`` replaced by per-class ``enroll_persons``;
persons, memberships, enrollments with their stored decisions, the summary and the audit
details must be identical (and with chunks of 7 rows). On PostgreSQL the roster is big
enough for the COPY paths.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from jixing.core.models import AuditEvent
from jixing.imports.pipeline import COPY_MIN_ROWS, inspect_upload, preflight, run_import
from jixing.registry.idgen import make_id_number
from jixing.registry.models import Person, PersonGroup, TargetGroup
from jixing.training import actions, rules
from jixing.training.actions import RosterOutcome, enroll_persons
from jixing.training.importers import RosterImporter
from jixing.training.models import Enrollment

from .factories import make_class, make_enrollment, make_project, make_sessions, make_teacher, make_trainee, occupation

pytestmark = pytest.mark.django_db
START = dt.date(2026, 3, 2)
HEADER = ["班级编号", "姓名", "公民身份号码", "手机号码", "人员类别"]
PLAIN = 2 * COPY_MIN_ROWS  # new persons per class beyond the special cases: the COPY paths on PostgreSQL


class _Rollback(Exception):
    pass


def _number(i: int, born: dt.date | None = None) -> str:
    return make_id_number("370102", born or dt.date(1975 + i % 25, 1 + i % 12, 1 + i % 28), 200 + 2 * i)


def _world(personas: Any) -> tuple[list[list[str]], dict[str, Any]]:
    """Classes, registered persons with their history, and the roster's rows."""
    teacher = make_teacher(personas.institution)
    project = make_project(personas)
    same_job = make_project(personas)  # the same occupation and level as ``project``
    wanted = make_project(personas, required_groups=[TargetGroup.objects.get(code="registered_unemployed")])
    a = make_class(project, start=START, capacity=PLAIN + 40)
    b = make_class(same_job, start=START + dt.timedelta(days=2), capacity=PLAIN + 40)  # sessions meet a's
    c = make_class(wanted, start=START, capacity=6)
    for k in (a, b, c):
        make_sessions(k, teacher)
    earlier = [make_class(make_project(personas, occupation=occupation(n + 1)), start=dt.date(2026, 1, 5 + 7 * n))
               for n in range(3)]
    groups = {g.code: g for g in TargetGroup.objects.all()}

    def registered(name: str, i: int, **kw: Any) -> Person:
        return make_trainee(name, seq=900 + 2 * i, **kw)

    capped = registered("满额", 1)
    for k in earlier:  # three subsidised trainings this year: the yearly cap
        make_enrollment(k, capped)
    pensioner = registered("退休返聘", 2)
    PersonGroup.objects.create(person=pensioner, group=groups["pensioner"], valid_from=dt.date(2020, 1, 1))
    sealed = registered("保密", 3)
    PersonGroup.objects.create(person=sealed, group=groups["disabled"], valid_from=dt.date(2020, 1, 1))  # sealed by save()
    unemployed = registered("失业登记", 4)
    PersonGroup.objects.create(person=unemployed, group=groups["registered_unemployed"], valid_from=dt.date(2026, 1, 1))
    lapsed = registered("过期", 5)
    PersonGroup.objects.create(person=lapsed, group=groups["registered_unemployed"], valid_from=dt.date(2025, 1, 1),
                               valid_to=dt.date(2025, 12, 31))
    enrolled_before = registered("已在班", 6)
    make_enrollment(a, enrolled_before)
    twice = registered("两个班", 7)

    rows: list[list[str]] = []
    for k in (a, b):
        rows += [[k.code, p.name, p.id_number, "", ""] for p in (capped, pensioner, sealed, twice)]
    rows += [
        [a.code, enrolled_before.name, enrolled_before.id_number, "13900000001", "残疾人"],  # already enrolled: update
        [a.code, "新两个班", _number(1), "13900000002", "城镇登记失业人员"],
        [b.code, "新两个班", _number(1), "13900000003", ""],  # the same new person on b: registered once
        [a.code, "未成年", _number(2, dt.date(2012, 5, 5)), "", ""],
        [a.code, "已退休", _number(3, dt.date(1958, 2, 2)), "", ""],
        [a.code, "申报保密", _number(4), "", "残疾人；城镇登记失业人员"],
        [a.code, "申报学生", _number(5), "", "全日制在校学生"],
        [a.code, "重复", _number(6), "", ""],
        [a.code, "重复", _number(6), "", ""],  # twice in the file
        [a.code, "坏号码", "370102199201010000", "", ""],
        [a.code, "冒名", personas.lixia_person.id_number, "", ""],  # real-name check
    ]
    rows += [[c.code, p.name, p.id_number, "", ""] for p in (unemployed, lapsed, pensioner)]
    rows += [[c.code, f"申报失业{i}", _number(20 + i), "", "城镇登记失业人员" if i % 2 else ""] for i in range(5)]  # 2 full
    rows += [[k.code, f"新学员{k.pk}-{i}", _number(100 + i + 1000 * n), f"139{n}{i:07d}", "退役军人" if i % 4 == 0 else ""]
             for n, k in enumerate((a, b)) for i in range(PLAIN)]
    return rows, {"classes": (a, b, c)}


def _per_class(wanted: Any, *, by: Any, event: str) -> list[RosterOutcome]:
    """The per-person path: one ``enroll_persons`` call per class, in class-id order."""
    out = []
    for klass in sorted(wanted, key=lambda k: k.pk):
        persons = Person.objects.in_bulk(wanted[klass])
        for o in enroll_persons(klass, [persons[i] for i in wanted[klass]], by=by, event=event):
            out.append(RosterOutcome(klass.pk, o.person_id, o.decision, o.refused))
    return out


def _import_and_read(path: Any, user: Any, *, chunk_size: int | None = None) -> dict[str, Any]:
    info = inspect_upload(path, path.name)
    preflight(RosterImporter, path, info)
    seen: dict[str, Any] = {}
    try:
        with transaction.atomic():
            result = run_import(RosterImporter(user=user), path, info, dry_run=False, by=user, chunk_size=chunk_size)
            summary = result.summary()
            summary.pop("seconds")
            seen["summary"] = summary
            seen["persons"] = sorted(Person.objects.values_list(
                "id_number_hash", "name", "phone_hash", "household_region_id", "current_region_id", "birth_date", "sex"))
            seen["phones"] = sorted((p.id_number_hash, p.phone) for p in Person.objects.all())
            seen["memberships"] = sorted(
                (m.person.id_number_hash, m.group_code, m.is_sealed, m.valid_from, m.valid_to, m.evidence)
                for m in PersonGroup.objects.select_related("person", "group"))
            seen["enrollments"] = sorted(Enrollment.objects.values_list(
                "person__id_number_hash", "training_class__code", "status", "eligible", "subsidised", "eligibility",
                "override_reason", "attendance_rate"))
            assert not Enrollment.objects.filter(eligibility_checked_at__isnull=True,
                                                 training_class__code__startswith="BJ-TEST").exclude(
                eligibility=[]).exists()
            seen["audit"] = sorted((a.event, a.object_id, str(a.detail)) for a in AuditEvent.objects.filter(
                event="training.roster.import"))
            raise _Rollback
    except _Rollback:
        pass
    return seen


def test_the_set_based_roster_stores_what_per_class_enroll_persons_stores(personas, tmp_path, monkeypatch):
    rows, world = _world(personas)
    path = tmp_path / "roster.csv"
    path.write_text("\n".join(",".join(r) for r in [HEADER, *rows]) + "\n", encoding="utf-8")
    set_based = _import_and_read(path, personas.ivan)
    in_chunks = _import_and_read(path, personas.ivan, chunk_size=7)
    monkeypatch.setattr(actions, "enroll_roster", _per_class)
    per_class = _import_and_read(path, personas.ivan)

    summary = set_based["summary"]
    # the roster really has every case in it
    codes = {e["code"] for e in summary["ineligible"]}
    assert codes == {rules.WORKING_AGE, rules.EXCLUDED_GROUP, rules.SESSION_OVERLAP, rules.YEARLY_CAP,
                     rules.SAME_OCCUPATION_LEVEL, rules.REQUIRED_GROUP}
    assert len(summary["rejected"]) == 5  # duplicate, bad number, real name, two over c's capacity
    assert summary["updated"] == 1 and summary["persons_created"] > 2 * PLAIN
    assert any(sealed for _h, _c, sealed, *_rest in set_based["memberships"])
    a, b, _c = world["classes"]
    twice = Person.objects.get(name="两个班")
    on_b = [e for e in set_based["enrollments"] if e[0] == twice.id_number_hash and e[1] == b.code][0]
    assert {r["code"] for r in on_b[5] if not r["ok"]} == {rules.SESSION_OVERLAP, rules.SAME_OCCUPATION_LEVEL}

    for key in ("summary", "persons", "phones", "memberships", "enrollments", "audit"):
        assert set_based[key] == per_class[key], key
        assert set_based[key] == in_chunks[key] or key == "audit", key  # chunks: one audit row per chunk
    assert Enrollment.objects.filter(training_class__in=[a, b]).count() == 1  # everything rolled back


def test_enroll_roster_refuses_as_enroll_persons_does(personas):
    """Already enrolled, the class full, a person listed twice: the same refusals, in order."""
    klass = make_class(make_project(personas), start=START, capacity=3)
    people = [make_trainee(f"学员{i}", seq=700 + 2 * i) for i in range(4)]
    make_enrollment(klass, people[0])
    wanted = [p.pk for p in (people[0], people[1], people[1], people[2], people[3])]
    try:
        with transaction.atomic():
            expected = [(o.person_id, o.decision, o.refused) for o in enroll_persons(
                klass, [Person.objects.get(pk=i) for i in wanted], by=personas.ivan)]
            raise _Rollback
    except _Rollback:
        pass
    got = [(o.person_id, o.decision, o.refused) for o in actions.enroll_roster({klass: wanted}, by=personas.ivan)]
    assert got == expected
    assert [bool(r) for _p, _d, r in got] == [True, False, True, False, True]
    assert Enrollment.objects.filter(training_class=klass).count() == 3


# ---------------------------------------------------------------- rules.Decider, no database

_offer = rules.Offer(
    class_code="BJ-1", start_date=START, occupation_id=7, occupation_name="电工", level_order=3, level_name="四级",
    required_groups=(("registered_unemployed", "城镇登记失业人员"),),
    sessions=(rules.Interval(dt.datetime(2026, 3, 2, 0, tzinfo=dt.UTC), dt.datetime(2026, 3, 2, 4, tzinfo=dt.UTC)),),
)
_memberships = st.lists(st.builds(
    rules.Membership, st.sampled_from(["registered_unemployed", "pensioner", "veteran"]), st.just("组"),
    st.booleans(), st.sampled_from([dt.date(2025, 1, 1), START, dt.date(2026, 6, 1)]),
    st.sampled_from([None, dt.date(2025, 12, 31)])), max_size=2).map(tuple)
_prior = st.lists(st.builds(
    rules.PriorTraining, st.sampled_from(["BJ-1", "BJ-2", "BJ-3"]), st.sampled_from([2025, 2026]), st.booleans(),
    st.sampled_from([7, 8, None]), st.sampled_from([3, 4]),
    st.sampled_from([(), _offer.sessions])), max_size=4).map(tuple)
_candidates = st.builds(
    rules.Candidate, st.dates(dt.date(1955, 1, 1), dt.date(2012, 12, 31)), st.sampled_from([rules.MALE, rules.FEMALE]),
    _memberships, _prior, st.lists(st.tuples(st.sampled_from([7, 8]), st.integers(1, 5)), max_size=2).map(tuple))


@settings(max_examples=60, deadline=None)
@given(st.lists(_candidates, min_size=1, max_size=30))
def test_the_decider_decides_as_decide_eligibility(candidates):
    with translation.override("zh-hans"):
        decider = rules.Decider(_offer)
        for c in candidates:
            decision = decider.decide(c)
            assert decision == rules.decide_eligibility(c, _offer)
            assert decider.as_json(decision) == __import__("json").dumps(decision.as_list(), ensure_ascii=False)
