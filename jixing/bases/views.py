"""Pages of the public training bases (seed 一(九)): the list, a base's calendar, facility
editing by the base's staff, booking requests by other institutions and the base's decisions,
and the utilisation panel of the progress dashboard."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixing.core.access import get_for_user
from jixing.core.pages import show_refusal
from jixing.core.permissions import AuthedRequest, require_roles
from jixing.core.roles import Role
from jixing.core.workflow import IllegalTransition, history

from . import access, actions, queries
from .forms import BookingRequestForm, DecisionForm, FacilityForm
from .models import READER_ROLES, Booking, BookingStatus, Facility

READERS = tuple(READER_ROLES)
DASHBOARD_ROLES = (Role.HRSS_OFFICER, Role.SECTOR_OFFICER, Role.FINANCE_OFFICER, Role.AUDITOR)


def _month(request: AuthedRequest) -> dt.date:
    raw = request.GET.get("month")
    if not raw:
        return timezone.localdate().replace(day=1)
    try:
        month = dt.datetime.strptime(raw, "%Y-%m").date()
    except ValueError:
        raise Http404 from None
    if not 2020 <= month.year <= 2035:
        raise Http404
    return month


@require_roles(*READERS)
def base_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    own_base = user.organisation if access.is_base_staff(user) else None
    return TemplateResponse(request, "bases/base_list.html", {
        "bases": queries.bases(user), "own_base": own_base,
        "pending": Booking.objects.visible_to(user).filter(base=own_base, status=BookingStatus.REQUESTED).count()
        if own_base else 0,
    })


@require_roles(*READERS)
def base_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    base = queries.get_base(request.user, pk)
    month = _month(request)
    return TemplateResponse(request, "bases/base_detail.html", {
        "base": base, "is_staff": access.is_base_staff(request.user, base),
        "can_book": request.user.role == Role.INSTITUTION and request.user.organisation_id != base.pk,
        "sharing": queries.sharing_summary(base),
        **queries.base_calendar(request.user, base, month),
    })


def _facility_for_staff(request: AuthedRequest, pk: int) -> Facility:
    facility = get_for_user(Facility.objects.select_related("base"), request.user, pk)
    if not access.is_base_staff(request.user, facility.base):
        raise Http404
    return facility


@require_roles(Role.INSTITUTION)
def facility_create(request: AuthedRequest) -> HttpResponse:
    if not access.is_base_staff(request.user):
        raise Http404
    base = request.user.organisation
    assert base is not None
    form = FacilityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.create_facility(by=request.user, base=base,
                                    data={k: form.cleaned_data[k] for k in FacilityForm.DATA_FIELDS},
                                    occupations=form.cleaned_data["occupations"])
        except ValidationError as exc:
            show_refusal(request, exc, form=form)
        else:
            messages.success(request, _("Facility saved."))
            return redirect("bases:base_detail", pk=base.pk)
    return TemplateResponse(request, "bases/facility_form.html", {"form": form, "base": base, "facility": None})


@require_roles(Role.INSTITUTION)
def facility_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    facility = _facility_for_staff(request, pk)
    initial = {k: getattr(facility, k) for k in FacilityForm.DATA_FIELDS}
    initial["occupations"] = list(facility.occupations.all())
    form = FacilityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("archive"):
                actions.archive_facility(facility, by=request.user, reason=request.POST.get("reason", ""))
            else:
                actions.update_facility(facility, by=request.user,
                                        data={k: form.cleaned_data[k] for k in FacilityForm.DATA_FIELDS},
                                        occupations=form.cleaned_data["occupations"])
        except ValidationError as exc:
            show_refusal(request, exc, form=form)
        else:
            messages.success(request, _("Facility saved."))
            return redirect("bases:base_detail", pk=facility.base_id)
    return TemplateResponse(request, "bases/facility_form.html", {"form": form, "base": facility.base, "facility": facility})


@require_roles(Role.INSTITUTION)
def booking_request(request: AuthedRequest, pk: int) -> HttpResponse:
    facility = get_for_user(Facility.objects.active().select_related("base"), request.user, pk)
    form = BookingRequestForm(request.POST or None, occupations=facility.occupations.order_by("code")
                              if facility.occupations.exists() else None)
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.moments()
        try:
            booking = actions.request_booking(by=request.user, facility=facility, starts_at=starts_at, ends_at=ends_at,
                                              stations=form.cleaned_data["stations"], purpose=form.cleaned_data["purpose"],
                                              occupation=form.cleaned_data["occupation"])
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            show_refusal(request, exc, form=form)
        else:
            messages.success(request, _("Booking %(code)s requested; the base will accept or decline it.") % {"code": booking.code})
            return redirect("bases:booking_detail", pk=booking.pk)
    return TemplateResponse(request, "bases/booking_form.html", {"form": form, "facility": facility})


@require_roles(*READERS)
def booking_list(request: AuthedRequest) -> HttpResponse:
    qs = Booking.objects.visible_to(request.user).select_related("base", "facility", "requester")
    status = request.GET.get("status") or ""
    if status in BookingStatus.values:
        qs = qs.filter(status=status)
    return TemplateResponse(request, "bases/booking_list.html", {
        "bookings": qs.order_by("-starts_at")[:300], "status": status, "statuses": BookingStatus.choices,
    })


@require_roles(*READERS)
def booking_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    booking = get_for_user(Booking.objects.select_related("base", "facility", "requester", "occupation", "decided_by"),
                           request.user, pk)
    return _booking_page(request, booking)


def _booking_page(request: AuthedRequest, booking: Booking, form: DecisionForm | None = None) -> HttpResponse:
    user = request.user
    labels = dict(BookingStatus.choices)
    return TemplateResponse(request, "bases/booking_detail.html", {
        "booking": booking, "form": form or DecisionForm(), "requested_label": BookingStatus.REQUESTED.label,
        "history": [{"at": c.at, "by": c.by, "reason": c.reason, "from_label": labels.get(c.from_status, c.from_status),
                     "to_label": labels.get(c.to_status, c.to_status)} for c in history(booking)],
        "can_decide": access.is_base_staff(user, booking.base) and booking.status == BookingStatus.REQUESTED,
        "can_withdraw": user.role == Role.INSTITUTION and user.organisation_id == booking.requester_id
        and booking.status in (BookingStatus.REQUESTED, BookingStatus.ACCEPTED),
        "classes": booking.classes.all(),  # TrainingClass.base_booking (training, above)
    })


VERBS = {"accept": actions.accept_booking, "decline": actions.decline_booking}


@require_POST
@require_roles(Role.INSTITUTION)
def booking_move(request: AuthedRequest, pk: int, verb: str) -> HttpResponse:
    booking = get_for_user(Booking.objects.select_related("base", "facility", "requester"), request.user, pk)
    form = DecisionForm(request.POST)
    if verb not in (*VERBS, "withdraw") or not form.is_valid():
        raise Http404
    note = form.cleaned_data["note"]
    try:
        if verb == "withdraw":
            actions.withdraw_booking(booking, by=request.user, reason=note)
        elif verb == "decline":
            actions.decline_booking(booking, by=request.user, note=note)
        else:
            actions.accept_booking(booking, by=request.user, note=note)
    except PermissionDenied:
        raise Http404 from None  # the requester may see its booking but never decide it
    except (ValidationError, IllegalTransition) as exc:
        if isinstance(exc, ValidationError):
            show_refusal(request, exc, form=form)
        else:
            form.add_error(None, str(exc))
        return _booking_page(request, booking, form)
    messages.success(request, {"accept": _("Booking accepted."), "decline": _("Booking declined."),
                               "withdraw": _("Booking withdrawn.")}[verb])
    return redirect("bases:booking_detail", pk=booking.pk)


@require_roles(*DASHBOARD_ROLES)
def utilisation_panel(request: AuthedRequest) -> HttpResponse:
    """The dashboard's card: utilisation by base and month (lazy-loaded with htmx)."""
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        raise Http404 from None
    if not 2020 <= year <= 2035:
        raise Http404
    base_ids = list(queries.bases_in_scope(request.user).values_list("pk", flat=True))
    return TemplateResponse(request, "bases/_utilisation.html", {
        "year": year, "rows": queries.utilisation(base_ids, year=year), "months": range(1, 13),
    })

