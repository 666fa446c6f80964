"""Pages of the 数字技术工程师 ladder: sessions (site staff create, add candidates, enter scores;
an HRSS officer locks and so issues the certificates), certificates, and the count toward the
digital line. HTTP only; objects through ``get_for_user`` (404 for missing and forbidden)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixing.accounts.models import Role
from jixing.core.access import get_for_user
from jixing.core.pages import show_refusal
from jixing.core.permissions import AuthedRequest, require_roles
from jixing.registry.models import Person

from . import engineer_actions, engineer_queries
from .engineer_forms import EngineerCandidateForm, EngineerScoreForm, EngineerSessionForm
from .engineer_models import EngineerCandidate, EngineerCertificate, EngineerSession

SITE = (Role.EVALUATOR, Role.INSTITUTION)
READERS = (Role.HRSS_OFFICER, Role.AUDITOR, *SITE)


@require_roles(*READERS)
def engineer_home(request: AuthedRequest) -> HttpResponse:
    organisation = request.user.organisation if request.user.role in SITE else None
    form = EngineerSessionForm(request.POST or None) if organisation is not None else None
    if form is not None and organisation is not None and request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            session = engineer_actions.create_engineer_session(
                by=request.user, organisation=organisation, field=d["field"], level=d["level"],
                date=d["date"], site=d["site"])
        except ValidationError as exc:
            show_refusal(request, exc, form=form)
        else:
            messages.success(request, _("The engineer session is created."))
            return redirect("evaluation:engineer_session", pk=session.pk)
    year = timezone.localdate().year
    sessions = (EngineerSession.objects.visible_to(request.user)
                .select_related("organisation", "field"))
    return TemplateResponse(request, "evaluation/engineer_home.html", {
        "page_obj": Paginator(sessions, 25).get_page(request.GET.get("page")),
        "form": form, "progress": engineer_queries.engineer_progress(request.user, year=year),
    }, status=400 if form is not None and form.errors else 200)


@require_roles(*READERS, Role.TRAINEE)
def engineer_certificates(request: AuthedRequest) -> HttpResponse:
    certs = (EngineerCertificate.objects.visible_to(request.user)
             .select_related("person", "field", "session__organisation"))
    return TemplateResponse(request, "evaluation/engineer_certificates.html", {
        "page_obj": Paginator(certs, 25).get_page(request.GET.get("page")),
    })


@require_roles(*READERS)
def engineer_session(request: AuthedRequest, pk: int) -> HttpResponse:
    session = get_for_user(EngineerSession.objects.select_related("organisation", "field"), request.user, pk)
    is_site = request.user.role in SITE and request.user.organisation_id == session.organisation_id
    form = EngineerCandidateForm(request.POST or None) if is_site and session.status == "planned" else None
    if form is not None and request.method == "POST" and form.is_valid():
        person = Person.objects.active().with_id_number(form.cleaned_data["id_number"]).first()
        if person is None:
            form.add_error("id_number", _("No registered person has this ID number."))
        else:
            try:
                engineer_actions.add_engineer_candidate(session, by=request.user, person=person)
            except ValidationError as exc:
                show_refusal(request, exc, form=form)
            else:
                messages.success(request, _("The candidate is added."))
                return redirect("evaluation:engineer_session", pk=session.pk)
    candidates = session.candidates.select_related("person").order_by("id")
    return TemplateResponse(request, "evaluation/engineer_session.html", {
        "session": session, "candidates": candidates, "form": form, "is_site": is_site,
        "score_form": EngineerScoreForm(),
        "can_lock": request.user.role == Role.HRSS_OFFICER and session.status == "planned",
    }, status=400 if form is not None and form.errors else 200)


@require_POST
@require_roles(*SITE)
def engineer_score(request: AuthedRequest, pk: int, candidate_pk: int) -> HttpResponse:
    session = get_for_user(EngineerSession.objects.all(), request.user, pk)
    candidate = get_for_user_candidate(session, candidate_pk)
    form = EngineerScoreForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("%(name)s: %(errors)s") % {
            "name": candidate.person.name, "errors": " ".join(str(e) for errs in form.errors.values() for e in errs)})
        return redirect("evaluation:engineer_session", pk=session.pk)
    try:
        engineer_actions.record_engineer_score(candidate, by=request.user, score=form.cleaned_data["score"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The score is recorded."))
    return redirect("evaluation:engineer_session", pk=session.pk)


def get_for_user_candidate(session: EngineerSession, candidate_pk: int) -> EngineerCandidate:
    try:
        return session.candidates.select_related("person", "session").get(pk=candidate_pk)
    except EngineerCandidate.DoesNotExist:
        raise Http404 from None


@require_POST
@require_roles(Role.HRSS_OFFICER)
def engineer_lock(request: AuthedRequest, pk: int) -> HttpResponse:
    session = get_for_user(EngineerSession.objects.all(), request.user, pk)
    try:
        issued = engineer_actions.lock_engineer_session(session, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [])) or _("You cannot lock this session."))
    else:
        messages.success(request, _("The session is locked; %(n)d certificates issued.") % {"n": len(issued)})
    return redirect("evaluation:engineer_session", pk=session.pk)
