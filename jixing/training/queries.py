"""Reads for training pages, the API, imports and other apps. Lists start from a
``visible_to(user)`` queryset; ``eligibility_facts`` turns the database into the plain
dataclasses ``rules`` decides on."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from jixing.accounts.models import Role
from jixing.core.access import scope_for
from jixing.core.actor import Actor
from jixing.imports.pipeline import any_of
from jixing.registry.models import Person, PersonGroup, TargetGroup, live_memberships

from .models import (
    Attendance,
    Enrollment,
    EnrollmentStatus,
    FilingNotice,
    FilingStatus,
    ProjectStatus,
    SpotCheck,
    SpotCheckResult,
    TrainingClass,
    TrainingProject,
    TrainingSession,
)
from .rules import (
    Candidate,
    Interval,
    Membership,
    NoticeVersion,
    Offer,
    PriorTraining,
    SessionEvidence,
    notice_in_force,
)

COUNTING_STATUSES = (EnrollmentStatus.ENROLLED, EnrollmentStatus.COMPLETED)


# ---------------------------------------------------------------- eligibility facts


def offer_for(klass: TrainingClass) -> Offer:
    project = klass.project
    return Offer(
        class_code=klass.code,
        start_date=klass.start_date,
        occupation_id=project.occupation_id,
        occupation_name=project.occupation.name if project.occupation is not None else "",
        level_order=project.level_id,
        level_name=project.level.name if project.level is not None else "",
        required_groups=tuple(project.required_groups.order_by("id").values_list("code", "name")),
        sessions=tuple(Interval(s, e) for s, e in klass.sessions.values_list("starts_at", "ends_at")),
    )


# Highest certificate level per (person, occupation). Evaluation sits above training, so it
# registers its lookup at start-up (EvaluationConfig.ready) instead of training importing it.
CertificateLevels = Callable[[list[int]], dict[tuple[int, int], int]]
_certificate_levels_lookup: list[CertificateLevels] = []


def register_certificate_levels(lookup: CertificateLevels) -> None:
    _certificate_levels_lookup[:] = [lookup]


def _certificate_levels(person_ids: list[int]) -> dict[tuple[int, int], int]:
    """Highest certificate level per (person, occupation), from the evaluation app."""
    return _certificate_levels_lookup[0](person_ids) if _certificate_levels_lookup else {}


def eligibility_facts(klass: TrainingClass, person_ids: Iterable[int]) -> dict[int, Candidate]:
    """One ``Candidate`` per person: birth/sex, target groups, enrollments that still count
    (with the sessions of classes whose dates meet this class's) and certificates held.
    A fixed number of queries whatever the number of persons (roster imports)."""
    ids = sorted({int(i) for i in person_ids})
    if not ids:
        return {}
    persons = {p["id"]: p for p in Person.objects.filter(pk__in=ids).values("id", "birth_date", "sex")}

    memberships: dict[int, list[Membership]] = defaultdict(list)
    for m, group in live_memberships(ids):
        memberships[m.person_id].append(Membership(group.code, group.name, group.excludes_subsidy, m.valid_from, m.valid_to))

    others = list(
        Enrollment.objects.filter(person_id__in=ids, status__in=COUNTING_STATUSES)
        .exclude(training_class_id=klass.pk)
        .values(
            "person_id", "subsidised", "training_class_id", "training_class__code", "training_class__start_date",
            "training_class__end_date", "training_class__project__occupation_id", "training_class__project__level_id",
        )
    )
    # Only classes whose dates meet this class's dates can have overlapping sessions.
    near = {o["training_class_id"] for o in others
            if o["training_class__start_date"] <= klass.end_date and o["training_class__end_date"] >= klass.start_date}
    sessions: dict[int, list[Interval]] = defaultdict(list)
    for class_id, starts, ends in TrainingSession.objects.filter(training_class_id__in=near).values_list(
        "training_class_id", "starts_at", "ends_at"
    ):
        sessions[class_id].append(Interval(starts, ends))
    prior: dict[int, list[PriorTraining]] = defaultdict(list)
    for o in others:
        prior[o["person_id"]].append(PriorTraining(
            class_code=o["training_class__code"],
            year=o["training_class__start_date"].year,
            subsidised=o["subsidised"],
            occupation_id=o["training_class__project__occupation_id"],
            level_order=o["training_class__project__level_id"],
            sessions=tuple(sessions.get(o["training_class_id"], ())),
        ))

    certificates: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for (person_id, occupation_id), level in _certificate_levels(ids).items():
        certificates[person_id].append((occupation_id, level))

    return {
        pid: Candidate(
            birth_date=p["birth_date"], sex=p["sex"],
            memberships=tuple(memberships.get(pid, ())),
            prior=tuple(prior.get(pid, ())),
            certificates=tuple(sorted(certificates.get(pid, ()))),
        )
        for pid, p in persons.items()
    }


@dataclass(frozen=True)
class _ClassDates:
    code: str
    start_date: dt.date
    end_date: dt.date
    occupation_id: int | None
    level_id: int | None

    def meets(self, other: _ClassDates) -> bool:
        return self.start_date <= other.end_date and self.end_date >= other.start_date


class EligibilityBook:
    """The facts of ``eligibility_facts`` for many persons and several classes at once (a
    whole roster): one query per fact kind, ids sent as one array parameter. ``candidate(
    class_id, person_id)`` is what ``eligibility_facts(klass, [person_id])[person_id]`` gives,
    including enrollments added with ``add_enrollment`` since the facts were read (a person
    on two classes of one roster: the second class sees the first, as one ``enroll_persons``
    call after another would)."""

    def __init__(self, class_ids: Iterable[int], person_ids: Iterable[int], *,
                 groups: Mapping[int, TargetGroup] | None = None) -> None:
        targets = sorted(set(class_ids))
        ids = sorted({int(i) for i in person_ids})
        self.persons: dict[int, tuple[dt.date, str]] = {
            pk: (born, sex) for pk, born, sex in Person.objects.filter(any_of("id", ids)).values_list("id", "birth_date", "sex")
        } if ids else {}
        groups = groups if groups is not None else TargetGroup.objects.in_bulk()
        by_code = {g.code: g for g in groups.values()}
        memberships: dict[int, list[Membership]] = defaultdict(list)
        if ids:
            for person_id, group_id, sealed, valid_from, valid_to in (
                PersonGroup.objects.filter(any_of("person_id", ids), archived_at__isnull=True)
                .order_by().values_list("person_id", "group_id", "sealed_group", "valid_from", "valid_to")
            ):
                group = groups[group_id] if group_id is not None else by_code[sealed]
                memberships[person_id].append(Membership(group.code, group.name, group.excludes_subsidy, valid_from, valid_to))
        self.memberships = {pk: tuple(ms) for pk, ms in memberships.items()}
        # every counting enrollment of these persons, in id order (the order rules report in)
        self.others: dict[int, list[tuple[int, bool]]] = defaultdict(list)
        if ids:
            for person_id, class_id, subsidised in (
                Enrollment.objects.filter(any_of("person_id", ids), status__in=COUNTING_STATUSES)
                .order_by("id").values_list("person_id", "training_class_id", "subsidised")
            ):
                self.others[person_id].append((class_id, subsidised))
        wanted = set(targets) | {c for rows in self.others.values() for c, _s in rows}
        self.classes = {
            pk: _ClassDates(code, start, end, occupation, level)
            for pk, code, start, end, occupation, level in TrainingClass.objects.filter(any_of("id", sorted(wanted)))
            .values_list("id", "code", "start_date", "end_date", "project__occupation_id", "project__level_id")
        } if wanted else {}
        # only classes whose dates meet a target class's dates can have overlapping sessions
        near = [pk for pk, c in self.classes.items() if pk in targets or any(c.meets(self.classes[t]) for t in targets)]
        sessions: dict[int, list[Interval]] = defaultdict(list)
        if near:
            for class_id, starts, ends in TrainingSession.objects.filter(any_of("training_class_id", near)).values_list(
                "training_class_id", "starts_at", "ends_at"
            ):
                sessions[class_id].append(Interval(starts, ends))
        self.sessions = {pk: tuple(s) for pk, s in sessions.items()}
        certificates: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for (person_id, occupation_id), level in (_certificate_levels(ids).items() if ids else ()):
            certificates[person_id].append((occupation_id, level))
        self.certificates = {pk: tuple(sorted(c)) for pk, c in certificates.items()}

    def add_enrollment(self, person_id: int, class_id: int, *, subsidised: bool) -> None:
        self.others[person_id].append((class_id, subsidised))

    def candidate(self, class_id: int, person_id: int) -> Candidate:
        klass = self.classes[class_id]
        prior = []
        for other_id, subsidised in self.others.get(person_id, ()):
            if other_id == class_id:
                continue
            other = self.classes[other_id]
            prior.append(PriorTraining(
                class_code=other.code, year=other.start_date.year, subsidised=subsidised,
                occupation_id=other.occupation_id, level_order=other.level_id,
                sessions=self.sessions.get(other_id, ()) if other.meets(klass) else (),
            ))
        born, sex = self.persons[person_id]
        return Candidate(birth_date=born, sex=sex, memberships=self.memberships.get(person_id, ()),
                         prior=tuple(prior), certificates=self.certificates.get(person_id, ()))


def session_at(klass: TrainingClass, moment: dt.datetime) -> TrainingSession | None:
    """The session of the class whose check-in window (early margin … end) holds ``moment``."""
    from . import conf

    return (klass.sessions.filter(starts_at__lte=moment + conf.checkin_early(), ends_at__gte=moment)
            .order_by("-starts_at").first())


def counting_enrollments(klass: TrainingClass) -> int:
    return Enrollment.objects.filter(training_class=klass, status__in=COUNTING_STATUSES).count()


# ---------------------------------------------------------------- pages


def projects_for(user: Actor, *, status: str = "", action: int | None = None, q: str = "") -> QuerySet[TrainingProject]:
    qs = (TrainingProject.objects.visible_to(user)
          .select_related("action", "organiser", "county", "occupation", "level", "fund_source")
          .annotate(class_count=Count("classes", distinct=True)).order_by("-created_at", "-id"))
    if status:
        qs = qs.filter(status=status)
    if action:
        qs = qs.filter(action__number=action)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    return qs


def approval_queue(user: Actor) -> QuerySet[TrainingProject]:
    """Submitted projects an HRSS officer may decide: in scope, not made by the officer."""
    return (projects_for(user, status=ProjectStatus.SUBMITTED)
            .exclude(created_by_id=user.pk).exclude(submitted_by_id=user.pk).order_by("updated_at"))


def filing_notice_days(day: dt.date) -> int:
    """Days of notice a class filing needs on ``day`` (the dated ``FilingNotice`` in force; 0 if none)."""
    version = notice_in_force(
        (NoticeVersion(v, n) for v, n in FilingNotice.objects.values_list("valid_from", "notice_days")), day)
    return version.notice_days if version else 0


def filing_queue(user: Actor) -> QuerySet[TrainingClass]:
    """Class filings an HRSS officer may decide: in scope, awaiting the county, not filed by the officer."""
    return (TrainingClass.objects.visible_to(user).filter(filing_status=FilingStatus.FILED)
            .exclude(filed_by=user).select_related("project", "project__organiser", "county", "filed_by")
            .prefetch_related("teachers__person").annotate(session_count=Count("sessions", distinct=True))
            .order_by("start_date", "code"))


def filings_by_county(*, since: dt.date, until: dt.date) -> list[dict[str, Any]]:
    """Class filings made in [since, until] per county of the class: filed, accepted, returned,
    still pending and at short notice (the dispatch report)."""
    rows = (TrainingClass.objects.filter(filed_at__date__gte=since, filed_at__date__lte=until)
            .values("county_id", "county__name")
            .annotate(filed=Count("id"),
                      accepted=Count("id", filter=Q(filing_status=FilingStatus.ACCEPTED)),
                      returned=Count("id", filter=Q(filing_status=FilingStatus.RETURNED)),
                      pending=Count("id", filter=Q(filing_status=FilingStatus.FILED)),
                      short_notice=Count("id", filter=Q(filing_short_notice=True)))
            .order_by("county_id"))
    return [{"code": r["county_id"], "name": r["county__name"], "filed": r["filed"], "accepted": r["accepted"],
             "returned": r["returned"], "pending": r["pending"], "short_notice": r["short_notice"]} for r in rows]


@dataclass(frozen=True)
class ChainClass:
    klass: TrainingClass
    enrolled: int
    completed: int


def project_chain(project: TrainingProject) -> list[ChainClass]:
    """demand → project → classes → completions, for the project page."""
    classes = project.classes.select_related("county").annotate(
        enrolled=Count("enrollments", filter=Q(enrollments__status__in=COUNTING_STATUSES)),
        completed=Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.COMPLETED)),
    ).order_by("start_date", "code")
    return [ChainClass(c, c.enrolled, c.completed) for c in classes]


def classes_for(user: Actor, *, project: TrainingProject | None = None) -> QuerySet[TrainingClass]:
    qs = TrainingClass.objects.visible_to(user).select_related("project", "county").annotate(
        enrolled=Count("enrollments", filter=Q(enrollments__status__in=COUNTING_STATUSES), distinct=True),
    )
    if project is not None:
        qs = qs.filter(project=project)
    return qs


def class_hours(klass: TrainingClass) -> Decimal:
    return klass.sessions.aggregate(total=Sum("hours"))["total"] or Decimal("0")


def roster(klass: TrainingClass) -> QuerySet[Enrollment]:
    return klass.enrollments.select_related("person", "override_by").order_by("id")


def session_phase(session: TrainingSession, now: dt.datetime | None = None) -> str:
    """``not_started`` before the session starts, ``running`` until it ends, then ``over``."""
    now = now or timezone.now()
    if now < session.starts_at:
        return "not_started"
    return "running" if now <= session.ends_at else "over"


def session_attendance(session: TrainingSession, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Everyone enrolled in the session's class with their check-in/out (or none) and the
    state a missing row means by the schedule: not started yet, not checked in yet, absent."""
    phase = session_phase(session, now)
    missing_state = {"not_started": "not_started", "running": "not_yet", "over": "absent"}[phase]
    records = {a.enrollment_id: a for a in session.attendances.all()}
    out = []
    for enrollment in session.training_class.enrollments.select_related("person").order_by("id"):
        record = records.get(enrollment.pk)
        out.append({"enrollment": enrollment, "attendance": record, "state": "present" if record else missing_state})
    return out


def verified_sessions(session_ids: Iterable[int]) -> set[int]:
    """Sessions whose attendance a clean spot check verified (their declared rows count in full)."""
    return set(SpotCheck.objects.filter(session_id__in=list(session_ids), result=SpotCheckResult.CLEAN)
               .values_list("session_id", flat=True))


def attendance_evidence(enrollments: Iterable[Enrollment]) -> dict[int, list[SessionEvidence]]:
    """Per enrollment, every session of its class as money counts it (issue 13): the credited
    hours and provenance of its attendance row, or missing, and whether a clean spot check
    verified the session. Sessions not yet started are left out (nobody can attend them yet)."""
    rows = list(enrollments)
    class_ids = {e.training_class_id for e in rows}
    now = timezone.now()
    sessions: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for class_id, pk, hours in (TrainingSession.objects.filter(training_class_id__in=class_ids, starts_at__lte=now)
                                .order_by("starts_at").values_list("training_class_id", "pk", "hours")):
        sessions[class_id].append((pk, hours))
    records = {
        (e, s): (credited, provenance) for e, s, credited, provenance in Attendance.objects.filter(
            enrollment_id__in=[e.pk for e in rows]).values_list("enrollment_id", "session_id", "credited_hours",
                                                                  "provenance")
    }
    verified = verified_sessions(pk for group in sessions.values() for pk, _h in group)
    out: dict[int, list[SessionEvidence]] = {}
    for e in rows:
        evidence = []
        for pk, hours in sessions.get(e.training_class_id, []):
            credited, provenance = records.get((e.pk, pk), (Decimal("0"), "missing"))
            evidence.append(SessionEvidence(session_id=pk, hours=hours, credited=credited, provenance=provenance,
                                            verified=pk in verified))
        out[e.pk] = evidence
    return out


def spot_checks_for(user: Actor, *, open_only: bool = False) -> QuerySet[SpotCheck]:
    qs = (SpotCheck.objects.visible_to(user)
          .select_related("training_class", "training_class__project__organiser", "county", "assigned_to", "draw",
                          "session"))
    if getattr(user, "role", None) == Role.HRSS_OFFICER and open_only:
        qs = qs.filter(visited_at__isnull=True)
    return qs.order_by("visited_at", "-draw__week", "id")


@dataclass(frozen=True)
class LiveSession:
    session: TrainingSession
    enrolled: int
    checked_in: int
    checked_out: int


def todays_sessions(user: Actor, day: dt.date | None = None) -> list[LiveSession]:
    """Sessions of today in the user's scope with live check-in counts (officer dashboard)."""
    day = day or timezone.localdate()
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    end = start + dt.timedelta(days=1)
    sessions = (
        TrainingSession.objects.filter(
            training_class__in=TrainingClass.objects.visible_to(user), starts_at__gte=start, starts_at__lt=end,
        )
        .select_related("training_class", "training_class__project", "teacher__person")
        .annotate(
            checked_in=Count("attendances", distinct=True),
            checked_out=Count("attendances", filter=Q(attendances__check_out_at__isnull=False), distinct=True),
        )
        .order_by("starts_at")
    )
    enrolled = dict(
        Enrollment.objects.filter(training_class__in=[s.training_class_id for s in sessions], status__in=COUNTING_STATUSES)
        .values_list("training_class_id").annotate(n=Count("id"))
    )
    return [LiveSession(s, enrolled.get(s.training_class_id, 0), s.checked_in, s.checked_out) for s in sessions]


def my_enrollments(user: Actor) -> QuerySet[Enrollment]:
    return (Enrollment.objects.visible_to(user)
            .select_related("training_class", "training_class__project", "training_class__county")
            .prefetch_related(Prefetch("training_class__sessions", queryset=TrainingSession.objects.order_by("starts_at")))
            .order_by("-training_class__start_date"))


def class_record(klass: TrainingClass) -> dict[str, Any]:
    """A class's full record for officers: sessions with counts, roster with rates."""
    sessions = klass.sessions.select_related("teacher__person").annotate(
        checked_in=Count("attendances"),
        checked_out=Count("attendances", filter=Q(attendances__check_out_at__isnull=False)),
    ).order_by("starts_at")
    return {
        "sessions": list(sessions),
        "hours": class_hours(klass),
        "enrollments": list(roster(klass)),
        "attendance_count": Attendance.objects.filter(session__training_class=klass).count(),
    }


def completions_by_year(user: Actor) -> dict[int, int]:
    rows = (Enrollment.objects.visible_to(user).completed()
            .values_list("completed_on__year").annotate(n=Count("id")).order_by())
    return dict(rows)


def institution_home(user: Actor) -> dict[str, Any]:
    scope = scope_for(user)
    if user.role != Role.INSTITUTION or not scope.organisation_id:
        return {}
    projects = TrainingProject.objects.visible_to(user)
    return {
        "projects": projects.count(),
        "drafts": projects.filter(status__in=[ProjectStatus.DRAFT, ProjectStatus.RETURNED]).count(),
        "classes": TrainingClass.objects.visible_to(user).filter(closed_at__isnull=True).count(),
    }
