"""Payment batch pages: create, detail, bank file export, return reconciliation."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jixing.core.access import get_for_user
from jixing.core.pages import attempt, run_action
from jixing.core.permissions import AuthedRequest, require_roles

from .. import actions, bankfiles, queries
from ..forms import ExportForm, ResolveForm, ReturnFileForm
from ..lists import PAYMENTS
from ..models import BatchStatus, PaymentBatch, ReconciliationIssue
from ..queries import PAYMENT_READERS, PAYMENT_WRITERS


@require_roles(*PAYMENT_READERS)
def batch_list(request: AuthedRequest) -> HttpResponse:
    region = request.user.region_id
    listing = PAYMENTS.page(request)
    return TemplateResponse(request, "funds/batch_list.html", {
        "page_obj": listing.page_obj, "listing": listing, "statuses": BatchStatus.choices,
        "payable": queries.payable_claims(region).count() if region else 0,
        "blocking": list(queries.open_issues_blocking(region).select_related("batch")[:20]) if region else [],
        "can_write": request.user.role in PAYMENT_WRITERS,
    })


@require_POST
@require_roles(*PAYMENT_WRITERS)
def batch_create(request: AuthedRequest) -> HttpResponse:
    done = attempt(request, lambda: actions.create_payment_batch(by=request.user), show_forbidden=True)
    if done is None:
        return redirect("funds:batch_list")
    result = done.result
    for refused in result.refused:
        messages.warning(request, f"{refused['claim']}：{refused['reason']}")
    assert result.batch is not None
    messages.success(request, _("Batch %(number)s created with %(n)d orders.") % {
        "number": result.batch.number, "n": result.batch.order_count})
    return redirect("funds:batch_detail", pk=result.batch.pk)


@require_roles(*PAYMENT_READERS)
def batch_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = get_for_user(PaymentBatch.objects.select_related("region", "created_by", "exported_by"), request.user, pk)
    return TemplateResponse(request, "funds/batch_detail.html", {
        "batch": batch,
        "orders": batch.orders.select_related("claim", "payee_account").order_by("number"),
        "returns": batch.returns.select_related("uploaded_by"),
        "issues": batch.issues.select_related("order", "resolved_by").order_by("resolved_at", "id"),
        "can_write": request.user.role in PAYMENT_WRITERS,
        "export_form": ExportForm(), "return_form": ReturnFileForm(), "resolve_form": ResolveForm(),
    })


@never_cache
@require_POST
@require_roles(*PAYMENT_WRITERS)
def batch_export(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = get_for_user(PaymentBatch.objects.all(), request.user, pk)
    form = ExportForm(request.POST)
    fmt = form.cleaned_data["format"] if form.is_valid() else "csv"
    done = attempt(request, lambda: bankfiles.export_payment_file(batch, by=request.user, fmt=fmt), show_forbidden=True)
    if done is None:
        return redirect("funds:batch_detail", pk=batch.pk)
    bank_file = done.result
    response = HttpResponse(bank_file.content, content_type=bank_file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{bank_file.file_name}"'
    return response


@require_POST
@require_roles(*PAYMENT_WRITERS)
def batch_reconcile(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = get_for_user(PaymentBatch.objects.all(), request.user, pk)
    form = ReturnFileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose the bank's return file."))
        return redirect("funds:batch_detail", pk=batch.pk)
    upload = form.cleaned_data["file"]

    def reconcile() -> actions.ReconcileResult:
        parsed = bankfiles.parse_uploaded(upload)  # an unreadable file is refused (ReturnFileError)
        return actions.reconcile_bank_return(batch, by=request.user, rows=parsed.rows, file_name=upload.name,
                                             file_sha256=parsed.sha256)

    done = attempt(request, reconcile, show_forbidden=True)
    if done is not None:
        _show_reconciliation(request, done.result)
    return redirect("funds:batch_detail", pk=batch.pk)


def _show_reconciliation(request: AuthedRequest, result: actions.ReconcileResult) -> None:
    if result.replay:
        messages.info(request, _("This file was already read; nothing changed."))
    elif result.ok:
        messages.success(request, _("Reconciled: %(ok)d paid, %(failed)d failed, no mismatch.") % {
            "ok": result.succeeded, "failed": result.failed})
    else:
        messages.error(request, _("%(n)d mismatch(es) found; the next batch is blocked until they are resolved.") % {
            "n": len(result.issues)})


@require_POST
@require_roles(*PAYMENT_WRITERS)
def issue_resolve(request: AuthedRequest, pk: int) -> HttpResponse:
    issue = get_for_user(ReconciliationIssue.objects.select_related("batch"), request.user, pk)
    form = ResolveForm(request.POST)
    back = redirect("funds:batch_detail", pk=issue.batch_id)
    if not form.is_valid():
        messages.error(request, _("Explain how the mismatch was resolved."))
        return back
    d = form.cleaned_data
    return run_action(request, lambda: actions.resolve_issue(issue, by=request.user, resolution=d["resolution"],
                                                             order_outcome=d["order_outcome"]),
                      success=_("Mismatch resolved."), then=back, show_forbidden=True)
