"""Training pages. HTTP only: parse, call one action or query, render. Objects come through
``get_for_user`` (missing and out-of-scope both answer 404); roles are declared on every view
(403 otherwise); the actions decide who may act on an object."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
import time
from typing import Any

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixing.accounts.models import Role
from jixing.core.access import get_for_user
from jixing.core.permissions import AuthedRequest, require_roles
from jixing.core.workflow import IllegalTransition, history
from jixing.imports.pipeline import FileRejected, inspect_upload, preflight, run_import
from jixing.registry.models import Organisation

from . import actions, conf, queries
from .forms import (
    ClassForm,
    OptionalReasonForm,
    PersonIdForm,
    ProjectForm,
    ReasonForm,
    RollCallForm,
    RosterForm,
    SessionForm,
    TeacherForm,
    apply_errors,
)
from .importers import RosterImporter
from .lists import CLASSES, PROJECTS
from .models import (
    Attendance,
    CheckInMethod,
    Enrollment,
    EnrollmentStatus,
    ProjectStatus,
    Teacher,
    TrainingClass,
    TrainingProject,
    TrainingSession,
)

INSTITUTION = (Role.INSTITUTION,)
OFFICERS = (Role.HRSS_OFFICER, Role.SECTOR_OFFICER, Role.FINANCE_OFFICER, Role.AUDITOR)
READERS = (*OFFICERS, Role.INSTITUTION)
PAGE_SIZE = 25
CHECK_IN_SALT = "jixing.training.check_in"


def _history(obj: Any, choices: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    """Status changes with the statuses' labels (not their codes)."""
    labels = dict(choices)
    return [{"at": c.at, "by": c.by, "reason": c.reason, "from_label": labels.get(c.from_status, c.from_status),
             "to_label": labels.get(c.to_status, c.to_status)} for c in history(obj)]


def _page(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _project(request: HttpRequest, pk: int) -> TrainingProject:
    return get_for_user(TrainingProject.objects.select_related(
        "action", "target", "organiser", "partner", "job_demand", "job_demand__employer", "occupation", "level",
        "county", "fund_source", "created_by", "approved_by"), request.user, pk)


def _class(request: HttpRequest, pk: int) -> TrainingClass:
    return get_for_user(TrainingClass.objects.select_related("project", "project__organiser", "county"), request.user, pk)


def _session(request: HttpRequest, pk: int) -> TrainingSession:
    session = (TrainingSession.objects.select_related("training_class", "training_class__project", "teacher__person")
               .filter(pk=pk, training_class__in=TrainingClass.objects.visible_to(request.user)).first())
    if session is None:
        raise Http404
    return session


# ---------------------------------------------------------------- projects


@require_roles(*READERS)
def project_list(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    action = request.GET.get("action", "")
    listing = PROJECTS.page(request)
    return TemplateResponse(request, "training/project_list.html", {
        "page_obj": listing.page_obj, "listing": listing, "statuses": ProjectStatus.choices, "status": status, "action": action,
        "q": request.GET.get("q", "")[:50], "can_create": request.user.role == Role.INSTITUTION,
    })


@require_roles(*INSTITUTION)
def project_create(request: AuthedRequest) -> HttpResponse:
    form = ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        groups = data.pop("required_groups")
        try:
            project = actions.create_project(by=request.user, data=data, required_groups=groups)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Project %(code)s saved as a draft.") % {"code": project.code})
            return redirect("training:project_detail", pk=project.pk)
    return TemplateResponse(request, "training/project_form.html", {"form": form, "project": None})


@require_roles(*INSTITUTION)
def project_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    if not actions.is_organiser_staff(request.user, project):
        raise PermissionDenied
    form = ProjectForm(request.POST or None, user=request.user, initial=ProjectForm.initial_for(project))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        groups = data.pop("required_groups")
        try:
            actions.update_project(project, by=request.user, data=data, required_groups=groups)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Project saved."))
            return redirect("training:project_detail", pk=project.pk)
    return TemplateResponse(request, "training/project_form.html", {"form": form, "project": project})


@require_roles(*READERS)
def project_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    chain = queries.project_chain(project)
    user = request.user
    organiser = actions.is_organiser_staff(user, project)
    return TemplateResponse(request, "training/project_detail.html", {
        "project": project, "chain": chain,
        "enrolled": sum(c.enrolled for c in chain), "completed": sum(c.completed for c in chain),
        "history": _history(project, ProjectStatus.choices), "required_groups": list(project.required_groups.all()),
        "is_organiser": organiser, "can_review": project.status == ProjectStatus.SUBMITTED and actions.can_review(user, project),
        "self_made": user.pk in project.authors, "is_officer": actions.is_officer_in_scope(user, project),
        "reason_form": OptionalReasonForm(),
    })


@require_POST
@require_roles(Role.INSTITUTION, Role.HRSS_OFFICER)
def project_move(request: AuthedRequest, pk: int, verb: str) -> HttpResponse:
    project = _project(request, pk)
    if verb not in actions.PROJECT_MOVES:
        raise Http404
    form = OptionalReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        actions.move_project(project, verb, by=request.user, reason=reason)
    except (ValidationError, IllegalTransition) as exc:
        for message in (exc.messages if isinstance(exc, ValidationError) else [str(exc)]):
            messages.error(request, message)
    else:
        messages.success(request, _("Project %(code)s: %(status)s.") % {
            "code": project.code, "status": TrainingProject.objects.get(pk=project.pk).get_status_display()})
    return redirect("training:project_detail", pk=project.pk)


@require_roles(Role.HRSS_OFFICER)
def approvals(request: AuthedRequest) -> HttpResponse:
    return TemplateResponse(request, "training/approvals.html", {"page_obj": _page(request, queries.approval_queue(request.user))})


# ---------------------------------------------------------------- classes


@require_roles(*INSTITUTION)
def class_create(request: AuthedRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    if not actions.is_organiser_staff(request.user, project):
        raise PermissionDenied
    form = ClassForm(request.POST or None, organisation_id=request.user.organisation_id,
                     initial={"county": project.county_id, "capacity": 40})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        teachers = data.pop("teachers")
        try:
            klass = actions.create_class(project, by=request.user, data=data, teachers=teachers)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Class %(code)s opened.") % {"code": klass.code})
            return redirect("training:class_detail", pk=klass.pk)
    return TemplateResponse(request, "training/class_form.html", {"form": form, "project": project})


@require_roles(*READERS)
def class_list(request: AuthedRequest) -> HttpResponse:
    listing = CLASSES.page(request)
    return TemplateResponse(request, "training/class_list.html", {
        "page_obj": listing.page_obj, "listing": listing, "q": request.GET.get("q", "")[:50]})


def _class_page(request: AuthedRequest, klass: TrainingClass, **forms: Any) -> HttpResponse:
    organisation_id = request.user.organisation_id
    organiser = actions.is_organiser_staff(request.user, klass.project)
    record = queries.class_record(klass)
    context = {
        "klass": klass, "project": klass.project, **record,
        "is_organiser": organiser, "is_officer": actions.is_officer_in_scope(request.user, klass.project),
        "open": not klass.is_locked and klass.project.accepts_classes,
        "can_close": (not klass.is_locked and timezone.localdate() >= klass.end_date
                      and (organiser or actions.is_officer_in_scope(request.user, klass.project))),
        "session_form": forms.get("session_form") or SessionForm(organisation_id=organisation_id,
                                                                 initial={"day": klass.start_date, "hours": 4}),
        "enroll_form": forms.get("enroll_form") or PersonIdForm(),
        "roster_form": forms.get("roster_form") or RosterForm(),
        "roster_result": forms.get("roster_result"),
        "counts": {
            "enrolled": sum(1 for e in record["enrollments"] if e.status in queries.COUNTING_STATUSES),
            "ineligible": sum(1 for e in record["enrollments"] if not e.eligible),
            "completed": sum(1 for e in record["enrollments"] if e.status == EnrollmentStatus.COMPLETED),
        },
    }
    return TemplateResponse(request, "training/class_detail.html", context, status=400 if forms.get("invalid") else 200)


@require_roles(*READERS)
def class_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _class_page(request, _class(request, pk))


@require_POST
@require_roles(*INSTITUTION)
def session_add(request: AuthedRequest, pk: int) -> HttpResponse:
    klass = _class(request, pk)
    form = SessionForm(request.POST, organisation_id=request.user.organisation_id)
    if form.is_valid():
        starts_at, ends_at = form.moments()
        try:
            actions.add_session(klass, by=request.user, starts_at=starts_at, ends_at=ends_at,
                                hours=form.cleaned_data["hours"], teacher=form.cleaned_data["teacher"],
                                topic=form.cleaned_data["topic"])
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                exc = ValidationError({"day" if k == "starts_at" else ("end" if k == "ends_at" else k): v
                                       for k, v in exc.message_dict.items()})
            apply_errors(form, exc)
        else:
            messages.success(request, _("Session added."))
            return redirect("training:class_detail", pk=klass.pk)
    return _class_page(request, klass, session_form=form, invalid=True)


@require_POST
@require_roles(*INSTITUTION)
def enroll(request: AuthedRequest, pk: int) -> HttpResponse:
    klass = _class(request, pk)
    if not actions.is_organiser_staff(request.user, klass.project):
        raise PermissionDenied
    form = PersonIdForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                person = actions.find_or_register_trainee(
                    by=request.user, name=form.cleaned_data["name"], id_number=form.cleaned_data["id_number"],
                    phone=form.cleaned_data["phone"], fallback_county=klass.county_id)
                enrollment = actions.enroll(klass, person, by=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if enrollment.eligible:
                messages.success(request, _("%(name)s enrolled with a subsidised place.") % {"name": person.name})
            else:
                messages.warning(request, _("%(name)s enrolled without subsidy: %(reasons)s") % {
                    "name": person.name, "reasons": "；".join(r["message"] for r in enrollment.eligibility if not r["ok"])})
            return redirect("training:class_detail", pk=klass.pk)
    return _class_page(request, klass, enroll_form=form, invalid=True)


@require_POST
@require_roles(*INSTITUTION)
def roster_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    """Small rosters are enrolled at once (the shared pipeline's checks, this class fixed)."""
    klass = _class(request, pk)
    if not actions.is_organiser_staff(request.user, klass.project):
        raise PermissionDenied
    form = RosterForm(request.POST, request.FILES)
    if not form.is_valid():
        return _class_page(request, klass, roster_form=form, invalid=True)
    upload = form.cleaned_data["file"]
    suffix = os.path.splitext(upload.name)[1].lower()[:8]
    with tempfile.NamedTemporaryFile(suffix=suffix, delete=False) as tmp:
        for chunk in upload.chunks():
            tmp.write(chunk)
    try:
        info = inspect_upload(tmp.name, upload.name)
        preflight(RosterImporter, tmp.name, info)
        result = run_import(RosterImporter(user=request.user, klass=klass), tmp.name, info, dry_run=False, by=request.user)
    except FileRejected as exc:
        form.add_error("file", exc.message)
        return _class_page(request, klass, roster_form=form, invalid=True)
    finally:
        os.unlink(tmp.name)  # SECURITY.md D4: no upload left behind
    return _class_page(request, klass, roster_result=result.summary())


@require_POST
@require_roles(Role.INSTITUTION, Role.HRSS_OFFICER)
def class_close(request: AuthedRequest, pk: int) -> HttpResponse:
    klass = _class(request, pk)
    try:
        summary = actions.close_class(klass, by=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Class closed: %(completed)d completed, %(not_completed)d not completed.") % summary)
    return redirect("training:class_detail", pk=klass.pk)


# ---------------------------------------------------------------- sessions and attendance


def check_in_token(session: TrainingSession) -> str:
    """Signed, expiring token for the session's QR code: valid until its end plus the late margin."""
    expires = int((session.ends_at + conf.checkin_late()).timestamp())
    return signing.dumps({"s": session.pk, "e": expires}, salt=CHECK_IN_SALT, compress=False)


def _token_session(token: str) -> TrainingSession:
    try:
        payload = signing.loads(token, salt=CHECK_IN_SALT)
    except signing.BadSignature:
        raise Http404 from None
    if not isinstance(payload, dict) or time.time() > payload.get("e", 0):
        raise Http404
    session_pk = payload.get("s")
    if session_pk is None:
        raise Http404
    session = (TrainingSession.objects.select_related("training_class", "training_class__project", "teacher__person")
               .filter(pk=session_pk).first())
    if session is None:
        raise Http404
    return session


@require_roles(*READERS)
def session_detail(request: AuthedRequest, pk: int, form: RollCallForm | None = None) -> HttpResponse:
    session = _session(request, pk)
    organiser = actions.is_organiser_staff(request.user, session.training_class.project)
    url = ""
    if organiser:
        url = request.build_absolute_uri(reverse("training:check_in", args=[check_in_token(session)]))
    return TemplateResponse(request, "training/session_detail.html", {
        "session": session, "klass": session.training_class, "rows": queries.session_attendance(session),
        "is_organiser": organiser, "check_in_url": url,
        "form": form or RollCallForm(session=session, initial={"check_in": timezone.localtime(session.starts_at).time(),
                                                                "check_out": timezone.localtime(session.ends_at).time()}),
    }, status=400 if form is not None else 200)


@require_POST
@require_roles(*INSTITUTION)
def roll_call(request: AuthedRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    form = RollCallForm(request.POST, session=session)
    if form.is_valid():
        check_in_at = form.moment(form.cleaned_data["check_in"])
        assert check_in_at is not None, "check_in is a required field"
        try:
            actions.record_attendance(
                form.cleaned_data["enrollment"], session, by=request.user,
                check_in_at=check_in_at,
                check_out_at=form.moment(form.cleaned_data["check_out"]), method=CheckInMethod.TEACHER,
                device_id="roll-call")
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Attendance recorded."))
            return redirect("training:session_detail", pk=session.pk)
    return session_detail.__wrapped__(request, pk, form=form)  # type: ignore[attr-defined]


@require_roles(Role.TRAINEE)
def check_in(request: AuthedRequest, token: str) -> HttpResponse:
    """Phone-width page reached from a session's QR code: check in, later check out."""
    session = _token_session(token)
    enrollment = Enrollment.objects.visible_to(request.user).filter(training_class=session.training_class_id).first()
    if enrollment is None:
        raise Http404
    record = Attendance.objects.filter(enrollment=enrollment, session=session).first()
    if request.method == "POST":
        now = timezone.now()
        try:
            if record is None:
                record = actions.record_attendance(
                    enrollment, session, by=request.user, check_in_at=now, method=CheckInMethod.QR,
                    device_id="web-qr", latitude=_coordinate(request.POST.get("lat"), 90),
                    longitude=_coordinate(request.POST.get("lon"), 180))
                messages.success(request, _("Checked in at %(time)s.") % {"time": timezone.localtime(now).strftime("%H:%M")})
            elif record.check_out_at is None:
                actions.check_out(record, by=request.user, at=now)
                messages.success(request, _("Checked out at %(time)s.") % {"time": timezone.localtime(now).strftime("%H:%M")})
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect("training:check_in", token=token)
    return TemplateResponse(request, "training/check_in.html", {
        "session": session, "klass": session.training_class, "record": record, "enrollment": enrollment,
    })


def _coordinate(raw: str | None, limit: int) -> Any:
    from decimal import Decimal, InvalidOperation

    try:
        value = Decimal(raw or "").quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        return None
    return value if -limit <= value <= limit else None


# ---------------------------------------------------------------- enrollments


@require_roles(*READERS, Role.TRAINEE)
def enrollment_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    enrollment = get_for_user(Enrollment.objects.select_related(
        "person", "training_class", "training_class__project", "override_by"), request.user, pk)
    project = enrollment.training_class.project
    return TemplateResponse(request, "training/enrollment_detail.html", {
        "enrollment": enrollment, "klass": enrollment.training_class, "project": project,
        "can_override": (project.is_subsidised and not enrollment.subsidised and not enrollment.training_class.is_locked
                         and enrollment.status == EnrollmentStatus.ENROLLED
                         and actions.is_officer_in_scope(request.user, project)),
        "can_withdraw": (enrollment.status == EnrollmentStatus.ENROLLED and not enrollment.training_class.is_locked
                         and (actions.is_organiser_staff(request.user, project)
                              or actions.is_officer_in_scope(request.user, project))),
        "form": ReasonForm(), "history": _history(enrollment, EnrollmentStatus.choices),
    })


@require_POST
@require_roles(Role.HRSS_OFFICER)
def enrollment_override(request: AuthedRequest, pk: int) -> HttpResponse:
    enrollment = get_for_user(Enrollment.objects.select_related("training_class__project"), request.user, pk)
    form = ReasonForm(request.POST)
    try:
        actions.override_eligibility(enrollment, by=request.user,
                                     reason=form.cleaned_data["reason"] if form.is_valid() else "")
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Subsidised place granted; the reason is on record."))
    return redirect("training:enrollment_detail", pk=enrollment.pk)


@require_POST
@require_roles(Role.INSTITUTION, Role.HRSS_OFFICER)
def enrollment_withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    enrollment = get_for_user(Enrollment.objects.select_related("training_class__project"), request.user, pk)
    form = ReasonForm(request.POST)
    try:
        actions.withdraw(enrollment, by=request.user, reason=form.cleaned_data["reason"] if form.is_valid() else "")
    except (ValidationError, IllegalTransition) as exc:
        for message in (exc.messages if isinstance(exc, ValidationError) else [str(exc)]):
            messages.error(request, message)
    else:
        messages.success(request, _("Withdrawn."))
    return redirect("training:enrollment_detail", pk=enrollment.pk)


# ---------------------------------------------------------------- teachers, today, my classes


@require_roles(*INSTITUTION)
def teacher_list(request: AuthedRequest) -> HttpResponse:
    organisation_id = request.user.organisation_id
    assert organisation_id is not None, "an institution account has an organisation (user_org_role_has_organisation)"
    form = TeacherForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = Organisation.objects.get(pk=organisation_id)
        try:
            with transaction.atomic():
                person = actions.find_or_register_trainee(
                    by=request.user, name=form.cleaned_data["name"], id_number=form.cleaned_data["id_number"],
                    phone=form.cleaned_data["phone"], fallback_county=organisation.county_id)
                actions.add_teacher(by=request.user, person=person, qualification=form.cleaned_data["qualification"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Teacher registered."))
            return redirect("training:teacher_list")
    teachers = Teacher.objects.filter(organisation_id=organisation_id).select_related("person").order_by("id")
    return TemplateResponse(request, "training/teacher_list.html", {"teachers": teachers, "form": form},
                            status=400 if form.errors else 200)


@require_roles(Role.HRSS_OFFICER, Role.SECTOR_OFFICER, Role.AUDITOR, Role.INSTITUTION)
def today(request: AuthedRequest) -> HttpResponse:
    """Today's sessions in scope with live check-in counts; the table refreshes itself (htmx)."""
    day = timezone.localdate()
    raw = request.GET.get("day", "")
    if raw:
        with contextlib.suppress(ValueError):
            day = dt.date.fromisoformat(raw)
    context = {"rows": queries.todays_sessions(request.user, day), "day": day, "now": timezone.localtime()}
    template = "training/_today_rows.html" if getattr(request, "htmx", False) else "training/today.html"
    return TemplateResponse(request, template, context)


@require_roles(Role.TRAINEE)
def my_classes(request: AuthedRequest) -> HttpResponse:
    return TemplateResponse(request, "training/my_classes.html", {"enrollments": queries.my_enrollments(request.user),
                                                                  "now": timezone.now()})
