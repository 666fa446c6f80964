"""Funds in the admin: subsidy rule tables are adjusted here (rates, uplifts, shortage list)
until the first claim uses a version; after that the version is read-only and a new version
is published (``copy_rule_table``). Ledger, claims and payments are view-only: money moves only
through the actions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from jixing.core.admin_base import AuditedAdminMixin, ReadOnlyModelAdmin

from .models import (
    Budget,
    Claim,
    PaymentBatch,
    Posting,
    RecoveryOrder,
    StudyRecord,
    SubsidyRate,
    SubsidyRuleTable,
    SubsidyUplift,
)


class _FrozenInline(admin.TabularInline):
    extra = 0

    def _editable(self, obj: SubsidyRuleTable | None) -> bool:
        return obj is None or not obj.is_used

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)


class RateInline(_FrozenInline):
    model = SubsidyRate
    fields = ["item", "payee_kind", "certificate_type", "level", "occupation", "target_group", "amount", "note"]
    raw_id_fields = ["occupation"]


class UpliftInline(_FrozenInline):
    model = SubsidyUplift
    fields = ["kind", "item", "target_group", "percent", "fixed_amount", "note"]


@admin.register(SubsidyRuleTable)
class SubsidyRuleTableAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["city", "version", "valid_from", "name", "first_used_at"]
    list_filter = ["city"]
    fields = ["city", "version", "valid_from", "name", "basis", "public_notice_days", "shortage_occupations", "first_used_at"]
    readonly_fields = ["city", "version", "valid_from", "first_used_at"]
    filter_horizontal = ["shortage_occupations"]
    inlines = [RateInline, UpliftInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # versions are published through the action (numbering, audit)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_used:
            return False
        return super().has_change_permission(request, obj)


@admin.register(Budget)
class BudgetAdmin(ReadOnlyModelAdmin):
    list_display = ["year", "region", "fund_source", "action", "parent"]
    list_filter = ["year", "fund_source"]


@admin.register(Posting)
class PostingAdmin(ReadOnlyModelAdmin):
    list_display = ["id", "kind", "reference_type", "reference_id", "posted_at", "created_by"]
    list_filter = ["kind", "reference_type"]


@admin.register(Claim)
class ClaimAdmin(ReadOnlyModelAdmin):
    list_display = ["number", "subsidy_item", "status", "amount", "county", "created_at"]
    list_filter = ["status", "subsidy_item"]
    search_fields = ["number"]
    exclude = ["payee_account"]


@admin.register(PaymentBatch)
class PaymentBatchAdmin(ReadOnlyModelAdmin):
    list_display = ["number", "region", "status", "order_count", "total_amount"]


@admin.register(RecoveryOrder)
class RecoveryOrderAdmin(ReadOnlyModelAdmin):
    list_display = ["number", "status", "amount", "received_amount", "deadline"]
    list_filter = ["status"]


@admin.register(StudyRecord)
class StudyRecordAdmin(ReadOnlyModelAdmin):
    list_display = ["person", "school", "programme", "level", "mode", "graduated_on", "tuition_paid"]
    list_filter = ["level", "mode"]
    search_fields = ["school", "programme"]
