"""Trainers in the admin: the teacher-to-class limit is a dated parameter (edited with an audit
row per save); profiles, results and 马兰花 records change only through the actions."""

from __future__ import annotations

from django.contrib import admin

from jixing.core.admin_base import JixingModelAdmin, ReadOnlyModelAdmin

from .models import Competition, MalanhuaAccreditation, MalanhuaActivity, TeacherClassLimit, TrainerProfile


@admin.register(TeacherClassLimit)
class TeacherClassLimitAdmin(JixingModelAdmin):
    list_display = ["valid_from", "classes_per_trainer", "basis"]
    fields = ["valid_from", "classes_per_trainer", "basis"]


@admin.register(TrainerProfile)
class TrainerProfileAdmin(ReadOnlyModelAdmin):
    list_display = ["person", "organisation", "category", "grade", "archived_at"]
    list_filter = ["category", "grade"]


@admin.register(Competition)
class CompetitionAdmin(ReadOnlyModelAdmin):
    list_display = ["name", "category", "tier", "held_on"]


@admin.register(MalanhuaAccreditation)
class MalanhuaAccreditationAdmin(ReadOnlyModelAdmin):
    list_display = ["number", "profile", "accredited_on", "valid_to", "status"]


@admin.register(MalanhuaActivity)
class MalanhuaActivityAdmin(ReadOnlyModelAdmin):
    list_display = ["title", "kind", "county", "held_on", "person_times"]
