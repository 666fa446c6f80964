"""Reference data and the registry in the admin (SECURITY.md B1, B4, E3).

Reference tables are edited by the system administrator with history (simple-history) and an
audit row per save. Persons are shown masked and read-only: the plaintext ID number and phone
are neither displayed nor editable here (search by a full ID number still works, through its
keyed hash).
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from jixing.core.admin_base import AuditedAdminMixin, ReadOnlyModelAdmin
from jixing.core.logging import redact

from .models import Department, Occupation, Organisation, Person, PersonGroup, Region, SkillLevel, TargetGroup
from .validators import parse_resident_id


class ReferenceAdmin(AuditedAdminMixin, SimpleHistoryAdmin):
    pass


@admin.register(Region)
class RegionAdmin(ReferenceAdmin):
    list_display = ["code", "name", "short_name", "level", "kind", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    fields = ["code", "name", "short_name", "level", "kind", "parent"]
    raw_id_fields = ["parent"]


@admin.register(Department)
class DepartmentAdmin(ReferenceAdmin):
    list_display = ["code", "name", "short_name"]
    search_fields = ["code", "name"]
    fields = ["code", "name", "short_name"]


@admin.register(Occupation)
class OccupationAdmin(ReferenceAdmin):
    list_display = ["key", "code", "name", "verified"]
    list_filter = ["verified"]
    search_fields = ["key", "code", "name"]
    fields = ["key", "name", "code", "verified", "basis"]


@admin.register(SkillLevel)
class SkillLevelAdmin(ReferenceAdmin):
    list_display = ["order", "name", "name_en", "national_level", "national_label"]
    fields = ["order", "name", "name_en", "national_level", "national_label", "source"]


@admin.register(TargetGroup)
class TargetGroupAdmin(ReferenceAdmin):
    list_display = ["code", "name", "sensitive", "excludes_subsidy"]
    search_fields = ["code", "name"]
    fields = ["code", "name", "sensitive", "excludes_subsidy", "source"]


@admin.register(Organisation)
class OrganisationAdmin(ReferenceAdmin):
    list_display = ["name", "uscc", "kind", "county", "status", "status_until"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "uscc"]
    raw_id_fields = ["county"]
    fields = ("uscc", "name", "kind", "county", "address", "is_chain_leader", "is_specialised", "is_single_champion", "above_size_list_year",
              "enrolled_students", "teacher_count", "capacity", "status", "status_until", "status_reason")
    list_select_related = ["county"]


@admin.register(Person)
class PersonAdmin(ReadOnlyModelAdmin):
    list_display = ["name", "masked_id", "masked_mobile", "sex", "birth_year", "current_region", "archived_at"]
    list_filter = ["sex", "education", "employment_status"]
    search_fields = ["name"]
    fields = ("name", "masked_id", "masked_mobile", "sex", "birth_year", "household_region", "current_region",
              "education", "employment_status", "archived_at", "archive_reason")
    readonly_fields = fields
    list_select_related = ["current_region"]
    show_full_result_count = False

    @admin.display(description=_("ID number"))
    def masked_id(self, obj: Person) -> str:
        return obj.masked_id_number

    @admin.display(description=_("birth year"))
    def birth_year(self, obj: Person) -> int:
        return obj.birth_year

    @admin.display(description=_("mobile number"))
    def masked_mobile(self, obj: Person) -> str:
        return obj.masked_phone

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Person], search_term: str) -> tuple[QuerySet[Person], bool]:
        term = search_term.strip()
        try:
            parse_resident_id(term)
        except Exception:
            return super().get_search_results(request, queryset, redact(term))
        return queryset.with_id_number(term), False  # type: ignore[attr-defined]


@admin.register(PersonGroup)
class PersonGroupAdmin(ReadOnlyModelAdmin):
    list_display = ["person", "group", "valid_from", "valid_to"]
    list_filter = ["group"]
    fields = ("person", "group", "valid_from", "valid_to", "evidence")
    readonly_fields = fields
    list_select_related = ["person", "group"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[PersonGroup]:
        # Disability, community correction …: sealed memberships are shown only on the person's
        # page after an audited unmask (B4, E3), never listed here.
        return super().get_queryset(request).filter(group__isnull=False).exclude(group__sensitive=True)
