"""Recovery order pages (追回): list, overdue, detail, instalments, write-off."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jixing.accounts.models import Role
from jixing.core.access import get_for_user
from jixing.core.pages import run_action
from jixing.core.permissions import AuthedRequest, require_roles

from .. import actions, queries
from ..forms import InstalmentForm, ReasonForm, RecoveryForm
from ..models import Claim, RecoveryOrder, RecoveryStatus
from ..queries import RECOVERY_MAKERS, RECOVERY_READERS
from .claims import _history_rows
from .common import _page


@never_cache
@require_roles(*RECOVERY_READERS)
def recovery_list(request: AuthedRequest) -> HttpResponse:
    form = None
    if request.user.role in RECOVERY_MAKERS:
        form = RecoveryForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            claim = None
            if d["claim"]:
                claim = Claim.objects.visible_to(request.user).filter(number=d["claim"].strip()).first()
                if claim is None:
                    form.add_error("claim", _("No such claim in your region."))
            payer = d["organisation"] if d["payer_kind"] == "organisation" else (claim.person if claim else None)
            if payer is None and not form.errors:
                form.add_error("organisation", _("Choose the organisation, or give the claim of the person."))
            if payer is not None and not form.errors:  # payer None has added an error above
                done = run_action(request, lambda: actions.create_recovery_order(
                    by=request.user, payer=payer, amount=d["amount"], reason=d["reason"], deadline=d["deadline"], claim=claim,
                    case_ref=d["case_ref"]), form=form, show_forbidden=True,
                    success=lambda order: _("Recovery order %(number)s issued.") % {"number": order.number},
                    then=lambda order: redirect("funds:recovery_detail", pk=order.pk))
                if done:
                    return done
    elif request.method == "POST":
        raise PermissionDenied
    status = request.GET.get("status", "")
    return TemplateResponse(request, "funds/recovery_list.html", {
        "page_obj": _page(request, queries.recoveries_for(request.user, status=status)), "form": form, "status": status,
        "overdue_count": queries.overdue_recoveries(request.user).count(),
    })


@require_roles(*RECOVERY_READERS)
def recovery_overdue(request: AuthedRequest) -> HttpResponse:
    return TemplateResponse(request, "funds/recovery_overdue.html", {
        "recoveries": queries.overdue_recoveries(request.user), "today": timezone.localdate(),
    })


@require_roles(*RECOVERY_READERS)
def recovery_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    order = get_for_user(RecoveryOrder.objects.select_related("payer_organisation", "payer_person", "claim", "county"),
                         request.user, pk)
    can_receive = request.user.role == Role.FINANCE_OFFICER
    return TemplateResponse(request, "funds/recovery_detail.html", {
        "order": order, "parts": order.parts.select_related("claim", "budget", "budget__region"),
        "instalments": order.instalments.select_related("recorded_by"), "history": _history_rows(order, RecoveryStatus),
        "can_receive": can_receive and order.outstanding > 0 and order.status not in ("received", "written_off"),
        "instalment_form": InstalmentForm(initial={"received_on": timezone.localdate(), "amount": order.outstanding}),
        "reason_form": ReasonForm(),
    })


@require_POST
@require_roles(Role.FINANCE_OFFICER)
def recovery_instalment(request: AuthedRequest, pk: int) -> HttpResponse:
    order = get_for_user(RecoveryOrder.objects.all(), request.user, pk)
    form = InstalmentForm(request.POST)
    back = redirect("funds:recovery_detail", pk=order.pk)
    if not form.is_valid():
        messages.error(request, _("Check the amount and the date."))
        return back
    return run_action(request, lambda: actions.record_recovery_instalment(order, by=request.user, **form.cleaned_data),
                      success=_("Received money recorded and returned to the budget."), then=back, show_forbidden=True)


@require_POST
@require_roles(Role.FINANCE_OFFICER)
def recovery_write_off(request: AuthedRequest, pk: int) -> HttpResponse:
    order = get_for_user(RecoveryOrder.objects.all(), request.user, pk)
    form = ReasonForm(request.POST)
    back = redirect("funds:recovery_detail", pk=order.pk)
    if not form.is_valid():
        messages.error(request, _("Give a reason."))
        return back
    return run_action(request, lambda: actions.write_off_recovery(order, by=request.user, reason=form.cleaned_data["reason"]),
                      success=_("Outstanding amount written off."), then=back, show_forbidden=True)
