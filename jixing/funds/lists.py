"""Funds lists for the shared list machinery (jixing/core/listing.py): claims, payment batches."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from jixing.core.listing import Column, Filtered, Kind, ListSpec, date_range, describe_choice, describe_text, register

from . import queries
from .models import BatchStatus, Claim, ClaimStatus, PaymentBatch, SubsidyItem


def claim_rows(user: Any, params: QueryDict) -> Filtered:
    status = params.get("status", "")
    item = params.get("item", "")
    q = params.get("q", "").strip()[:50]
    qs = queries.claims_for(user, status=status if status in ClaimStatus.values else "",
                            item=item if item in SubsidyItem.values else "", q=q)
    described = [*describe_text({"q": q}, "q", _("claim number, organisation or project")),
                 *describe_choice(params, "status", _("status"), ClaimStatus.choices),
                 *describe_choice(params, "item", _("subsidy item"), SubsidyItem.choices)]
    qs, dates = date_range(qs, params, "created_at", _("created"))
    return Filtered(qs, described + dates)


def _claimant(c: Claim) -> str:
    return c.organisation.name if c.organisation else (c.person.name if c.person else "")


CLAIMS = register(ListSpec(
    name="funds.claims",
    title=_("Subsidy claims"),
    roles=queries.CLAIM_READERS,
    rows=claim_rows,
    columns=(
        Column("number", _("claim number"), lambda c: c.number, sort="number", kind=Kind.ID_TEXT, width=20),
        Column("claimant", _("claimant"), _claimant),
        Column("project", _("project"), lambda c: c.project.name if c.project else ""),
        Column("item", _("subsidy item"), lambda c: c.get_subsidy_item_display(), sort="subsidy_item"),
        Column("county", _("county"), lambda c: c.county.name, sort="county__code"),
        Column("amount", _("amount (yuan)"), lambda c: c.amount, sort="amount", kind=Kind.MONEY),
        Column("status", _("status"), lambda c: c.get_status_display(), sort="status"),
        Column("created", _("created"), lambda c: c.created_at, sort="created_at", kind=Kind.DATETIME, width=18),
        Column("submitted", _("submitted at"), lambda c: c.submitted_at, sort="submitted_at", kind=Kind.DATETIME, width=18),
    ),
    default_sort="-created",
    page_size=25,
))


def batch_rows(user: Any, params: QueryDict) -> Filtered:
    qs = queries.batches_for(user)
    status = params.get("status", "")
    if status in BatchStatus.values:
        qs = qs.filter(status=status)
    q = params.get("q", "").strip()[:30]
    if q:
        qs = qs.filter(Q(number__icontains=q))
    qs, dates = date_range(qs, params, "created_at", _("created"))
    return Filtered(qs, [*describe_text({"q": q}, "q", _("batch number")),
                         *describe_choice(params, "status", _("status"), BatchStatus.choices), *dates])


def _open_issues(b: PaymentBatch) -> int:
    return int(getattr(b, "open_issues", 0) or 0)


PAYMENTS = register(ListSpec(
    name="funds.payments",
    title=_("Payment batches"),
    roles=queries.PAYMENT_READERS,
    rows=batch_rows,
    columns=(
        Column("number", _("batch number"), lambda b: b.number, sort="number", kind=Kind.ID_TEXT, width=20),
        Column("region", _("region"), lambda b: b.region.name, sort="region__code"),
        Column("orders", _("orders"), lambda b: b.order_count, sort="order_count", kind=Kind.INTEGER),
        Column("total", _("total (yuan)"), lambda b: b.total_amount, sort="total_amount", kind=Kind.MONEY),
        Column("status", _("status"), lambda b: b.get_status_display(), sort="status"),
        Column("issues", _("open mismatches"), _open_issues, kind=Kind.INTEGER),
        Column("created", _("created"), lambda b: b.created_at, sort="created_at", kind=Kind.DATETIME, width=18),
        Column("exported", _("exported at"), lambda b: b.exported_at, sort="exported_at", kind=Kind.DATETIME, width=18),
    ),
    default_sort="-created",
    page_size=25,
))
