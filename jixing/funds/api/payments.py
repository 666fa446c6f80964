"""Payments API: payment orders with idempotency keys, payment batches."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema, Status
from ninja.pagination import paginate

from jixing.core.access import get_for_user
from jixing.core.pagination import BoundedPageNumberPagination
from jixing.core.permissions import require_api_roles

from .. import actions, queries
from ..models import Claim, PaymentBatch, PaymentOrder
from ..queries import PAYMENT_READERS, PAYMENT_WRITERS
from .common import Message, router

# ---------------------------------------------------------------- payments


class PaymentOrderIn(Schema):
    claim_id: int
    idempotency_key: str = Field("", max_length=100, description="or the Idempotency-Key header")
    amount: Decimal | None = Field(None, max_digits=16, decimal_places=2, description="must equal the approved amount")


class PaymentOrderOut(Schema):
    id: int
    number: str
    claim: str
    amount: Decimal
    status: str
    payee_account_masked: str
    idempotency_key: str
    batch: str | None

    @staticmethod
    def resolve_claim(obj: PaymentOrder) -> str:
        return obj.claim.number

    @staticmethod
    def resolve_payee_account_masked(obj: PaymentOrder) -> str:
        return obj.payee_account.masked_number

    @staticmethod
    def resolve_batch(obj: PaymentOrder) -> str | None:
        return obj.batch.number if obj.batch is not None else None


@router.post("/payment-orders", response={200: PaymentOrderOut, 201: PaymentOrderOut, 409: Message})
def issue_payment_order(request: HttpRequest, payload: PaymentOrderIn) -> Any:
    """Pay one payable claim. Retrying with the same key returns the same order (200); the
    same key for another claim or amount, or a claim already paid, answers 409."""
    require_api_roles(request, *PAYMENT_WRITERS)
    key = payload.idempotency_key or request.headers.get("Idempotency-Key", "")
    claim = get_for_user(Claim.objects.all(), request.user, payload.claim_id)
    order, created = actions.issue_payment_order(claim, by=request.user, idempotency_key=key, amount=payload.amount)
    order = PaymentOrder.objects.select_related("claim", "payee_account", "batch").get(pk=order.pk)
    return Status(201 if created else 200, order)


class BatchOut(Schema):
    id: int
    number: str
    region: str
    status: str
    order_count: int
    total_amount: Decimal

    @staticmethod
    def resolve_region(obj: PaymentBatch) -> str:
        return obj.region_id


@router.get("/payment-batches", response=list[BatchOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def list_batches(request: HttpRequest) -> Any:
    require_api_roles(request, *PAYMENT_READERS)
    return queries.batches_for(request.user)


@router.post("/payment-batches", response={200: BatchOut, 201: BatchOut, 409: Message})
def create_batch(request: HttpRequest) -> Any:
    """Batch every payable claim of the officer's region (201). Parallel requests make one
    batch; the others find nothing left to pay (422). With an ``Idempotency-Key`` header the
    same key again returns the first batch (200)."""
    require_api_roles(request, *PAYMENT_WRITERS)
    result = actions.create_payment_batch(by=request.user, idempotency_key=request.headers.get("Idempotency-Key", ""))
    return Status(200 if result.replay else 201, result.batch)
