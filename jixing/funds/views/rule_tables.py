"""Subsidy rule table pages: list, detail, copy."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixing.accounts.models import Role
from jixing.core.access import get_for_user
from jixing.core.pages import run_action
from jixing.core.permissions import AuthedRequest, require_roles

from .. import actions, queries
from ..forms import RuleCopyForm
from ..models import SubsidyRuleTable
from ..queries import RULE_READERS


@require_roles(*RULE_READERS)
def rule_list(request: AuthedRequest) -> HttpResponse:
    return TemplateResponse(request, "funds/rule_list.html", {"tables": queries.rule_tables_for(request.user)})


@require_roles(*RULE_READERS)
def rule_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    table = get_for_user(SubsidyRuleTable.objects.select_related("city", "created_by"), request.user, pk)
    can_copy = request.user.role == Role.HRSS_OFFICER and request.user.region_id and (
        request.user.region_id == table.city_id or request.user.region_id == "370000")
    return TemplateResponse(request, "funds/rule_detail.html", {
        "table": table, "rates": table.rates.select_related("level", "occupation", "target_group"),
        "uplifts": table.uplifts.select_related("target_group"), "shortage": table.shortage_occupations.order_by("name"),
        "versions": SubsidyRuleTable.objects.filter(city=table.city).order_by("-valid_from"),
        "copy_form": RuleCopyForm(initial={"valid_from": timezone.localdate() + dt.timedelta(days=1)}) if can_copy else None,
    })


@require_POST
@require_roles(Role.HRSS_OFFICER)
def rule_copy(request: AuthedRequest, pk: int) -> HttpResponse:
    table = get_for_user(SubsidyRuleTable.objects.select_related("city"), request.user, pk)
    form = RuleCopyForm(request.POST)
    back = redirect("funds:rule_detail", pk=table.pk)
    if not form.is_valid():
        messages.error(request, _("Choose the day the new version starts."))
        return back
    return run_action(
        request, lambda: actions.copy_rule_table(table, by=request.user, **form.cleaned_data), show_forbidden=True,
        success=lambda new: _("Version %(v)s created; adjust its rates before the first claim uses it.") % {"v": new.version},
        then=lambda new: redirect("funds:rule_detail", pk=new.pk), fallback=back)
