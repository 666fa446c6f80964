"""自主参训 claims (seed 一(五)): approved self-arranged trainings and the claims paying them."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixing.core.pages import run_action
from jixing.core.permissions import AuthedRequest, require_roles

from .. import actions, queries
from ..models import PayeeAccount
from .common import _page


@require_roles(*queries.SELF_TRAINING_READERS)
def self_training_claims(request: AuthedRequest) -> HttpResponse:
    page = _page(request, queries.self_trainings_to_claim(request.user))
    return TemplateResponse(request, "funds/self_training_claims.html", {
        "page_obj": page, "rows": queries.self_training_rows(request.user, page.object_list),
        "can_claim": request.user.role in queries.SELF_TRAINING_CLAIMERS,
        "accounts": PayeeAccount.objects.visible_to(request.user).active().filter(person_id=request.user.person_id)
        if request.user.person_id else PayeeAccount.objects.none(),
    })


def _int(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 19 else None


@require_POST
@require_roles(*queries.SELF_TRAINING_CLAIMERS)
def self_training_claim_create(request: AuthedRequest, pk: int) -> HttpResponse:
    """Claim one approved record: another region's or person's record answers 404."""
    record = queries.self_trainings_to_claim(request.user).filter(pk=pk).first()
    if record is None:
        raise Http404
    account = None
    account_id = _int(request.POST.get("payee_account", ""))
    if account_id is not None:
        account = PayeeAccount.objects.visible_to(request.user).active().filter(pk=account_id).first()
        if account is None:
            raise Http404
    return run_action(
        request, lambda: actions.create_self_training_claim(by=request.user, record=record, payee_account=account),
        success=lambda claim: _("Claim %(number)s saved; the person submits it to send it for review.") % {"number": claim.number},
        then=lambda claim: redirect("funds:claim_detail", pk=claim.pk), fallback=redirect("funds:self_training_claims"),
        show_forbidden=True)
