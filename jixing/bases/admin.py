"""Bases in the admin: facilities, bookings and programmes change only through the pages and
API (which audit them), so the admin shows them read-only."""

from __future__ import annotations

from django.contrib import admin

from jixing.core.admin_base import ReadOnlyModelAdmin

from .models import Booking, Facility
from .schools import SchoolProgramme, TrainingCollegeDesignation


@admin.register(Facility)
class FacilityAdmin(ReadOnlyModelAdmin):
    list_display = ["name", "base", "kind", "stations", "is_free", "archived_at"]
    list_filter = ["kind", "is_free"]
    search_fields = ["name", "base__name"]


@admin.register(Booking)
class BookingAdmin(ReadOnlyModelAdmin):
    list_display = ["code", "base", "facility", "requester", "starts_at", "ends_at", "stations", "status"]
    list_filter = ["status"]
    search_fields = ["code", "base__name", "requester__name"]


@admin.register(SchoolProgramme)
class SchoolProgrammeAdmin(ReadOnlyModelAdmin):
    list_display = ["name", "provider", "kind", "cohort_year", "cohort_size", "level"]
    list_filter = ["kind", "cohort_year"]


@admin.register(TrainingCollegeDesignation)
class TrainingCollegeDesignationAdmin(ReadOnlyModelAdmin):
    list_display = ["name", "school", "designated_on", "document"]
