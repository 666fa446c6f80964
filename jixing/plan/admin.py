"""The policy as data in the admin: edited by the system administrator, with history and an
audit row per save (SECURITY.md B1, C1)."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from jixing.core.admin_base import AuditedAdminMixin

from .models import Action, FundSource, Target, TargetAllocation


class ReferenceAdmin(AuditedAdminMixin, SimpleHistoryAdmin):
    pass


@admin.register(Action)
class ActionAdmin(ReferenceAdmin):
    list_display = ["number", "code", "name"]
    search_fields = ["code", "name"]
    fields = ["number", "code", "name", "summary", "departments"]
    filter_horizontal = ["departments"]


@admin.register(Target)
class TargetAdmin(ReferenceAdmin):
    list_display = ["code", "name", "action", "value", "unit", "comparison", "period"]
    list_filter = ["action", "unit", "period"]
    search_fields = ["code", "name", "seed_quote"]
    fields = ["code", "action", "name", "unit", "value", "period", "comparison", "seed_quote"]


@admin.register(TargetAllocation)
class TargetAllocationAdmin(ReferenceAdmin):
    list_display = ["target", "city", "year", "value"]
    list_filter = ["year", "target"]
    fields = ["target", "city", "year", "value"]
    raw_id_fields = ["city"]
    list_select_related = ["target", "city"]


@admin.register(FundSource)
class FundSourceAdmin(ReferenceAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]
    fields = ["code", "name"]


# ---------------------------------------------------------------- chains, programmes (issue 17)

from .models import IndustrialChain, Programme, SelfTrainingCityRule  # noqa: E402


@admin.register(IndustrialChain)
class IndustrialChainAdmin(ReferenceAdmin):
    list_display = ["code", "tier", "number", "name", "lead_department", "is_placeholder"]
    list_filter = ["tier", "is_placeholder", "lead_department"]
    search_fields = ["code", "name", "source"]
    fields = ["code", "tier", "number", "name", "lead_department", "key_occupations", "is_placeholder", "source"]
    filter_horizontal = ["key_occupations"]


@admin.register(Programme)
class ProgrammeAdmin(ReferenceAdmin):
    list_display = ["code", "name", "action", "department", "starts_on", "ends_on", "target_person_times", "is_active"]
    list_filter = ["action", "department", "is_active"]
    search_fields = ["code", "name", "source"]
    fields = ["code", "name", "action", "department", "starts_on", "ends_on", "target_person_times", "description",
              "source", "is_active"]


@admin.register(SelfTrainingCityRule)
class SelfTrainingCityRuleAdmin(ReferenceAdmin):
    list_display = ["city", "valid_from", "valid_to", "claimable", "max_amount", "max_age"]
    list_filter = ["claimable"]
    fields = ["city", "valid_from", "valid_to", "claimable", "max_amount", "max_age", "source"]
    raw_id_fields = ["city"]
