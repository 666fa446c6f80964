"""Pages of school programmes (seed 一(八)): a school's or institution's programmes
(预备技师（技师）班, "短平快"), its 职业训练院 designation, and the panel on the organisation page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixing.core.access import get_for_user
from jixing.core.pages import show_refusal
from jixing.core.permissions import AuthedRequest, require_roles
from jixing.core.roles import Role
from jixing.registry.models import Organisation, OrganisationKind

from . import queries, school_actions
from .forms import DesignationForm, ProgrammeForm
from .schools import SchoolProgramme, TrainingCollegeDesignation

READERS = (Role.HRSS_OFFICER, Role.SECTOR_OFFICER, Role.FINANCE_OFFICER, Role.AUDITOR, Role.INSTITUTION)
PROVIDER_KINDS = {OrganisationKind.TECHNICAL_SCHOOL, OrganisationKind.VOCATIONAL_COLLEGE,
                  OrganisationKind.PRIVATE_INSTITUTION, OrganisationKind.ENTERPRISE}


def _provider(request: AuthedRequest, pk: int) -> Organisation:
    org = get_for_user(Organisation.objects.select_related("county", "county__parent"), request.user, pk)
    if org.kind not in PROVIDER_KINDS:
        raise Http404
    return org


def _school_context(request: AuthedRequest, org: Organisation) -> dict[str, object]:
    user = request.user
    return {
        "org": org,
        "programmes": queries.programmes(user, org),
        "totals": queries.programme_totals(org),
        "designation": TrainingCollegeDesignation.objects.filter(school=org).first(),
        "is_own": user.role == Role.INSTITUTION and user.organisation_id == org.pk,
        "can_designate": user.role == Role.HRSS_OFFICER and org.kind == OrganisationKind.TECHNICAL_SCHOOL,
    }


@require_roles(*READERS)
def school_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    org = _provider(request, pk)
    return TemplateResponse(request, "bases/school_detail.html", {
        **_school_context(request, org), "designation_form": DesignationForm(),
    })


@require_roles(*READERS)
def organisation_panel(request: AuthedRequest, pk: int) -> HttpResponse:
    """The organisation page's section (htmx): a base's facilities and sharing, a school's programmes."""
    org = get_for_user(Organisation.objects.all(), request.user, pk)
    context: dict[str, object] = {"org": org}
    if org.kind == OrganisationKind.PUBLIC_TRAINING_BASE:
        context.update(facilities=org.facilities.active().order_by("name"), sharing=queries.sharing_summary(org))
    elif org.kind in PROVIDER_KINDS:
        context.update(_school_context(request, org))
    else:
        return HttpResponse("")
    return TemplateResponse(request, "bases/_organisation_panel.html", context)


@require_roles(Role.INSTITUTION)
def programme_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    org = request.user.organisation
    if org is None or org.kind not in PROVIDER_KINDS:
        raise Http404
    programme = get_for_user(SchoolProgramme.objects.active().filter(provider=org), request.user, pk) if pk else None
    initial = {k: getattr(programme, k) for k in school_actions.PROGRAMME_FIELDS} if programme else {}
    form = ProgrammeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            school_actions.save_programme(by=request.user, provider=org, data=form.cleaned_data, programme=programme)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            show_refusal(request, exc, form=form)
        else:
            messages.success(request, _("Programme saved."))
            return redirect("bases:school_detail", pk=org.pk)
    return TemplateResponse(request, "bases/programme_form.html", {"form": form, "org": org, "programme": programme})


@require_POST
@require_roles(Role.HRSS_OFFICER)
def designate(request: AuthedRequest, pk: int) -> HttpResponse:
    org = _provider(request, pk)
    form = DesignationForm(request.POST)
    if form.is_valid():
        try:
            school_actions.designate_training_college(by=request.user, school=org, **form.cleaned_data)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            show_refusal(request, exc, form=form)
        else:
            messages.success(request, _("Training college recorded."))
            return redirect("bases:school_detail", pk=org.pk)
    return TemplateResponse(request, "bases/school_detail.html", {**_school_context(request, org), "designation_form": form})


