"""Evaluation lists for the shared list machinery (jixing/core/listing.py): certificates."""

from __future__ import annotations

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from jixing.core.actor import Actor
from jixing.core.listing import Column, Filtered, Kind, ListSpec, date_range, describe_choice, describe_text, register
from jixing.core.masking import mask_id_number

from .models import Certificate, CertificateStatus, EvaluationMode
from .roles import CERTIFICATE_READERS


def certificate_rows(user: Actor, params: QueryDict) -> Filtered:
    qs = Certificate.objects.visible_to(user).select_related("person", "occupation", "level", "issuer")
    number = params.get("number", "").strip().upper()[:40]
    if number:
        qs = qs.filter(number__startswith=number)
    status = params.get("status", "")
    if status in CertificateStatus.values:
        qs = qs.filter(status=status)
    mode = params.get("mode", "")
    if mode in EvaluationMode.values:
        qs = qs.filter(mode=mode)
    issued, dates = date_range(qs, params, "issued_on", _("issued on"))
    return Filtered(issued, [
        *describe_text({"number": number}, "number", _("certificate number")),
        *describe_choice(params, "status", _("status"), CertificateStatus.choices),
        *describe_choice(params, "mode", _("mode"), EvaluationMode.choices), *dates,
    ])


CERTIFICATES = register(ListSpec(
    name="evaluation.certificates",
    title=_("Certificates"),
    roles=CERTIFICATE_READERS,
    rows=certificate_rows,
    columns=(
        Column("number", _("certificate number"), lambda c: c.number, sort="number", kind=Kind.ID_TEXT, width=24),
        Column("holder", _("holder"), lambda c: c.person.name, sort="person__name"),
        Column("id_number", _("ID number"), lambda c: c.person.id_number, kind=Kind.ID_TEXT,
               personal=lambda c: mask_id_number(c.person.id_number), width=22),
        Column("occupation", _("occupation"), lambda c: c.occupation.name, sort="occupation__name", width=20),
        Column("level", _("skill level"), lambda c: f"{c.level.name}（{c.level.national_label}）", sort="level__order"),
        Column("issuer", _("issuer"), lambda c: c.issuer.name, sort="issuer__name", width=24),
        Column("issued_on", _("issued on"), lambda c: c.issued_on, sort="issued_on", kind=Kind.DATE),
        Column("mode", _("mode"), lambda c: c.get_mode_display(), sort="mode"),
        Column("status", _("status"), lambda c: c.get_status_display(), sort="status"),
    ),
    default_sort="-issued_on",
    page_size=25,
))
