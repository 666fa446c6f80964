"""Registry pages: persons and organisations. HTTP only: parse, call a query or an action,
render. Objects are fetched through ``get_for_user`` so missing and forbidden both answer 404."""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jixing.accounts.models import Role
from jixing.core import audit
from jixing.core.access import get_for_user
from jixing.core.masking import mask_id_number
from jixing.core.models import AuditOutcome
from jixing.core.pages import attempt, run_action
from jixing.core.permissions import AuthedRequest, require_roles
from jixing.core.workflow import history

from . import access, actions, queries
from .forms import (
    OrganisationForm,
    OrganisationSearchForm,
    PersonForm,
    PersonSearchForm,
    ReasonForm,
    RestrictionFilterForm,
    RestrictionForm,
)
from .lists import PERSONS
from .models import Organisation, OrganisationStatus, Person, PersonRestriction
from .queries import (
    ORGANISATION_READERS,
    ORGANISATION_WRITERS,
    PERSON_READERS,
    PERSON_WRITERS,
    RESTRICTION_READERS,
    RESTRICTION_WRITERS,
)

PAGE_SIZE = 25
PERSON_FIELDS = ("name", "phone", "household_region", "current_region", "education", "employment_status")


M = TypeVar("M", bound=Model)


def _page(request: HttpRequest, qs: QuerySet[M]) -> Page[M]:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _deny(request: HttpRequest, what: str) -> None:
    audit.record("authorization.denied", actor=request.user, object_type="url", object_id=request.path[:64],
                 outcome=AuditOutcome.DENIED, detail={"needs": what})
    raise PermissionDenied


# ---------------------------------------------------------------- persons

@require_roles(*PERSON_READERS)
def person_list(request: AuthedRequest) -> HttpResponse:
    """The search form posts, so a full ID number never lands in a URL, the browser history
    or an access log (SECURITY.md C4). An exact hit opens the record; a name search becomes
    a plain GET that can be paged and bookmarked."""
    id_not_found = ""
    if request.method == "POST":
        form = PersonSearchForm(request.POST, user=request.user)
        if form.is_valid():
            q = form.cleaned_data["q"].strip()
            if queries.looks_like_id_number(q):
                found = list(queries.search_persons(request.user, q=q)[:2])
                if len(found) == 1:
                    return redirect("registry:person_detail", pk=found[0].pk)
                id_not_found = mask_id_number(q.upper())
            else:
                params = {k: v for k, v in request.POST.items() if k in form.fields and v}
                return redirect(f"{reverse('registry:person_list')}?{urlencode(params)}")
    form = PersonSearchForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    listing = PERSONS.page(request)
    if id_not_found:
        listing.page_obj = _page(request, queries.search_persons(request.user).none())
    today = timezone.localdate()
    rows = []
    for person in listing.page_obj:
        person.age = person.age_on(today)  # type: ignore[attr-defined]  # an extra attribute for the template
        rows.append((person, queries.membership_labels(person, request.user)))
    q = filters.get("q", "")
    return TemplateResponse(request, "registry/person_list.html", {
        "form": form, "page_obj": listing.page_obj, "listing": listing, "rows": rows, "id_not_found": id_not_found,
        "q_display": "" if queries.looks_like_id_number(q) else q,
        "can_create": request.user.role in PERSON_WRITERS,
    })


def _person_context(request: AuthedRequest, person: Person, **extra: object) -> dict[str, object]:
    today = timezone.localdate()
    context: dict[str, object] = {
        "person": person,
        "age": person.age_on(today),
        "memberships": queries.membership_rows(person, request.user, revealed="unmasked" in extra),
        "can_edit": access.can_write_person(request.user, person) and not person.is_archived,
        "can_unmask": request.user.can_unmask,
        "unmask_form": ReasonForm(prefix="unmask"),
        "archive_form": ReasonForm(prefix="archive"),
        "can_list": request.user.role in PERSON_READERS,
        "can_see_restrictions": request.user.role in RESTRICTION_READERS,
        "restriction": person.restriction_on(today) if request.user.role in RESTRICTION_READERS else None,
    }
    context.update(extra)
    return context


@require_roles(*PERSON_READERS, Role.TRAINEE)
def person_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    person = get_for_user(Person.objects.select_related("household_region", "current_region"), request.user, pk)
    return TemplateResponse(request, "registry/person_detail.html", _person_context(request, person))


@never_cache
@require_POST
@require_roles(*PERSON_READERS)
def person_unmask(request: AuthedRequest, pk: int) -> HttpResponse:
    person = get_for_user(Person.objects.select_related("household_region", "current_region"), request.user, pk)
    if not request.user.can_unmask:
        _deny(request, "can_unmask")
    form = ReasonForm(request.POST, prefix="unmask")
    if not form.is_valid():
        return TemplateResponse(request, "registry/person_detail.html",
                                _person_context(request, person, unmask_form=form), status=400)
    unmasked = actions.unmask_person(person, by=request.user, reason=form.cleaned_data["reason"])
    return TemplateResponse(request, "registry/person_detail.html", _person_context(request, person, unmasked=unmasked))


def _person_data(form: PersonForm) -> dict[str, Any]:
    return {field: form.cleaned_data[field] for field in PERSON_FIELDS}


@require_roles(*PERSON_WRITERS)
def person_create(request: AuthedRequest) -> HttpResponse:
    form = PersonForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        done = run_action(request, lambda: actions.create_person(by=request.user, id_number=form.cleaned_data["id_number"],
                                                                 **_person_data(form)),
                          form=form, success=_("The person was registered."),
                          then=lambda person: redirect("registry:person_detail", pk=person.pk))
        if done:
            return done
    return TemplateResponse(request, "registry/person_form.html", {"form": form, "person": None})


@require_roles(*PERSON_WRITERS)
def person_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    person = get_for_user(queries.persons_writable_by(request.user).active(), request.user, pk)
    initial = {field: getattr(person, field) for field in PERSON_FIELDS}
    form = PersonForm(request.POST or None, user=request.user, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = run_action(request, lambda: actions.update_person(person, by=request.user, **_person_data(form)),
                          form=form, success=_("The changes were saved."), then=redirect("registry:person_detail", pk=person.pk))
        if done:
            return done
    return TemplateResponse(request, "registry/person_form.html", {"form": form, "person": person})


@require_POST
@require_roles(*PERSON_WRITERS)
def person_archive(request: AuthedRequest, pk: int) -> HttpResponse:
    person = get_for_user(queries.persons_writable_by(request.user).active(), request.user, pk)
    form = ReasonForm(request.POST, prefix="archive")
    if not form.is_valid():
        return TemplateResponse(request, "registry/person_detail.html",
                                _person_context(request, person, archive_form=form, show_archive=True), status=400)
    actions.archive_person(person, by=request.user, reason=form.cleaned_data["reason"])
    messages.success(request, _("The person was archived."))
    return redirect("registry:person_detail", pk=person.pk)


# ---------------------------------------------------------------- restrictions

def _restriction_page(request: AuthedRequest, form: RestrictionForm | None = None, status: int = 200,
                      lift_errors: dict[int, list[str]] | None = None) -> HttpResponse:
    filters = RestrictionFilterForm(request.GET or None)
    state, kind, person = "", "", None
    if filters.is_valid():
        state, kind = filters.cleaned_data["state"], filters.cleaned_data["kind"]
    if request.GET.get("person", "").isdigit():
        person = get_for_user(Person.objects.all(), request.user, int(request.GET["person"]))
    in_force = {"": True, "ended": False}.get(state)
    qs = queries.restrictions(request.user, person=person, in_force=in_force, kind=kind)
    can_write = request.user.role in RESTRICTION_WRITERS
    page = _page(request, qs)
    today = timezone.localdate()
    return TemplateResponse(request, "registry/restriction_list.html", {
        "filters": filters, "page_obj": page, "person": person, "today": today,
        "rows": [(r, r.in_force_on(today), (lift_errors or {}).get(r.pk, [])) for r in page],
        "can_write": can_write, "form": form if form is not None else (RestrictionForm() if can_write else None),
        "lift_form": ReasonForm(prefix="lift"),
    }, status=status)


@require_roles(*RESTRICTION_READERS)
def restriction_list(request: AuthedRequest) -> HttpResponse:
    """Persons barred from subsidies in the user's scope (masked); HRSS officers add one here."""
    if request.method != "POST":
        return _restriction_page(request)
    if request.user.role not in RESTRICTION_WRITERS:
        _deny(request, "restriction writer")
    form = RestrictionForm(request.POST)
    if form.is_valid():
        found = queries.persons_writable_by(request.user).with_id_number(form.cleaned_data["id_number"]).first()
        if found is None:
            form.add_error("id_number", _("No person with this ID number is registered in your region."))
        else:
            done = run_action(request, lambda: actions.restrict_person(
                found, by=request.user, kind=form.cleaned_data["kind"], reason=form.cleaned_data["reason"],
                starts_on=form.cleaned_data["starts_on"], ends_on=form.cleaned_data["ends_on"],
                reference=form.cleaned_data["reference"]),
                form=form, then=redirect("registry:restriction_list"),
                success=_("%(name)s (%(id)s) may not claim subsidies while the restriction is in force.")
                % {"name": found.name, "id": found.masked_id_number})
            if done:
                return done
    return _restriction_page(request, form=form, status=400)


@require_POST
@require_roles(*RESTRICTION_WRITERS)
def restriction_lift(request: AuthedRequest, pk: int) -> HttpResponse:
    restriction = get_for_user(PersonRestriction.objects.select_related("person"), request.user, pk)
    form = ReasonForm(request.POST, prefix="lift")
    if form.is_valid():
        if not attempt(request, lambda: actions.lift_restriction(restriction, by=request.user,
                                                                 reason=form.cleaned_data["reason"])):
            return _restriction_page(request, status=400)
        messages.success(request, _("The restriction on %(name)s was lifted.") % {"name": restriction.person.name})
        return redirect("registry:restriction_list")
    return _restriction_page(request, status=400, lift_errors={restriction.pk: [str(e) for e in form.errors.get("reason") or []]})


# ---------------------------------------------------------------- organisations

@require_roles(*ORGANISATION_READERS)
def organisation_list(request: AuthedRequest) -> HttpResponse:
    form = OrganisationSearchForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    organisations = queries.search_organisations(
        request.user, q=filters.get("q", ""), kind=filters.get("kind", ""),
        city=filters.get("city", ""), status=filters.get("status", ""),
    )
    return TemplateResponse(request, "registry/organisation_list.html", {
        "form": form, "page_obj": _page(request, organisations),
        "can_create": request.user.role in ORGANISATION_WRITERS, "today": timezone.localdate(),
    })


@require_roles(*ORGANISATION_READERS)
def organisation_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    org = get_for_user(Organisation.objects.select_related("county", "county__parent"), request.user, pk)
    return TemplateResponse(request, "registry/organisation_detail.html", {
        "org": org,
        "status_history": _labelled_history(org),
        "blocked": org.is_blocked_on(timezone.localdate()),
        "can_edit": access.can_write_organisation(request.user, org) and not org.is_archived,
    })


def _labelled_history(org: Organisation) -> list[dict[str, object]]:
    labels = dict(OrganisationStatus.choices)
    return [
        {"at": c.at, "by": c.by, "reason": c.reason,
         "from_label": labels.get(c.from_status, c.from_status), "to_label": labels.get(c.to_status, c.to_status)}
        for c in history(org)
    ]


def _organisation_data(form: OrganisationForm) -> dict[str, Any]:
    return {field: form.cleaned_data[field] for field in OrganisationForm.DATA_FIELDS}


@require_roles(*ORGANISATION_WRITERS)
def organisation_create(request: AuthedRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        done = run_action(request, lambda: actions.create_organisation(by=request.user, uscc=form.cleaned_data["uscc"],
                                                                       **_organisation_data(form)),
                          form=form, success=_("The organisation was registered."),
                          then=lambda org: redirect("registry:organisation_detail", pk=org.pk))
        if done:
            return done
    return TemplateResponse(request, "registry/organisation_form.html", {"form": form, "org": None})


@require_roles(*ORGANISATION_WRITERS)
def organisation_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    org = get_for_user(queries.organisations_writable_by(request.user).active(), request.user, pk)
    initial = {field: getattr(org, field) for field in OrganisationForm.DATA_FIELDS}
    form = OrganisationForm(request.POST or None, user=request.user, editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = run_action(request, lambda: actions.update_organisation(org, by=request.user, **_organisation_data(form)),
                          form=form, success=_("The changes were saved."), then=redirect("registry:organisation_detail", pk=org.pk))
        if done:
            return done
    return TemplateResponse(request, "registry/organisation_form.html", {"form": form, "org": org})
