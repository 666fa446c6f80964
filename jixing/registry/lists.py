"""The registry's lists for the shared list machinery (jixing/core/listing.py)."""

from __future__ import annotations

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jixing.core.actor import Actor
from jixing.core.listing import Column, Filtered, Kind, ListSpec, describe_text, register
from jixing.core.masking import mask_id_number, mask_phone

from . import queries
from .forms import PersonSearchForm
from .models import Person, Region


def person_rows(user: Actor, params: QueryDict) -> Filtered:
    form = PersonSearchForm(params or None, user=user)
    filters = form.cleaned_data if form.is_valid() else {}
    q = str(filters.get("q", "") or "")
    if queries.looks_like_id_number(q):
        q = ""  # a full ID number opens the record by POST and never filters a list or export
    qs = queries.search_persons(
        user, q=q, region=filters.get("region", ""), group=filters.get("group"),
        include_archived=filters.get("archived", False),
    )
    described: list[tuple[str, str]] = describe_text({"q": q}, "q", _("name starts with"))
    if filters.get("region"):
        region = Region.objects.filter(code=filters["region"]).first()
        if region is not None:
            described.append((str(_("Region")), region.name))
    if filters.get("group") is not None:
        described.append((str(_("Target group")), str(filters["group"])))
    if filters.get("archived"):
        described.append((str(_("Include archived")), str(_("yes"))))
    return Filtered(qs, described)


def _age(person: Person) -> int:
    return person.age_on(timezone.localdate())


PERSONS = register(ListSpec(
    name="registry.persons",
    title=_("Persons"),
    roles=queries.PERSON_READERS,
    rows=person_rows,
    columns=(
        Column("name", _("full name"), lambda p: p.name, sort="name"),
        Column("id_number", _("ID number"), lambda p: p.id_number, kind=Kind.ID_TEXT,
               personal=lambda p: mask_id_number(p.id_number), width=22),
        Column("sex", _("sex"), lambda p: p.get_sex_display(), sort="sex"),
        # The birth year, never the date: the masked ID digits are the birth date (docs/security.md, masking rule).
        Column("birth_year", _("birth year"), lambda p: p.birth_year, sort="birth_date", kind=Kind.INTEGER),
        Column("age", _("age"), _age, sort="-birth_date", kind=Kind.INTEGER),
        Column("region", _("current region"), lambda p: p.current_region.name, sort="current_region__code"),
        Column("phone", _("mobile number"), lambda p: p.phone, kind=Kind.ID_TEXT,
               personal=lambda p: mask_phone(p.phone), width=16),
        Column("employment_status", _("employment status"), lambda p: p.get_employment_status_display(),
               sort="employment_status"),
        Column("created", _("registered at"), lambda p: p.created_at, sort="created_at", kind=Kind.DATETIME, width=18),
    ),
    default_sort="-created",
    page_size=25,
))
