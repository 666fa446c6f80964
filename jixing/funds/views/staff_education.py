"""Staff education fund report pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from jixing.accounts.models import Role
from jixing.core.pages import run_action
from jixing.core.permissions import AuthedRequest, require_roles

from .. import actions, queries
from ..forms import StaffEducationForm
from ..models import FRONTLINE_MIN_SHARE
from ..queries import STAFF_EDUCATION_READERS


@never_cache
@require_roles(*STAFF_EDUCATION_READERS)
def staff_education(request: AuthedRequest) -> HttpResponse:
    is_enterprise = request.user.role == Role.INSTITUTION and request.user.organisation is not None and \
        request.user.organisation.kind == "enterprise"
    form = None
    if is_enterprise:
        form = StaffEducationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            done = run_action(request, lambda: actions.report_staff_education(by=request.user, **form.cleaned_data),
                              form=form, show_forbidden=True, success=_("Report saved."),
                              then=redirect("funds:staff_education"))
            if done:
                return done
    elif request.method == "POST":
        raise PermissionDenied
    try:
        year = int(request.GET.get("year") or timezone.localdate().year - 1)
    except ValueError:
        year = timezone.localdate().year - 1
    below_only = request.GET.get("below") == "1"
    return TemplateResponse(request, "funds/staff_education.html", {
        "form": form, "year": year, "below_only": below_only,
        "reports": queries.staff_education_reports(request.user, year=year, below_only=below_only),
        "stats": queries.staff_education_stats(request.user, year=year),
        "by_city": queries.staff_education_by_city(request.user, year=year) if not is_enterprise else [],
        "minimum": int(FRONTLINE_MIN_SHARE * 100), "years": range(timezone.localdate().year, 2023, -1),
    })
