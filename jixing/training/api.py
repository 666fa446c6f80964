"""Training API under /api/v1/training/: projects with their lifecycle, classes, sessions,
teachers, enrollments (with the eligibility decision and its reasons) and attendance
(single and bulk), so institutions' own systems can push rosters and check-ins.

Authenticated by default (session with CSRF, or an organisation's ``X-API-Token``); every
endpoint checks roles with ``require_api_roles``, reads through ``visible_to`` (missing and
out-of-scope both answer 404) and writes through ``actions`` (which check who may act:
403). Schemas list their fields; anything else in a body is ignored (SECURITY.md B5).
Times without an offset are taken as Asia/Shanghai.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, overload

import polars as pl
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema, Status
from ninja.pagination import paginate

from jixing.accounts.models import Role
from jixing.core.access import get_for_user
from jixing.core.actor import Actor
from jixing.core.pagination import BoundedPageNumberPagination
from jixing.core.permissions import AuthedRequest, require_api_roles
from jixing.plan.models import Action, FundSource, IndustrialChain, Target
from jixing.registry.models import Occupation, Organisation, Person, Region, SkillLevel, TargetGroup

from . import access, actions, bulk_attendance, enrol_actions, queries
from .models import (
    Attendance,
    CheckInMethod,
    Enrollment,
    Teacher,
    TrainingClass,
    TrainingProject,
    TrainingSession,
    job_demand_model,
)
from .roles import DECIDERS, READERS, WRITERS
from .topic_api import router as topic_router

router = Router(tags=["training"])
router.add_router("/topics/", topic_router)

MAX_BULK_ROWS = 10_000
MAX_ID = 2**63 - 1  # the database's bigint: larger ids would not even reach a query
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


@overload
def _aware(value: dt.datetime) -> dt.datetime: ...
@overload
def _aware(value: None) -> None: ...


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """Times without an offset are Asia/Shanghai wall-clock times."""
    if value is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value, timezone.get_default_timezone())


# ------------------------------------------------------------------ schemas


class TrainingMessageOut(Schema):
    detail: Any


class ProjectIn(Schema):
    name: str = Field(max_length=150)
    action: int = Field(ge=1, le=10, description="Action number 1–10 (seed section 一).")
    target: str | None = Field(None, description="Target line code (reference/targets.csv), e.g. domestic_service.")
    project_type: str = Field(description="order, fixed_post, directed, pre_job, transfer, apprenticeship, "
                                          "employment_skill, skill_upgrade, entrepreneurship")
    partner_id: int | None = None
    job_demand_id: int | None = None
    occupation_id: int | None = None
    level: int | None = Field(None, ge=1, le=8, description="SkillLevel.order (1 学徒工 … 8 首席技师).")
    special_ability: str = Field("", max_length=100)
    county: str = Field(min_length=6, max_length=6)
    planned_person_times: int = Field(gt=0)
    hours: int = Field(gt=0)
    required_attendance_rate: Decimal = Field(Decimal("0.800"), gt=0, le=1, decimal_places=3)
    fund_source: str = Field(description="Fund source code, e.g. employment_subsidy.")
    is_subsidised: bool = True
    requires_certificate: bool = True
    description: str = ""
    required_groups: list[str] = Field(default_factory=list, description="Target-group codes.")
    chain: str | None = Field(None, description="Industrial chain code (GET /plan/chains), seed 一(七).")


class ProjectPatch(Schema):
    name: str | None = Field(None, max_length=150)
    action: int | None = Field(None, ge=1, le=10)
    target: str | None = None
    project_type: str | None = None
    partner_id: int | None = None
    job_demand_id: int | None = None
    occupation_id: int | None = None
    level: int | None = Field(None, ge=1, le=8)
    special_ability: str | None = Field(None, max_length=100)
    county: str | None = Field(None, min_length=6, max_length=6)
    planned_person_times: int | None = Field(None, gt=0)
    hours: int | None = Field(None, gt=0)
    required_attendance_rate: Decimal | None = Field(None, gt=0, le=1, decimal_places=3)
    fund_source: str | None = None
    is_subsidised: bool | None = None
    requires_certificate: bool | None = None
    description: str | None = None
    required_groups: list[str] | None = None
    chain: str | None = None


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    action: int = Field(alias="action.number")
    target: str | None
    project_type: str
    organiser_id: int
    organiser: str = Field(alias="organiser.name")
    partner_id: int | None
    job_demand_id: int | None
    occupation_id: int | None
    level: int | None = Field(alias="level_id")
    special_ability: str
    county: str = Field(alias="county_id")
    planned_person_times: int
    hours: int
    required_attendance_rate: Decimal
    fund_source: str = Field(alias="fund_source.code")
    is_subsidised: bool
    requires_certificate: bool
    is_provincial_key: bool = Field(description="Set only by a 揭榜领题 award (/topics/applications/{id}/award).")
    status: str
    quality_state: str
    required_groups: list[str]
    chain: str | None = Field(description="Industrial chain code, seed 一(七).")
    programmes: list[str] = Field(description="Codes of the named programmes the project belongs to.")

    @staticmethod
    def resolve_chain(obj: TrainingProject) -> str | None:
        return obj.chain.code if obj.chain is not None else None

    @staticmethod
    def resolve_programmes(obj: TrainingProject) -> list[str]:
        return sorted(p.code for p in obj.programmes.all())

    @staticmethod
    def resolve_target(obj: TrainingProject) -> str | None:
        return obj.target.code if obj.target is not None else None

    @staticmethod
    def resolve_required_groups(obj: TrainingProject) -> list[str]:
        return sorted(g.code for g in obj.required_groups.all())


class TrainingReasonIn(Schema):
    reason: str = Field("", max_length=2000)


class ClassIn(Schema):
    name: str = Field(max_length=150)
    site_address: str = Field(max_length=200)
    county: str = Field(min_length=6, max_length=6)
    latitude: Decimal = Field(ge=-90, le=90, decimal_places=6)
    longitude: Decimal = Field(ge=-180, le=180, decimal_places=6)
    capacity: int = Field(gt=0)
    start_date: dt.date
    end_date: dt.date
    teacher_ids: list[int] = Field(default_factory=list)


class ClassPatch(Schema):
    name: str | None = Field(None, max_length=150)
    site_address: str | None = Field(None, max_length=200)
    latitude: Decimal | None = Field(None, ge=-90, le=90, decimal_places=6)
    longitude: Decimal | None = Field(None, ge=-180, le=180, decimal_places=6)
    capacity: int | None = Field(None, gt=0)
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    teacher_ids: list[int] | None = None


class ClassOut(Schema):
    id: int
    code: str
    name: str
    project_id: int
    site_address: str
    county: str = Field(alias="county_id")
    latitude: Decimal
    longitude: Decimal
    capacity: int
    start_date: dt.date
    end_date: dt.date
    closed_at: dt.datetime | None
    teacher_ids: list[int]
    roster_plan: str
    filing_status: str = Field(description="unfiled, filed (awaiting the county), accepted or returned (开班备案).")
    filed_at: dt.datetime | None
    filing_days_ahead: int | None = Field(description="Days between the filing and the class start.")
    filing_short_notice: bool = Field(description="Filed inside the notice period (flagged in supervision, R13).")
    filing_reason: str = Field(description="The county's reason when it returned the filing.")

    @staticmethod
    def resolve_teacher_ids(obj: TrainingClass) -> list[int]:
        return sorted(t.pk for t in obj.teachers.all())


class FilingIn(Schema):
    roster_plan: str | None = Field(None, max_length=4000,
                                    description="Whom the class recruits and how; kept from before when omitted.")


class SessionIn(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    hours: Decimal = Field(gt=0, max_digits=4, decimal_places=1)
    teacher_id: int
    topic: str = Field(max_length=150)


class TrainingSessionOut(Schema):
    id: int
    class_id: int = Field(alias="training_class_id")
    starts_at: dt.datetime
    ends_at: dt.datetime
    hours: Decimal
    teacher_id: int
    topic: str


class TeacherIn(Schema):
    name: str = Field(max_length=50)
    id_number: str = Field(max_length=18)
    qualification: str = Field("", max_length=200)


class TeacherOut(Schema):
    id: int
    name: str = Field(alias="person.name")
    id_number_masked: str = Field(alias="person.masked_id_number")
    qualification: str


class RuleOut(Schema):
    code: str
    ok: bool
    message: str


class EnrollmentIn(Schema):
    name: str = Field(max_length=50)
    id_number: str = Field(max_length=18)
    phone: str = Field("", max_length=20)


class EnrollmentOut(Schema):
    id: int
    class_id: int = Field(alias="training_class_id")
    person_id: int
    name: str = Field(alias="person.name")
    id_number_masked: str = Field(alias="person.masked_id_number")
    status: str
    eligible: bool
    subsidised: bool
    eligibility: list[RuleOut]
    override_reason: str
    attendance_rate: Decimal
    completed_on: dt.date | None


class AttendanceIn(Schema):
    class_code: str = Field(max_length=40)
    id_number: str = Field(max_length=18)
    check_in_at: dt.datetime
    check_out_at: dt.datetime | None = None
    method: str = Field(description="face, qr or teacher")
    device_id: str = Field("", max_length=64)
    longitude: Decimal | None = Field(None, ge=-180, le=180, decimal_places=6)
    latitude: Decimal | None = Field(None, ge=-90, le=90, decimal_places=6)
    face_score: Decimal | None = Field(None, ge=0, le=100, decimal_places=2)
    photo_ref: str = Field("", max_length=200)


class AttendanceOut(Schema):
    id: int
    enrollment_id: int
    session_id: int
    check_in_at: dt.datetime
    check_out_at: dt.datetime | None
    method: str
    device_id: str
    latitude: Decimal | None
    longitude: Decimal | None
    face_score: Decimal | None
    credited_hours: Decimal
    provenance: str = Field(description="captured (checked by the system at the time) or declared (by the institution)")


class CheckOutIn(Schema):
    check_out_at: dt.datetime


class BulkRowIn(Schema):
    class_code: str = ""
    id_number: str = ""
    check_in: str = Field("", description="YYYY-MM-DD HH:MM[:SS], Asia/Shanghai")
    check_out: str = ""
    method: str = ""
    device_id: str = ""
    longitude: str = ""
    latitude: str = ""
    signature: str = Field("", description="HMAC-SHA256 of the row by a registered terminal (makes the row captured)")


class BulkIn(Schema):
    rows: list[BulkRowIn] = Field(max_length=MAX_BULK_ROWS)
    dry_run: bool = False


class TrainingRejectedOut(Schema):
    row: int
    field: str
    reason: str


class BulkOut(Schema):
    created: int
    rejected: list[TrainingRejectedOut]
    dry_run: bool


# ------------------------------------------------------------------ helpers


def _lookup(model: Any, field: str, value: Any, name: str) -> Any:
    if value in (None, ""):
        return None
    obj = model.objects.filter(**{field: value}).first()
    if obj is None:
        raise ValidationError({name: [_("Unknown value “%(value)s”.") % {"value": str(value)[:40]}]})
    return obj


def _project_data(body: Schema, user: Actor, *, partial: bool) -> tuple[dict[str, Any], list[TargetGroup] | None]:
    given = body.dict(exclude_unset=partial)
    data: dict[str, Any] = {}
    simple = ("name", "project_type", "special_ability", "planned_person_times", "hours", "required_attendance_rate",
              "is_subsidised", "requires_certificate", "description")
    for key in simple:
        if key in given and given[key] is not None:
            data[key] = given[key]
    if "action" in given:
        data["action"] = _lookup(Action, "number", given["action"], "action")
    if "target" in given:
        data["target"] = _lookup(Target, "code", given["target"], "target")
    if "fund_source" in given:
        data["fund_source"] = _lookup(FundSource, "code", given["fund_source"], "fund_source")
    if "county" in given:
        data["county"] = _lookup(Region, "code", given["county"], "county")
    if "occupation_id" in given:
        data["occupation"] = _lookup(Occupation, "pk", given["occupation_id"], "occupation_id")
    if "level" in given:
        data["level"] = _lookup(SkillLevel, "order", given["level"], "level")
    if "chain" in given:
        data["chain"] = _lookup(IndustrialChain, "code", given["chain"], "chain")
    if "partner_id" in given:
        data["partner"] = _lookup(Organisation, "pk", given["partner_id"], "partner_id")
    if "job_demand_id" in given:
        job_demand = job_demand_model()
        demand = _lookup(job_demand, "pk", given["job_demand_id"], "job_demand_id")
        if demand is not None and not job_demand.objects.visible_to(user).filter(pk=demand.pk).exists():
            raise ValidationError({"job_demand_id": [_("Unknown value “%(value)s”.") % {"value": demand.pk}]})
        data["job_demand"] = demand
    groups = None
    if given.get("required_groups") is not None:
        groups = [_lookup(TargetGroup, "code", code, "required_groups") for code in given["required_groups"]]
    return data, groups


def _projects(user: Actor) -> Any:
    return TrainingProject.objects.visible_to(user).select_related(
        "action", "target", "organiser", "fund_source", "chain").prefetch_related("required_groups", "programmes")


def _classes(user: Actor) -> Any:
    return TrainingClass.objects.visible_to(user).select_related("project").prefetch_related("teachers")


def _own_teachers(user: Actor, ids: list[int]) -> list[Teacher]:
    teachers = list(Teacher.objects.filter(pk__in=ids, organisation_id=user.organisation_id or -1))
    if len(teachers) != len(set(ids)):
        raise ValidationError({"teacher_ids": [_("Unknown teacher.")]})
    return teachers


# ------------------------------------------------------------------ projects


@router.get("/projects", response=list[ProjectOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def list_projects(request: AuthedRequest, status: str | None = None, action: int | None = None) -> Any:
    require_api_roles(request, *READERS)
    qs = _projects(request.user)
    if status:
        qs = qs.filter(status=status)
    if action is not None:
        qs = qs.filter(action__number=action) if 1 <= action <= 10 else qs.none()
    return qs


@router.post("/projects", response={201: ProjectOut, 403: TrainingMessageOut, 422: TrainingMessageOut})
def create_project(request: AuthedRequest, body: ProjectIn) -> Any:
    require_api_roles(request, *WRITERS)
    data, groups = _project_data(body, request.user, partial=False)
    project = actions.create_project(by=request.user, data=data, required_groups=groups or [])
    return Status(201, _projects(request.user).get(pk=project.pk))


@router.get("/projects/{project_id}", response=ProjectOut)
def get_project(request: AuthedRequest, project_id: Id) -> Any:
    require_api_roles(request, *READERS)
    return get_for_user(_projects(request.user), request.user, project_id)


@router.patch("/projects/{project_id}", response={200: ProjectOut, 403: TrainingMessageOut, 422: TrainingMessageOut})
def update_project(request: AuthedRequest, project_id: Id, body: ProjectPatch) -> Any:
    require_api_roles(request, *WRITERS)
    project = get_for_user(TrainingProject.objects.all(), request.user, project_id)
    data, groups = _project_data(body, request.user, partial=True)
    actions.update_project(project, by=request.user, data=data, required_groups=groups)
    return _projects(request.user).get(pk=project.pk)


# ------------------------------------------------------------------ classes and sessions


@router.get("/classes", response=list[ClassOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def list_classes(request: AuthedRequest, project_id: int | None = None) -> Any:
    require_api_roles(request, *READERS)
    qs = _classes(request.user)
    if project_id is None:
        return qs
    return qs.filter(project_id=project_id) if 1 <= project_id <= MAX_ID else qs.none()


@router.post("/projects/{project_id}/classes", response={201: ClassOut, 403: TrainingMessageOut, 422: TrainingMessageOut})
def create_class(request: AuthedRequest, project_id: Id, body: ClassIn) -> Any:
    require_api_roles(request, *WRITERS)
    project = get_for_user(TrainingProject.objects.all(), request.user, project_id)
    data = body.dict(exclude={"teacher_ids", "county"})
    data["county"] = _lookup(Region, "code", body.county, "county")
    klass = actions.create_class(project, by=request.user, data=data,
                                 teachers=_own_teachers(request.user, body.teacher_ids))
    return Status(201, _classes(request.user).get(pk=klass.pk))


@router.post("/projects/{project_id}/{verb}", response={200: ProjectOut, 403: TrainingMessageOut, 404: TrainingMessageOut,
                                                         409: TrainingMessageOut, 422: TrainingMessageOut},
             summary="Move a project: submit, approve, return, reject, start, finish or close")
def move_project(request: AuthedRequest, project_id: Id, verb: str, body: TrainingReasonIn | None = None) -> Any:
    require_api_roles(request, *WRITERS, *DECIDERS)
    project = get_for_user(TrainingProject.objects.all(), request.user, project_id)
    if verb not in actions.PROJECT_MOVES:
        return Status(404, {"detail": _("Not found.")})
    actions.move_project(project, verb, by=request.user, reason=body.reason if body else "")
    return _projects(request.user).get(pk=project.pk)


@router.get("/classes/{class_id}", response=ClassOut)
def get_class(request: AuthedRequest, class_id: Id) -> Any:
    require_api_roles(request, *READERS)
    return get_for_user(_classes(request.user), request.user, class_id)


@router.patch("/classes/{class_id}", response={200: ClassOut, 403: TrainingMessageOut, 422: TrainingMessageOut})
def update_class(request: AuthedRequest, class_id: Id, body: ClassPatch) -> Any:
    require_api_roles(request, *WRITERS)
    klass = get_for_user(TrainingClass.objects.select_related("project"), request.user, class_id)
    data = {k: v for k, v in body.dict(exclude_unset=True, exclude={"teacher_ids"}).items() if v is not None}
    teachers = _own_teachers(request.user, body.teacher_ids) if body.teacher_ids is not None else None
    actions.update_class(klass, by=request.user, data=data, teachers=teachers)
    return _classes(request.user).get(pk=klass.pk)


@router.post("/classes/{class_id}/close", response={200: dict, 403: TrainingMessageOut, 422: TrainingMessageOut},
             summary="Close a class: lock its attendance and decide completions")
def close_class(request: AuthedRequest, class_id: Id) -> Any:
    require_api_roles(request, *WRITERS, *DECIDERS)
    klass = get_for_user(TrainingClass.objects.select_related("project"), request.user, class_id)
    return actions.close_class(klass, by=request.user)


@router.post("/classes/{class_id}/filing", response={200: ClassOut, 403: TrainingMessageOut, 409: TrainingMessageOut,
                                                   422: TrainingMessageOut},
             summary="File the class with the county (开班备案) before it starts")
def file_class(request: AuthedRequest, class_id: Id, body: FilingIn) -> Any:
    require_api_roles(request, *WRITERS)
    klass = get_for_user(TrainingClass.objects.select_related("project"), request.user, class_id)
    actions.file_class(klass, by=request.user, roster_plan=body.roster_plan)
    return _classes(request.user).get(pk=klass.pk)


@router.get("/class-filings", response=list[ClassOut], summary="Class filings awaiting the county's decision")
@paginate(BoundedPageNumberPagination, page_size=50)
def filing_queue(request: AuthedRequest) -> Any:
    require_api_roles(request, *DECIDERS)
    return queries.filing_queue(request.user).prefetch_related("teachers")


@router.post("/classes/{class_id}/filing/{decision}", response={200: ClassOut, 403: TrainingMessageOut,
                                                                404: TrainingMessageOut, 409: TrainingMessageOut,
                                                                422: TrainingMessageOut},
             summary="Accept or return a class filing (return needs a reason)")
def decide_filing(request: AuthedRequest, class_id: Id, decision: str, body: TrainingReasonIn | None = None) -> Any:
    require_api_roles(request, *DECIDERS)
    klass = get_for_user(TrainingClass.objects.select_related("project"), request.user, class_id)
    decide = {"accept": actions.accept_class_filing, "return": actions.return_class_filing}.get(decision)
    if decide is None:
        return Status(404, {"detail": _("Not found.")})
    decide(klass, by=request.user, reason=body.reason if body else "")
    return _classes(request.user).get(pk=klass.pk)


@router.get("/classes/{class_id}/sessions", response=list[TrainingSessionOut])
def list_sessions(request: AuthedRequest, class_id: Id) -> Any:
    require_api_roles(request, *READERS)
    klass = get_for_user(TrainingClass.objects.all(), request.user, class_id)
    return klass.sessions.order_by("starts_at")


@router.post("/classes/{class_id}/sessions", response={201: TrainingSessionOut, 403: TrainingMessageOut, 422: TrainingMessageOut})
def add_session(request: AuthedRequest, class_id: Id, body: SessionIn) -> Any:
    require_api_roles(request, *WRITERS)
    klass = get_for_user(TrainingClass.objects.select_related("project"), request.user, class_id)
    teacher = _own_teachers(request.user, [body.teacher_id])[0]
    session = actions.add_session(klass, by=request.user, starts_at=_aware(body.starts_at), ends_at=_aware(body.ends_at),
                                  hours=body.hours, teacher=teacher, topic=body.topic)
    return Status(201, session)


@router.get("/teachers", response=list[TeacherOut])
def list_teachers(request: AuthedRequest) -> Any:
    require_api_roles(request, *WRITERS)
    return Teacher.objects.filter(organisation_id=request.user.organisation_id or -1).select_related("person")


@router.post("/teachers", response={201: TeacherOut, 403: TrainingMessageOut, 422: TrainingMessageOut})
def add_teacher(request: AuthedRequest, body: TeacherIn) -> Any:
    require_api_roles(request, *WRITERS)
    teacher = enrol_actions.register_teacher(by=request.user, name=body.name, id_number=body.id_number,
                                             qualification=body.qualification)
    return Status(201, teacher)


# ------------------------------------------------------------------ enrollments


def _enrollments(user: Actor) -> Any:
    return Enrollment.objects.visible_to(user).select_related("person", "training_class")


@router.get("/classes/{class_id}/enrollments", response=list[EnrollmentOut])
@paginate(BoundedPageNumberPagination, page_size=100)
def list_enrollments(request: AuthedRequest, class_id: int) -> Any:
    require_api_roles(request, *READERS)
    if not 1 <= class_id <= MAX_ID:  # paginated endpoints take plain ints (see Id)
        raise Http404
    klass = get_for_user(TrainingClass.objects.all(), request.user, class_id)
    return _enrollments(request.user).filter(training_class=klass).order_by("id")


@router.post("/classes/{class_id}/enrollments", response={201: EnrollmentOut, 403: TrainingMessageOut, 409: TrainingMessageOut,
                                                          422: TrainingMessageOut},
             summary="Enroll a person; the answer carries the eligibility decision with its reasons")
def enroll(request: AuthedRequest, class_id: Id, body: EnrollmentIn) -> Any:
    require_api_roles(request, *WRITERS)
    klass = get_for_user(TrainingClass.objects.select_related("project"), request.user, class_id)
    if not access.is_organiser_staff(request.user, klass.project):
        raise PermissionDenied(_("Only staff of the organising institution may do this."))
    try:
        enrollment = enrol_actions.register_and_enrol(klass, by=request.user, name=body.name, id_number=body.id_number,
                                                      phone=body.phone)
    except actions.EnrollmentRefused as exc:  # the registration is undone with it
        return Status(409, {"detail": exc.messages[0]})
    return Status(201, _enrollments(request.user).get(pk=enrollment.pk))


@router.get("/enrollments/{enrollment_id}", response=EnrollmentOut)
def get_enrollment(request: AuthedRequest, enrollment_id: Id) -> Any:
    require_api_roles(request, *READERS, Role.TRAINEE)
    return get_for_user(_enrollments(request.user), request.user, enrollment_id)


@router.get("/my/enrollments", response=list[EnrollmentOut])
def my_enrollments(request: AuthedRequest) -> Any:
    require_api_roles(request, Role.TRAINEE)
    return _enrollments(request.user).order_by("-training_class__start_date")


@router.post("/enrollments/{enrollment_id}/withdraw", response={200: EnrollmentOut, 403: TrainingMessageOut, 409: TrainingMessageOut,
                                                               422: TrainingMessageOut})
def withdraw(request: AuthedRequest, enrollment_id: Id, body: TrainingReasonIn) -> Any:
    require_api_roles(request, *WRITERS, *DECIDERS)
    enrollment = get_for_user(_enrollments(request.user), request.user, enrollment_id)
    actions.withdraw(enrollment, by=request.user, reason=body.reason)
    return _enrollments(request.user).get(pk=enrollment.pk)


@router.post("/enrollments/{enrollment_id}/override", response={200: EnrollmentOut, 403: TrainingMessageOut, 422: TrainingMessageOut},
             summary="An officer grants a subsidised place despite a failed rule (written reason, audited)")
def override(request: AuthedRequest, enrollment_id: Id, body: TrainingReasonIn) -> Any:
    require_api_roles(request, *DECIDERS)
    enrollment = get_for_user(_enrollments(request.user), request.user, enrollment_id)
    actions.override_eligibility(enrollment, by=request.user, reason=body.reason)
    return _enrollments(request.user).get(pk=enrollment.pk)


# ------------------------------------------------------------------ attendance


@router.get("/sessions/{session_id}/attendance", response=list[AttendanceOut])
def session_attendance(request: AuthedRequest, session_id: Id) -> Any:
    require_api_roles(request, *READERS)
    session = TrainingSession.objects.filter(
        pk=session_id, training_class__in=TrainingClass.objects.visible_to(request.user)).first()
    if session is None:
        raise Http404
    return session.attendances.order_by("check_in_at")


@router.post("/attendance", response={201: AttendanceOut, 403: TrainingMessageOut, 404: TrainingMessageOut, 422: TrainingMessageOut},
             summary="Record one check-in (matched to the session whose window holds the check-in time)")
def record_attendance(request: AuthedRequest, body: AttendanceIn) -> Any:
    require_api_roles(request, *WRITERS)
    klass = TrainingClass.objects.visible_to(request.user).select_related("project").filter(code=body.class_code).first()
    if klass is None:
        return Status(404, {"detail": _("Not found.")})
    enrollment = Enrollment.objects.filter(
        training_class=klass, person__id_number_hash=Person.hash_id_number(body.id_number)).first()
    if enrollment is None:
        raise ValidationError({"id_number": [_("This person is not on the roster of class %(code)s.") % {"code": klass.code}]})
    check_in = _aware(body.check_in_at)
    session = queries.session_at(klass, check_in)
    if session is None:
        raise ValidationError({"check_in_at": [_("No session of class %(code)s at this check-in time.") % {"code": klass.code}]})
    record = actions.record_attendance(
        enrollment, session, by=request.user, check_in_at=check_in, check_out_at=_aware(body.check_out_at),
        method=body.method, device_id=body.device_id, latitude=body.latitude, longitude=body.longitude,
        face_score=body.face_score, photo_ref=body.photo_ref,
    )
    return Status(201, record)


@router.post("/attendance/{attendance_id}/check-out", response={200: AttendanceOut, 403: TrainingMessageOut, 404: TrainingMessageOut,
                                                               422: TrainingMessageOut})
def check_out(request: AuthedRequest, attendance_id: Id, body: CheckOutIn) -> Any:
    require_api_roles(request, *WRITERS)
    record = Attendance.objects.filter(
        pk=attendance_id, training_class__in=TrainingClass.objects.visible_to(request.user)).select_related(
        "enrollment__training_class__project").first()
    if record is None:
        return Status(404, {"detail": _("Not found.")})
    return actions.check_out(record, by=request.user, at=_aware(body.check_out_at))


@router.post("/attendance/bulk", response={200: BulkOut, 403: TrainingMessageOut},
             summary="Record up to 10,000 check-ins; each bad row is rejected with its reason, the good rows go in")
def bulk_attendance_rows(request: AuthedRequest, body: BulkIn) -> Any:
    require_api_roles(request, *WRITERS)
    rows = body.rows
    frame = pl.DataFrame(
        {bulk_attendance.ROW: list(range(1, len(rows) + 1)),
         **{k: [getattr(r, k) for r in rows] for k in bulk_attendance.KEYS}},
        schema={bulk_attendance.ROW: pl.UInt32, **dict.fromkeys(bulk_attendance.KEYS, pl.String)},
    )
    batch = bulk_attendance.AttendanceBatch(user=request.user)
    good, errors = batch.validate(frame)
    created = good.height
    if not body.dry_run and good.height:
        created = bulk_attendance.write_rows(batch, good, by=request.user).created
    return {"created": created, "dry_run": body.dry_run,
            "rejected": [e.as_dict() for e in bulk_attendance.errors_to_rows(errors)]}


__all__ = ["router", "CheckInMethod"]
