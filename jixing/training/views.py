"""Training pages. HTTP only: parse, call one action or query, render. Objects come through
``get_for_user`` (missing and out-of-scope both answer 404); roles are declared on every view
(403 otherwise); the actions decide who may act on an object."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixing.accounts.models import Role
from jixing.core.access import get_for_user
from jixing.core.pages import attempt, run_action, show_refusal
from jixing.core.permissions import AuthedRequest, require_roles
from jixing.core.refusals import REFUSALS
from jixing.core.workflow import history
from jixing.imports.pipeline import FileRejected, inspect_upload, preflight, run_import

from . import access, actions, attendance_actions, conf, enrol_actions, qr, queries
from .forms import (
    ClassForm,
    FilingForm,
    OptionalReasonForm,
    PersonIdForm,
    ProjectForm,
    ReasonForm,
    RollCallForm,
    RosterForm,
    SessionForm,
    SpotCheckVisitForm,
    TeacherForm,
    TerminalForm,
)
from .importers import RosterImporter
from .lists import CLASSES, PROJECTS
from .models import (
    Attendance,
    CheckInMethod,
    Enrollment,
    EnrollmentStatus,
    FilingStatus,
    ProjectStatus,
    SpotCheck,
    Teacher,
    Terminal,
    TrainingClass,
    TrainingProject,
    TrainingSession,
)
from .roles import INSTITUTION, READERS

PAGE_SIZE = 25


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
        groups, programmes = data.pop("required_groups"), data.pop("programmes")
        done = run_action(request, lambda: actions.create_project(by=request.user, data=data, required_groups=groups,
                                                                  programmes=programmes),
                          form=form, success=lambda p: _("Project %(code)s saved as a draft.") % {"code": p.code},
                          then=lambda p: redirect("training:project_detail", pk=p.pk))
        if done:
            return done
    return TemplateResponse(request, "training/project_form.html", {"form": form, "project": None})


@require_roles(*INSTITUTION)
def project_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    if not access.is_organiser_staff(request.user, project):
        raise PermissionDenied
    form = ProjectForm(request.POST or None, user=request.user, initial=ProjectForm.initial_for(project))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        groups, programmes = data.pop("required_groups"), data.pop("programmes")
        done = run_action(request, lambda: actions.update_project(project, by=request.user, data=data, required_groups=groups,
                                                                  programmes=programmes),
                          form=form, success=_("Project saved."), then=redirect("training:project_detail", pk=project.pk))
        if done:
            return done
    return TemplateResponse(request, "training/project_form.html", {"form": form, "project": project})


@require_roles(*READERS)
def project_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    chain = queries.project_chain(project)
    user = request.user
    organiser = access.is_organiser_staff(user, project)
    return TemplateResponse(request, "training/project_detail.html", {
        "project": project, "chain": chain,
        "enrolled": sum(c.enrolled for c in chain), "completed": sum(c.completed for c in chain),
        "history": _history(project, ProjectStatus.choices), "required_groups": list(project.required_groups.all()),
        "is_organiser": organiser, "can_review": project.status == ProjectStatus.SUBMITTED and access.can_review(user, project),
        "self_made": user.pk in project.authors, "is_officer": access.is_officer_in_scope(user, project),
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
    return run_action(request, lambda: actions.move_project(project, verb, by=request.user, reason=reason),
                      success=lambda _moved: _("Project %(code)s: %(status)s.") % {
                          "code": project.code, "status": TrainingProject.objects.get(pk=project.pk).get_status_display()},
                      then=redirect("training:project_detail", pk=project.pk))


@require_roles(Role.HRSS_OFFICER)
def approvals(request: AuthedRequest) -> HttpResponse:
    return TemplateResponse(request, "training/approvals.html", {"page_obj": _page(request, queries.approval_queue(request.user))})


# ---------------------------------------------------------------- classes


@require_roles(*INSTITUTION)
def class_create(request: AuthedRequest, pk: int) -> HttpResponse:
    project = _project(request, pk)
    if not access.is_organiser_staff(request.user, project):
        raise PermissionDenied
    form = ClassForm(request.POST or None, organisation_id=request.user.organisation_id,
                     initial={"county": project.county_id, "capacity": 40})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        teachers = data.pop("teachers")
        done = run_action(request, lambda: actions.create_class(project, by=request.user, data=data, teachers=teachers),
                          form=form, success=lambda k: _("Class %(code)s opened.") % {"code": k.code},
                          then=lambda k: redirect("training:class_detail", pk=k.pk))
        if done:
            return done
    return TemplateResponse(request, "training/class_form.html", {"form": form, "project": project})


@require_roles(*READERS)
def class_list(request: AuthedRequest) -> HttpResponse:
    listing = CLASSES.page(request)
    return TemplateResponse(request, "training/class_list.html", {
        "page_obj": listing.page_obj, "listing": listing, "q": request.GET.get("q", "")[:50]})


def _class_page(request: AuthedRequest, klass: TrainingClass, **forms: Any) -> HttpResponse:
    organisation_id = request.user.organisation_id
    organiser = access.is_organiser_staff(request.user, klass.project)
    record = queries.class_record(klass)
    context = {
        "klass": klass, "project": klass.project, **record,
        "is_organiser": organiser, "is_officer": access.is_officer_in_scope(request.user, klass.project),
        "open": not klass.is_locked and klass.project.accepts_classes and klass.filing_accepted,
        "filing_form": forms.get("filing_form") or FilingForm(initial={"roster_plan": klass.roster_plan}),
        "can_decide_filing": (klass.filing_status == FilingStatus.FILED and klass.filed_by_id != request.user.pk
                              and access.is_officer_in_scope(request.user, klass.project)),
        "notice_days": queries.filing_notice_days(timezone.localdate()),
        "can_close": (not klass.is_locked and timezone.localdate() >= klass.end_date
                      and (organiser or access.is_officer_in_scope(request.user, klass.project))),
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
        done = run_action(request, lambda: actions.add_session(
            klass, by=request.user, starts_at=starts_at, ends_at=ends_at, hours=form.cleaned_data["hours"],
            teacher=form.cleaned_data["teacher"], topic=form.cleaned_data["topic"]),
            form=form, rename={"starts_at": "day", "ends_at": "end"}, success=_("Session added."),
            then=redirect("training:class_detail", pk=klass.pk))
        if done:
            return done
    return _class_page(request, klass, session_form=form, invalid=True)


@require_POST
@require_roles(*INSTITUTION)
def enroll(request: AuthedRequest, pk: int) -> HttpResponse:
    klass = _class(request, pk)
    if not access.is_organiser_staff(request.user, klass.project):
        raise PermissionDenied
    form = PersonIdForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        done = attempt(request, lambda: enrol_actions.register_and_enrol(
            klass, by=request.user, name=d["name"], id_number=d["id_number"], phone=d["phone"]), form=form)
        if done:
            enrollment = done.result
            name = enrollment.person.name
            if enrollment.eligible:
                messages.success(request, _("%(name)s enrolled with a subsidised place.") % {"name": name})
            else:
                messages.warning(request, _("%(name)s enrolled without subsidy: %(reasons)s") % {
                    "name": name, "reasons": "；".join(r["message"] for r in enrollment.eligibility if not r["ok"])})
            return redirect("training:class_detail", pk=klass.pk)
    return _class_page(request, klass, enroll_form=form, invalid=True)


@require_POST
@require_roles(*INSTITUTION)
def roster_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    """Small rosters are enrolled at once (the shared pipeline's checks, this class fixed)."""
    klass = _class(request, pk)
    if not access.is_organiser_staff(request.user, klass.project):
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
    return run_action(request, lambda: actions.close_class(klass, by=request.user),
                      success=lambda summary: _("Class closed: %(completed)d completed, %(not_completed)d not completed.")
                      % summary, then=redirect("training:class_detail", pk=klass.pk))


@require_POST
@require_roles(*INSTITUTION)
def class_file(request: AuthedRequest, pk: int) -> HttpResponse:
    """The institution files the class with the county (开班备案)."""
    klass = _class(request, pk)
    form = FilingForm(request.POST)
    if form.is_valid() and attempt(request, lambda: actions.file_class(
            klass, by=request.user, roster_plan=form.cleaned_data["roster_plan"]), form=form):
        klass.refresh_from_db()
        if klass.filing_short_notice:
            messages.warning(request, _("Class %(code)s filed at short notice (%(days)s day(s) before the start); "
                                        "the county sees the flag.") % {"code": klass.code,
                                                                        "days": klass.filing_days_ahead})
        else:
            messages.success(request, _("Class %(code)s filed with the county.") % {"code": klass.code})
        return redirect("training:class_detail", pk=klass.pk)
    return _class_page(request, klass, filing_form=form, invalid=True)


@require_roles(Role.HRSS_OFFICER)
def filing_queue(request: AuthedRequest) -> HttpResponse:
    """Class filings awaiting the county officer, oldest start first; each decided in place."""
    return TemplateResponse(request, "training/filing_queue.html", {
        "page_obj": _page(request, queries.filing_queue(request.user)), "reason_form": OptionalReasonForm()})


@require_POST
@require_roles(Role.HRSS_OFFICER)
def filing_decide(request: AuthedRequest, pk: int, decision: str) -> HttpResponse:
    klass = _class(request, pk)
    decide = {"accept": actions.accept_class_filing, "return": actions.return_class_filing}.get(decision)
    if decide is None:
        raise Http404
    form = OptionalReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    target = (redirect("training:filing_queue") if request.POST.get("next", "") == "queue"
              else redirect("training:class_detail", pk=klass.pk))

    def decided(_result: object) -> str:
        klass.refresh_from_db()
        return _("Class %(code)s: %(status)s.") % {"code": klass.code, "status": klass.get_filing_status_display()}

    return run_action(request, lambda: decide(klass, by=request.user, reason=reason), success=decided, then=target)


# ---------------------------------------------------------------- sessions and attendance


@require_roles(*READERS)
def session_detail(request: AuthedRequest, pk: int, form: RollCallForm | None = None) -> HttpResponse:
    session = _session(request, pk)
    organiser = access.is_organiser_staff(request.user, session.training_class.project)
    phase = queries.session_phase(session)
    return TemplateResponse(request, "training/session_detail.html", {
        "session": session, "klass": session.training_class, "rows": queries.session_attendance(session),
        "is_organiser": organiser, "phase": phase,
        "show_qr": (organiser and not session.training_class.is_locked
                    and timezone.now() <= session.ends_at + conf.checkin_late()),
        "qr_step_seconds": conf.qr_step_seconds(), "geofence_metres": conf.geofence_metres(),
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
        done = run_action(request, lambda: actions.record_attendance(
            form.cleaned_data["enrollment"], session, by=request.user, check_in_at=check_in_at,
            check_out_at=form.moment(form.cleaned_data["check_out"]), method=CheckInMethod.TEACHER, device_id="roll-call"),
            form=form, success=_("Attendance recorded."), then=redirect("training:session_detail", pk=session.pk))
        if done:
            return done
    return session_detail.__wrapped__(request, pk, form=form)  # type: ignore[attr-defined]


@require_roles(*INSTITUTION)
def session_qr(request: AuthedRequest, pk: int) -> HttpResponse:
    """The session's current check-in code as an SVG QR image (organiser staff only; the page
    reloads it as it rotates)."""
    session = _session(request, pk)
    if not access.is_organiser_staff(request.user, session.training_class.project):
        raise Http404
    token = qr.current_token(session.pk, timezone.now())
    url = request.build_absolute_uri(reverse("training:check_in", args=[session.pk, token]))
    response = HttpResponse(qr.svg(url), content_type="image/svg+xml")
    response["Cache-Control"] = "no-store"
    return response


@require_roles(Role.TRAINEE)
def check_in(request: AuthedRequest, pk: int, token: str) -> HttpResponse:
    """Phone-width page reached by scanning a session's rotating QR code: the browser's
    position is required; the action checks in (or out) or refuses with the reason."""
    session = (TrainingSession.objects.select_related("training_class", "training_class__project")
               .filter(pk=pk).first())
    if session is None:
        raise Http404
    if request.method == "POST":
        try:
            outcome = attendance_actions.qr_check_in(
                session, by=request.user, token=token, latitude=_coordinate(request.POST.get("lat"), 90),
                longitude=_coordinate(request.POST.get("lon"), 180))
        except ValidationError as exc:
            return TemplateResponse(request, "training/check_in.html", {
                "session": session, "klass": session.training_class, "refusal": " ".join(exc.messages),
                "token_ok": False}, status=400)
        at = timezone.localtime(outcome.record.check_out_at if outcome.action == "check_out" else outcome.record.check_in_at)
        if outcome.action == "check_out":
            messages.success(request, _("Checked out at %(time)s.") % {"time": at.strftime("%H:%M")})
        else:
            messages.success(request, _("Checked in at %(time)s.") % {"time": at.strftime("%H:%M")})
        return redirect("training:my_session", pk=session.pk)
    check = qr.check_token(session.pk, token, timezone.now())
    refusal = ""
    if check.code == "expired":
        refusal = _("The QR code has expired (it changes every %(seconds)d seconds). Scan the code on the screen again.") % {
            "seconds": conf.qr_step_seconds()}
    elif not check.ok:
        refusal = _("The QR code is not valid for this session (forged, altered or from another session). "
                    "Scan the code on the screen at the class.")
    enrollment = (Enrollment.objects.visible_to(request.user).filter(training_class_id=session.training_class_id)
                  .select_related("person").first())
    record = Attendance.objects.filter(enrollment=enrollment, session=session).first() if enrollment else None
    return TemplateResponse(request, "training/check_in.html", {
        "session": session, "klass": session.training_class, "enrollment": enrollment, "record": record,
        "refusal": refusal, "token_ok": check.ok and enrollment is not None,
    }, status=200 if check.ok else 400)


@require_roles(Role.TRAINEE)
def my_session(request: AuthedRequest, pk: int) -> HttpResponse:
    """The trainee's own check-in/out for one session (where the QR page leads after success)."""
    enrollment_ids = Enrollment.objects.visible_to(request.user).values("pk")
    session = (TrainingSession.objects.select_related("training_class")
               .filter(pk=pk, training_class__enrollments__in=enrollment_ids).first())
    if session is None:
        raise Http404
    record = Attendance.objects.filter(session=session, enrollment__in=enrollment_ids).first()
    return TemplateResponse(request, "training/check_in.html", {
        "session": session, "klass": session.training_class, "record": record, "token_ok": False, "status_only": True,
        "enrollment": Enrollment.objects.visible_to(request.user).filter(training_class=session.training_class_id)
        .select_related("person").first(),
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
                         and access.is_officer_in_scope(request.user, project)),
        "can_withdraw": (enrollment.status == EnrollmentStatus.ENROLLED and not enrollment.training_class.is_locked
                         and (access.is_organiser_staff(request.user, project)
                              or access.is_officer_in_scope(request.user, project))),
        "form": ReasonForm(), "history": _history(enrollment, EnrollmentStatus.choices),
    })


@require_POST
@require_roles(Role.HRSS_OFFICER)
def enrollment_override(request: AuthedRequest, pk: int) -> HttpResponse:
    enrollment = get_for_user(Enrollment.objects.select_related("training_class__project"), request.user, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return run_action(request, lambda: actions.override_eligibility(enrollment, by=request.user, reason=reason),
                      success=_("Subsidised place granted; the reason is on record."),
                      then=redirect("training:enrollment_detail", pk=enrollment.pk))


@require_POST
@require_roles(Role.INSTITUTION, Role.HRSS_OFFICER)
def enrollment_withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    enrollment = get_for_user(Enrollment.objects.select_related("training_class__project"), request.user, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return run_action(request, lambda: actions.withdraw(enrollment, by=request.user, reason=reason),
                      success=_("Withdrawn."), then=redirect("training:enrollment_detail", pk=enrollment.pk))


# ---------------------------------------------------------------- teachers, today, my classes


@require_roles(*INSTITUTION)
def teacher_list(request: AuthedRequest) -> HttpResponse:
    organisation_id = request.user.organisation_id
    assert organisation_id is not None, "an institution account has an organisation (user_org_role_has_organisation)"
    form = TeacherForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = run_action(request, lambda: enrol_actions.register_teacher(
            by=request.user, name=d["name"], id_number=d["id_number"], phone=d["phone"], qualification=d["qualification"]),
            form=form, success=_("Teacher registered."), then=redirect("training:teacher_list"))
        if done:
            return done
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


# ---------------------------------------------------------------- attendance terminals


@require_roles(*INSTITUTION)
def terminal_list(request: AuthedRequest) -> HttpResponse:
    """The institution's registered attendance terminals; registering one shows its key once."""
    form = TerminalForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        done = attempt(request, lambda: attendance_actions.register_terminal(
            by=request.user, device_id=form.cleaned_data["device_id"], name=form.cleaned_data["name"]), form=form)
        if done:
            terminal, key = done.result
            issued = {"terminal": terminal, "key": key}
            form = TerminalForm()
    terminals = Terminal.objects.filter(organisation_id=request.user.organisation_id or 0).order_by("revoked_at", "device_id")
    response = TemplateResponse(request, "training/terminal_list.html", {
        "terminals": terminals, "form": form, "issued": issued})
    response["Cache-Control"] = "no-store"  # the key is shown once; keep it out of caches
    return response


@require_POST
@require_roles(*INSTITUTION)
def terminal_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    terminal = Terminal.objects.filter(pk=pk, organisation_id=request.user.organisation_id or 0).first()
    if terminal is None:
        raise Http404
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for revoking the terminal."))
        return redirect("training:terminal_list")
    return run_action(request, lambda: attendance_actions.revoke_terminal(terminal, by=request.user,
                                                                          reason=form.cleaned_data["reason"]),
                      success=_("Terminal %(device)s revoked.") % {"device": terminal.device_id},
                      then=redirect("training:terminal_list"))


# ---------------------------------------------------------------- spot checks (抽查)


@require_roles(Role.HRSS_OFFICER, Role.AUDITOR)
def spot_check_list(request: AuthedRequest) -> HttpResponse:
    checks = queries.spot_checks_for(request.user)
    mine = checks.filter(assigned_to=request.user, visited_at__isnull=True)
    return TemplateResponse(request, "training/spot_check_list.html", {
        "mine": mine, "page_obj": _page(request, checks),
        "can_draw": request.user.role == Role.HRSS_OFFICER and request.user.region_id is not None
        and len(request.user.region_id) == 6 and not request.user.region_id.endswith("00"),
        "week": attendance_actions.monday_of(timezone.localdate()),
    })


@require_POST
@require_roles(Role.HRSS_OFFICER)
def spot_check_draw(request: AuthedRequest) -> HttpResponse:
    try:
        draw = attendance_actions.draw_spot_checks(by=request.user, county_id=request.user.region_id or "",
                                                   week=timezone.localdate())
    except REFUSALS as exc:  # a county officer who may not draw is told so on the list, not given a 403
        show_refusal(request, exc)
    else:
        messages.success(request, _("Drew %(n)d of %(total)d running classes for this week's spot checks.") % {
            "n": len(draw.selected), "total": len(draw.candidates)})
    return redirect("training:spot_check_list")


def _spot_check(request: AuthedRequest, pk: int) -> SpotCheck:
    return get_for_user(SpotCheck.objects.select_related(
        "training_class", "training_class__project__organiser", "draw", "assigned_to", "session", "county"),
        request.user, pk)


@require_roles(Role.HRSS_OFFICER, Role.AUDITOR)
def spot_check_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """Phone-width visit record: the session running now, who is present, photos."""
    check = _spot_check(request, pk)
    today = timezone.localdate()
    sessions = check.training_class.sessions.filter(starts_at__date__gte=today - dt.timedelta(days=1),
                                                    starts_at__date__lte=today).order_by("starts_at")
    form = SpotCheckVisitForm(request.POST or None, request.FILES or None, sessions=sessions)
    status = 200
    if request.method == "POST":
        if request.user.role != Role.HRSS_OFFICER:
            raise PermissionDenied
        if form.is_valid():
            done = run_action(request, lambda: attendance_actions.record_spot_check(
                check, by=request.user, session=form.cleaned_data["session"],
                present_count=form.cleaned_data["present_count"], note=form.cleaned_data["note"],
                photos=form.cleaned_data["photos"]),
                form=form, success=_("Visit recorded."), then=redirect("training:spot_check_detail", pk=check.pk))
            if done:
                return done
        status = 400
    return TemplateResponse(request, "training/spot_check_detail.html", {
        "check": check, "form": form, "photos": check.photos.all(),
        "can_record": request.user.role == Role.HRSS_OFFICER and not check.is_visited
        and check.assigned_to_id in (None, request.user.pk),
    }, status=status)
