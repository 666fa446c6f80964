"""Training lists for the shared list machinery (jixing/core/listing.py): projects, classes."""

from __future__ import annotations

from django.db.models import Q
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jixing.core.actor import Actor
from jixing.core.listing import Column, Filtered, Kind, ListSpec, date_range, describe_choice, describe_text, register

from . import queries
from .models import ProjectStatus, TrainingClass
from .nav import READERS


def project_rows(user: Actor, params: QueryDict) -> Filtered:
    status = params.get("status", "")
    action = params.get("action", "")
    q = params.get("q", "")[:50]
    qs = queries.projects_for(user, status=status if status in ProjectStatus.values else "",
                              action=int(action) if action.isdigit() else None, q=q)
    described = [*describe_text({"q": q}, "q", _("name or code")),
                 *describe_choice(params, "status", _("status"), ProjectStatus.choices)]
    if action.isdigit():
        described.append((str(_("action")), f"（{action}）"))
    qs, dates = date_range(qs, params, "created_at", _("created"))
    return Filtered(qs, described + dates)


PROJECTS = register(ListSpec(
    name="training.projects",
    title=_("Training projects"),
    roles=READERS,
    rows=project_rows,
    columns=(
        Column("code", _("project code"), lambda p: p.code, sort="code", kind=Kind.ID_TEXT, width=20),
        Column("name", _("name"), lambda p: p.name, sort="name", width=30),
        Column("action", _("action"), lambda p: p.action.number, sort="action__number", kind=Kind.INTEGER),
        Column("type", _("type"), lambda p: p.get_project_type_display(), sort="project_type"),
        Column("organiser", _("organiser"), lambda p: p.organiser.name, sort="organiser__name", width=24),
        Column("county", _("county"), lambda p: p.county.name, sort="county__code"),
        Column("planned", _("planned person-times"), lambda p: p.planned_person_times, sort="planned_person_times",
               kind=Kind.INTEGER),
        Column("hours", _("training hours"), lambda p: p.hours, sort="hours", kind=Kind.INTEGER),
        Column("attendance", _("required attendance"), lambda p: p.required_attendance_rate, kind=Kind.PERCENT),
        Column("classes", _("classes"), lambda p: p.class_count, sort="class_count", kind=Kind.INTEGER),
        Column("status", _("status"), lambda p: p.get_status_display(), sort="status"),
        Column("created", _("created"), lambda p: p.created_at, sort="created_at", kind=Kind.DATETIME, width=18),
    ),
    default_sort="-created",
    page_size=25,
))


CLASS_STATES = (("open", pgettext_lazy("class status", "open")), ("closed", pgettext_lazy("class status", "closed")))


def class_rows(user: Actor, params: QueryDict) -> Filtered:
    qs = queries.classes_for(user)
    q = params.get("q", "")[:50]
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(project__code__icontains=q))
    state = params.get("state", "")
    if state == "open":
        qs = qs.filter(closed_at__isnull=True)
    elif state == "closed":
        qs = qs.filter(closed_at__isnull=False)
    qs, dates = date_range(qs, params, "start_date", _("start date"))
    described = [*describe_text({"q": q}, "q", _("class code")),
                 *describe_choice(params, "state", _("status"), CLASS_STATES), *dates]
    return Filtered(qs, described)


def _class_state(k: TrainingClass) -> str:
    return str(CLASS_STATES[1][1] if k.closed_at else CLASS_STATES[0][1])


CLASSES = register(ListSpec(
    name="training.classes",
    title=_("Classes"),
    roles=READERS,
    rows=class_rows,
    columns=(
        Column("code", _("class code"), lambda k: k.code, sort="code", kind=Kind.ID_TEXT, width=22),
        Column("name", _("name"), lambda k: k.name, sort="name", width=28),
        Column("project", _("project"), lambda k: k.project.code, sort="project__code", kind=Kind.ID_TEXT, width=20),
        Column("county", _("county"), lambda k: k.county.name, sort="county__code"),
        Column("start", _("start date"), lambda k: k.start_date, sort="start_date", kind=Kind.DATE),
        Column("end", _("end date"), lambda k: k.end_date, sort="end_date", kind=Kind.DATE),
        Column("enrolled", _("enrolled"), lambda k: k.enrolled, sort="enrolled", kind=Kind.INTEGER),
        Column("capacity", _("capacity"), lambda k: k.capacity, sort="capacity", kind=Kind.INTEGER),
        Column("state", _("status"), _class_state, sort="closed_at"),
    ),
    default_sort="-start",
    page_size=25,
))
