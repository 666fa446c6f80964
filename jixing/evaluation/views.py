"""Evaluation pages. HTTP only: parse, call one action or query, render. Objects are fetched
through ``get_for_user`` so missing and forbidden both answer 404."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jixing.accounts.models import Role, User
from jixing.core.access import get_for_user
from jixing.core.actor import Actor
from jixing.core.pages import run_action
from jixing.core.permissions import AuthedRequest, public, require_roles
from jixing.core.refusals import as_refusal
from jixing.core.request_context import client_ip
from jixing.core.workflow import history
from jixing.imports.actions import upload_dir
from jixing.imports.pipeline import FileRejected
from jixing.registry.models import Organisation, Person
from jixing.training.models import Enrollment, EnrollmentStatus

from . import actions, queries, verification
from .forms import (
    AppointmentForm,
    CandidateForm,
    ClassCandidatesForm,
    CorrectionForm,
    EnterpriseRosterForm,
    FilingDecisionForm,
    FilingForm,
    ReasonForm,
    RecognitionForm,
    ResultForm,
    ReviewForm,
    SessionForm,
    VerifyForm,
)
from .importers import import_results_file
from .lists import CERTIFICATES
from .models import (
    Certificate,
    CertificateStatus,
    DirectRecognition,
    EvaluationFiling,
    EvaluationMode,
    EvaluationResult,
    EvaluationSession,
    FilingStatus,
    LevelAppointment,
    RecognitionStatus,
    SessionStatus,
)
from .roles import ORG, READERS

PAGE_SIZE = 25


def _page(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _is_org(user: Actor) -> bool:
    return user.role in ORG


def _organisation(user: User) -> Organisation:
    """The organisation of an ORG account."""
    organisation = user.organisation
    assert organisation is not None, "an ORG account has an organisation (user_org_role_has_organisation)"
    return organisation


def _is_officer(user: Actor) -> bool:
    return user.role == Role.HRSS_OFFICER


def _history(obj: Any) -> list[dict[str, Any]]:
    """Status changes with the status labels of the object's own choices."""
    labels = dict(type(obj)._meta.get_field("status").choices)
    return [{"at": h.at, "by": h.by, "reason": h.reason, "from_status": labels.get(h.from_status, h.from_status),
             "to_status": labels.get(h.to_status, h.to_status)} for h in history(obj)]


# ------------------------------------------------------------------ public verification


@public
@never_cache
def verify(request: HttpRequest) -> HttpResponse:
    """Anyone checks a certificate by number AND name (POST, so a name never lands in a URL)."""
    form = VerifyForm(request.POST or None)
    outcome = None
    status = 200
    if request.method == "POST":
        if verification.throttled(client_ip(request.META)):
            messages.error(request, verification.too_many_message())
            status = 429
        elif form.is_valid():
            outcome = verification.verify(form.cleaned_data["number"], form.cleaned_data["name"])
    return TemplateResponse(request, "evaluation/verify.html", {"form": form, "outcome": outcome}, status=status)


# ------------------------------------------------------------------ filings


@require_roles(*READERS)
def filing_list(request: AuthedRequest) -> HttpResponse:
    qs = EvaluationFiling.objects.visible_to(request.user).select_related("organisation").prefetch_related("scopes__occupation", "scopes__level")
    status = request.GET.get("status", "")
    if status in FilingStatus.values:
        qs = qs.filter(status=status)
    return TemplateResponse(request, "evaluation/filing_list.html", {
        "page_obj": _page(request, qs), "statuses": FilingStatus.choices, "status": status,
        "can_create": _is_org(request.user),
    })


@require_roles(*ORG)
def filing_create(request: AuthedRequest) -> HttpResponse:
    form = FilingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = run_action(request, lambda: actions.submit_filing(
            organisation=_organisation(request.user), kind=d["kind"], valid_from=d["valid_from"], valid_to=d["valid_to"],
            scopes=[(o, lv) for o in d["occupations"] for lv in d["levels"]], examiners=d["examiner_ids"],
            by=request.user), form=form, success=_("Filing submitted for approval."),
            then=lambda filing: redirect("evaluation:filing_detail", pk=filing.pk))
        if done:
            return done
    return TemplateResponse(request, "evaluation/filing_form.html", {"form": form})


@require_roles(*READERS)
def filing_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    filing = get_for_user(EvaluationFiling.objects.select_related("organisation", "submitted_by", "decided_by"), request.user, pk)
    return TemplateResponse(request, "evaluation/filing_detail.html", {
        "filing": filing,
        "scopes": filing.scopes.select_related("occupation", "level").order_by("occupation__name", "level_id"),
        "examiners": filing.examiners.all(),
        "sessions": filing.sessions.select_related("occupation", "level")[:50],
        "history": _history(filing),
        "can_decide": _is_officer(request.user) and request.user.pk != filing.submitted_by_id,
        "decision_form": FilingDecisionForm(),
    })


@never_cache
@require_POST
@require_roles(Role.HRSS_OFFICER)
def filing_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    filing = get_for_user(EvaluationFiling.objects.select_related("organisation"), request.user, pk)
    form = FilingDecisionForm(request.POST)
    back = redirect("evaluation:filing_detail", pk=filing.pk)
    if not form.is_valid():
        return back
    decision, reason = form.cleaned_data["decision"], form.cleaned_data["reason"]

    def decide() -> None:
        if decision == "approve":
            actions.approve_filing(filing, by=request.user)
        else:
            do = {"reject": actions.reject_filing, "suspend": actions.suspend_filing,
                  "reinstate": actions.reinstate_filing, "revoke": actions.revoke_filing}[decision]
            do(filing, by=request.user, reason=reason)

    return run_action(request, decide, success=_("Decision recorded."), then=back)


# ------------------------------------------------------------------ sessions


@require_roles(*READERS)
def session_list(request: AuthedRequest) -> HttpResponse:
    qs = EvaluationSession.objects.visible_to(request.user).select_related("filing__organisation", "occupation", "level")
    status = request.GET.get("status", "")
    if status in SessionStatus.values:
        qs = qs.filter(status=status)
    return TemplateResponse(request, "evaluation/session_list.html", {
        "page_obj": _page(request, qs), "statuses": SessionStatus.choices, "status": status,
        "can_create": _is_org(request.user),
    })


@require_roles(*ORG)
def session_create(request: AuthedRequest) -> HttpResponse:
    filings = EvaluationFiling.objects.visible_to(request.user).filter(status=FilingStatus.APPROVED)
    form = SessionForm(request.POST or None, filings=filings)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = run_action(request, lambda: actions.create_session(
            filing=d["filing"], occupation=d["occupation"], level=d["level"], mode=d["mode"], date=d["date"], site=d["site"],
            examiners=d["examiners"], by=request.user), form=form, success=_("Evaluation session created."),
            then=lambda session: redirect("evaluation:session_detail", pk=session.pk))
        if done:
            return done
    return TemplateResponse(request, "evaluation/session_form.html", {"form": form})


def _session(request: HttpRequest, pk: int) -> EvaluationSession:
    return get_for_user(
        EvaluationSession.objects.select_related("filing__organisation", "occupation", "level", "submitted_by", "reviewed_by"),
        request.user, pk,
    )


@require_roles(*READERS)
def session_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    is_org = _is_org(request.user)
    examiners = session.examiners.all()
    rows = queries.session_rows(session)
    return TemplateResponse(request, "evaluation/session_detail.html", {
        "session": session, "rows": rows, "examiners": examiners,
        "marks": queries.pass_marks_for(session.occupation_id, session.level_id),
        "can_edit": is_org and session.is_editable,
        "can_submit": is_org and session.is_editable and any(r.result for r in rows),
        "can_correct": is_org and session.status == SessionStatus.LOCKED,
        "can_review": _is_officer(request.user) and session.status == SessionStatus.SUBMITTED
                      and request.user.pk != session.submitted_by_id,
        "is_officer": _is_officer(request.user),
        "candidate_form": CandidateForm(), "class_form": ClassCandidatesForm(), "reason_form": ReasonForm(),
        "history": _history(session),
    })


@never_cache
@require_POST
@require_roles(*ORG)
def session_add_candidate(request: AuthedRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    form = CandidateForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, str(e))  # ErrorList yields messages as str
        return redirect("evaluation:session_detail", pk=pk)
    person = Person.objects.active().with_id_number(form.cleaned_data["id_number"]).first()
    if person is None:
        messages.error(request, _("No registered person has this ID number."))
        return redirect("evaluation:session_detail", pk=pk)
    enrollment = queries.completed_enrollment_for(person.pk, session.occupation_id)
    years = form.cleaned_data["years_of_work"]

    def add() -> object:
        if enrollment is not None:
            return actions.add_enrollment_candidate(session, enrollment, years_of_work=years, by=request.user)
        return actions.add_applicant(session, person, years_of_work=years, by=request.user)

    return run_action(request, add, success=_("Candidate added."), then=redirect("evaluation:session_detail", pk=pk))


@never_cache
@require_POST
@require_roles(*ORG)
def session_add_class(request: AuthedRequest, pk: int) -> HttpResponse:
    """Add every trainee who completed a class of this occupation; report who was refused."""
    session = _session(request, pk)
    form = ClassCandidatesForm(request.POST)
    if form.is_valid():
        enrollments = list(
            Enrollment.objects.filter(training_class__code=form.cleaned_data["class_code"].strip(),
                                      status=EnrollmentStatus.COMPLETED)
            .select_related("person", "training_class__project").order_by("id")
        )
        if not enrollments:
            messages.error(request, _("No completed trainee found for this class code."))
        added = 0
        for e in enrollments:
            if session.candidates.filter(person_id=e.person_id).exists():
                continue
            try:
                actions.add_enrollment_candidate(session, e, years_of_work=form.cleaned_data["years_of_work"], by=request.user)
                added += 1
            except ValidationError as exc:  # one refused trainee does not stop the class: a warning each
                messages.warning(request, f"{e.person.name}: {'；'.join(as_refusal(exc).messages)}")
        if added:
            messages.success(request, _("%(n)d candidates added.") % {"n": added})
    return redirect("evaluation:session_detail", pk=pk)


@never_cache
@require_POST
@require_roles(*ORG)
def result_record(request: AuthedRequest, pk: int, candidate_pk: int) -> HttpResponse:
    session = _session(request, pk)
    candidate = get_for_user(session.candidates.select_related("enrollment__training_class"), request.user, candidate_pk)
    form = ResultForm(request.POST, examiners=session.examiners.all())
    if form.is_valid():
        d = form.cleaned_data
        run_action(request, lambda: actions.record_result(
            candidate, theory=d["theory"], practical=d["practical"], comprehensive=d["comprehensive"],
            examiner=d["examiner"], by=request.user), success=_("Scores saved for %(name)s.") % {"name": candidate.person.name})
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for e in errors:
                messages.error(request, f"{candidate.person.name} {label}: {e}")
    return redirect("evaluation:session_detail", pk=pk)


@never_cache
@require_POST
@require_roles(*ORG)
def session_import(request: AuthedRequest, pk: int) -> HttpResponse:
    """Upload a score sheet (姓名, 公民身份号码, 理论成绩, 技能成绩, 综合成绩, 考评员) for this session;
    valid rows are entered as drafts, rejected rows are listed with their reasons. The file is
    removed right after (SECURITY.md D4)."""
    session = _session(request, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file to import."))
        return redirect("evaluation:session_detail", pk=pk)
    assert upload.size is not None and upload.name is not None, "a file in request.FILES has a size and a name"
    if upload.size > settings.JIXING_IMPORT_MAX_BYTES:
        messages.error(request, _("The file is too large."))
        return redirect("evaluation:session_detail", pk=pk)
    name = os.path.basename(upload.name)[:200]
    target = upload_dir() / f"{uuid.uuid4().hex}{Path(name).suffix.lower()[:8]}"
    try:
        with open(target, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        result = import_results_file(session, target, by=request.user, original_name=name)
    except FileRejected as exc:
        messages.error(request, exc.message)
        return redirect("evaluation:session_detail", pk=pk)
    finally:
        target.unlink(missing_ok=True)
    messages.success(request, _("Imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged, "
                                "%(rejected)d rows rejected.") % {
        "created": result.counts.created, "updated": result.counts.updated,
        "unchanged": result.counts.unchanged, "rejected": result.rejected_rows})
    for err in result.errors[:20]:
        messages.warning(request, _("row %(row)d, %(field)s: %(reason)s")
                         % {"row": err.row, "field": err.field or "—", "reason": err.reason})
    return redirect("evaluation:session_detail", pk=pk)


@never_cache
@require_POST
@require_roles(*ORG)
def session_submit(request: AuthedRequest, pk: int) -> HttpResponse:
    session = _session(request, pk)
    return run_action(request, lambda: actions.submit_results(session, by=request.user),
                      success=_("Results submitted for review."), then=redirect("evaluation:session_detail", pk=pk))


@never_cache
@require_POST
@require_roles(Role.HRSS_OFFICER)
def session_review(request: AuthedRequest, pk: int, step: str) -> HttpResponse:
    """An officer locks the submitted results (issuing certificates) or returns them."""
    session = _session(request, pk)
    back = redirect("evaluation:session_detail", pk=pk)
    if step == "lock":
        return run_action(request, lambda: actions.lock_results(session, by=request.user), then=back,
                          success=lambda certs: _("Results locked; %(n)d certificates issued.") % {"n": len(certs)})
    return run_action(request, lambda: actions.return_results(session, by=request.user, reason=request.POST.get("reason", "")),
                      success=_("Results returned for correction."), then=back)


# ------------------------------------------------------------------ corrections


@require_roles(*ORG, Role.HRSS_OFFICER, Role.AUDITOR)
def result_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    result = get_for_user(
        EvaluationResult.objects.select_related("candidate__person", "candidate__session__occupation",
                                                "candidate__session__level", "examiner", "entered_by", "reviewed_by"),
        request.user, pk,
    )
    session = result.candidate.session
    versions = result.candidate.results.select_related("examiner", "entered_by", "reviewed_by").order_by("version")
    is_current = queries.current_locked_results(EvaluationResult.objects.filter(pk=result.pk)).exists()
    form = CorrectionForm(request.POST or None, examiners=session.examiners.all(), initial={
        "theory": result.theory_score, "practical": result.practical_score,
        "comprehensive": result.comprehensive_score, "examiner": result.examiner_id,
    })
    if request.method == "POST" and _is_org(request.user) and form.is_valid():
        d = form.cleaned_data
        done = run_action(request, lambda: actions.correct_result(
            result, theory=d["theory"], practical=d["practical"], comprehensive=d["comprehensive"], examiner=d["examiner"],
            reason=d["reason"], by=request.user), form=form, success=_("Correction submitted for review."),
            then=lambda new: redirect("evaluation:result_detail", pk=new.pk))
        if done:
            return done
    return TemplateResponse(request, "evaluation/result_detail.html", {
        "result": result, "session": session, "versions": versions, "form": form,
        "can_correct": _is_org(request.user) and is_current,
        "can_review": _is_officer(request.user) and result.status == "submitted" and result.supersedes_id is not None
                      and request.user.pk != result.entered_by_id,
        "review_form": ReviewForm(),
    })


@never_cache
@require_POST
@require_roles(Role.HRSS_OFFICER)
def result_review(request: AuthedRequest, pk: int) -> HttpResponse:
    result = get_for_user(EvaluationResult.objects.select_related("candidate__session__filing__organisation"), request.user, pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        run_action(request, lambda: actions.review_correction(result, by=request.user,
                                                              approve=form.cleaned_data["decision"] == "approve",
                                                              reason=form.cleaned_data["reason"]),
                   success=_("Decision recorded."))
    return redirect("evaluation:result_detail", pk=pk)


# ------------------------------------------------------------------ direct recognition


@require_roles(*READERS)
def recognition_list(request: AuthedRequest) -> HttpResponse:
    qs = DirectRecognition.objects.visible_to(request.user).select_related("organisation", "person", "occupation", "level")
    status = request.GET.get("status", "")
    if status in RecognitionStatus.values:
        qs = qs.filter(status=status)
    return TemplateResponse(request, "evaluation/recognition_list.html", {
        "page_obj": _page(request, qs), "statuses": RecognitionStatus.choices, "status": status,
        "can_create": _is_org(request.user) and _organisation(request.user).kind == "enterprise",
    })


@require_roles(*ORG)
def recognition_create(request: AuthedRequest) -> HttpResponse:
    form = RecognitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        person = Person.objects.active().with_id_number(d["id_number"]).first()
        if person is None:
            form.add_error("id_number", _("No registered person has this ID number."))
        else:
            done = run_action(request, lambda: actions.propose_recognition(
                organisation=_organisation(request.user), person=person, occupation=d["occupation"], level=d["level"],
                achievements=d["achievements"], evidence=d["evidence"], by=request.user),
                form=form, success=_("Proposal submitted to the HRSS department."),
                then=lambda rec: redirect("evaluation:recognition_detail", pk=rec.pk))
            if done:
                return done
    return TemplateResponse(request, "evaluation/recognition_form.html", {"form": form})


@require_roles(*READERS)
def recognition_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    rec = get_for_user(DirectRecognition.objects.select_related("organisation", "person", "occupation", "level",
                                                                 "proposed_by", "decided_by"), request.user, pk)
    return TemplateResponse(request, "evaluation/recognition_detail.html", {
        "rec": rec, "certificate": Certificate.objects.filter(recognition=rec).first(),
        "can_decide": _is_officer(request.user) and rec.status == RecognitionStatus.PROPOSED
                      and request.user.pk != rec.proposed_by_id,
        "form": ReviewForm(), "history": _history(rec),
    })


@never_cache
@require_POST
@require_roles(Role.HRSS_OFFICER)
def recognition_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    rec = get_for_user(DirectRecognition.objects.select_related("organisation", "level", "person"), request.user, pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        if d["decision"] == "approve":
            run_action(request, lambda: actions.approve_recognition(rec, by=request.user, reason=d["reason"]),
                       success=lambda cert: _("Approved; certificate %(number)s issued.") % {"number": cert.number})
        else:
            run_action(request, lambda: actions.reject_recognition(rec, by=request.user, reason=d["reason"]),
                       success=_("Proposal rejected."))
    return redirect("evaluation:recognition_detail", pk=pk)


# ------------------------------------------------------------------ certificates


@require_roles(*READERS, Role.TRAINEE)
def certificate_list(request: AuthedRequest) -> HttpResponse:
    number = request.GET.get("number", "").strip().upper()
    if request.user.role == Role.TRAINEE:
        qs = Certificate.objects.visible_to(request.user).select_related("person", "occupation", "level", "issuer")
        return TemplateResponse(request, "evaluation/my_certificates.html", {"page_obj": _page(request, qs), "number": number})
    listing = CERTIFICATES.page(request)
    return TemplateResponse(request, "evaluation/certificate_list.html", {
        "page_obj": listing.page_obj, "listing": listing, "number": number,
        "statuses": CertificateStatus.choices, "modes": EvaluationMode.choices})


@require_roles(*READERS, Role.TRAINEE)
def certificate_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    cert = get_for_user(Certificate.objects.select_related("person", "occupation", "level", "issuer", "filing",
                                                           "result__candidate__session", "recognition"), request.user, pk)
    return TemplateResponse(request, "evaluation/certificate_detail.html", {
        "cert": cert, "history": _history(cert), "reason_form": ReasonForm(),
        "can_revoke": _is_officer(request.user) and cert.is_valid,
    })


@never_cache
@require_POST
@require_roles(Role.HRSS_OFFICER)
def certificate_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    cert = get_for_user(Certificate.objects.all(), request.user, pk)
    return run_action(request, lambda: actions.revoke_certificate(cert, by=request.user, reason=request.POST.get("reason", "")),
                      success=_("Certificate revoked."), then=redirect("evaluation:certificate_detail", pk=pk))


# ------------------------------------------------------------------ officer queue


@require_roles(Role.HRSS_OFFICER, Role.AUDITOR)
def review_queue(request: AuthedRequest) -> HttpResponse:
    user = request.user
    return TemplateResponse(request, "evaluation/review_queue.html", {
        "counts": queries.review_counts(user),
        "filings": EvaluationFiling.objects.visible_to(user).filter(status=FilingStatus.SUBMITTED).select_related("organisation")[:50],
        "sessions": EvaluationSession.objects.visible_to(user).filter(status=SessionStatus.SUBMITTED)
        .select_related("filing__organisation", "occupation", "level")[:50],
        "corrections": queries.pending_corrections(user)[:50],
        "recognitions": DirectRecognition.objects.visible_to(user).filter(status=RecognitionStatus.PROPOSED)
        .select_related("organisation", "person", "occupation", "level")[:50],
    })


# ------------------------------------------------------------------ ladder appointments and enterprise rosters


def _roster_persons(text: str) -> tuple[list[Person], list[str]]:
    """Lines "ID number, name" → registered persons, or the errors naming each bad line."""
    from jixing.registry.validators import parse_resident_id

    persons, errors = [], []
    for number, line in enumerate((text or "").splitlines(), start=1):
        parts = line.replace("，", ",").replace(",", " ").split()
        if not parts:
            continue
        try:
            id_number = parse_resident_id(parts[0]).number
        except ValidationError as exc:
            errors.append(_("Line %(n)s: %(reason)s") % {"n": number, "reason": "；".join(exc.messages)})
            continue
        person = Person.objects.active().with_id_number(id_number).first()
        if person is None or (len(parts) > 1 and person.name != "".join(parts[1:])):
            errors.append(_("Line %(n)s: no registered person has this ID number and name.") % {"n": number})
            continue
        persons.append(person)
    return persons, errors


@require_roles(*READERS)
def appointment_list(request: AuthedRequest) -> HttpResponse:
    """Ladder appointments (学徒工, 特级技师, 首席技师); the enterprise records them and uploads its roster."""
    is_enterprise = request.user.role == Role.INSTITUTION and _organisation(request.user).kind == "enterprise"
    form = AppointmentForm(request.POST or None) if is_enterprise else None
    roster_form = EnterpriseRosterForm() if is_enterprise else None
    if form is not None and request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        person = Person.objects.active().with_id_number(d["id_number"]).first()
        if person is None:
            form.add_error("id_number", _("No registered person has this ID number."))
        else:
            done = run_action(request, lambda: actions.appoint_level(
                organisation=_organisation(request.user), person=person, occupation=d["occupation"], level=d["level"],
                appointed_on=d["appointed_on"], basis=d["basis"], by=request.user),
                form=form, success=_("The level is recorded."), then=redirect("evaluation:appointment_list"))
            if done:
                return done
    qs = LevelAppointment.objects.visible_to(request.user).select_related("organisation", "person", "occupation", "level")
    return TemplateResponse(request, "evaluation/appointment_list.html", {
        "page_obj": _page(request, qs), "form": form, "roster_form": roster_form,
    }, status=400 if form is not None and form.errors else 200)


@require_POST
@require_roles(Role.INSTITUTION)
def roster_upload(request: AuthedRequest) -> HttpResponse:
    form = EnterpriseRosterForm(request.POST)
    if form.is_valid():
        persons, errors = _roster_persons(form.cleaned_data["employees"])
        for error in errors:
            messages.error(request, error)
        if persons and not errors:
            run_action(request, lambda: actions.record_enterprise_roster(
                organisation=_organisation(request.user), persons=persons, by=request.user),
                success=lambda added: _("%(n)s employee(s) added to the roster.") % {"n": added})
    else:
        messages.error(request, _("Give at least one employee."))
    return redirect("evaluation:appointment_list")
