"""Shared pieces of the funds pages: pagination, refusal messages and the funds index."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from jixing.accounts.models import Role
from jixing.core.permissions import ANY_ROLE, AuthedRequest, require_roles
from jixing.core.workflow import IllegalTransition

from .. import actions
from ..queries import CLAIM_READERS

PAGE_SIZE = 25


def _page(request: HttpRequest, qs: Any, size: int = PAGE_SIZE) -> Any:
    return Paginator(qs, size).get_page(request.GET.get("page"))


def _fail(request: HttpRequest, exc: Exception) -> None:
    """Show an action's refusal as one message per reason."""
    if isinstance(exc, ValidationError):
        for message in exc.messages:
            messages.error(request, message)
    elif isinstance(exc, actions.Conflict):
        messages.error(request, exc.message)
    else:
        messages.error(request, str(exc) or _("Not allowed."))


ACTION_ERRORS = (ValidationError, PermissionDenied, IllegalTransition, actions.Conflict)


@require_roles(ANY_ROLE)
def index(request: AuthedRequest) -> HttpResponse:
    role = request.user.role
    if role == Role.FINANCE_OFFICER:
        return redirect("funds:budget_list")
    if role in (Role.HRSS_OFFICER, Role.UNION_OFFICER):
        return redirect("funds:review_queue")
    if role == Role.TRAINEE:
        return redirect("funds:my_subsidies")
    if role in CLAIM_READERS:
        return redirect("funds:claim_list")
    raise PermissionDenied
