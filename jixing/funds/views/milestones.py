"""Key-project milestone payments (揭榜领题): released and withheld tranches."""

from __future__ import annotations

from django.http import HttpResponse
from django.template.response import TemplateResponse

from jixing.core.permissions import AuthedRequest, require_roles

from ..queries.milestones import MILESTONE_READERS, milestone_payments_for
from .common import _page


@require_roles(*MILESTONE_READERS)
def milestone_payments(request: AuthedRequest) -> HttpResponse:
    return TemplateResponse(request, "funds/milestone_payments.html",
                            {"page_obj": _page(request, milestone_payments_for(request.user))})
