"""The audit log as a list of the shared list machinery (jixing/core/listing.py)."""

from __future__ import annotations

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from jixing.core.display import audit_details, event_label, object_words
from jixing.core.listing import Column, Filtered, Kind, ListSpec, register
from jixing.core.models import AuditEvent

from . import queries
from .forms import AuditFilterForm
from .models import Role, User


def audit_rows(user: User, params: QueryDict) -> Filtered:
    form = AuditFilterForm(params or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = queries.filter_audit_events(queries.audit_events_for(user), **filters)
    described = [(str(form.fields[k].label), str(v)) for k, v in filters.items() if v not in (None, "")]
    return Filtered(events, described)


AUDIT_LOG = register(ListSpec(
    name="accounts.audit_log",
    title=_("Audit log"),
    roles=(Role.AUDITOR, Role.SECURITY_ADMIN),
    rows=audit_rows,
    columns=(
        Column("at", _("time"), lambda e: e.at, sort="at", kind=Kind.DATETIME, width=18),
        Column("actor", _("user"), lambda e: e.actor_label, sort="actor_label"),
        Column("ip", _("IP address"), lambda e: e.ip or "", sort="ip", kind=Kind.ID_TEXT),
        Column("event", _("event"), lambda e: event_label(e.event), sort="event", width=24),
        Column("event_code", _("event code"), lambda e: e.event, kind=Kind.ID_TEXT, width=24),
        Column("object", _("object"), lambda e: object_words(e.object_type, e.object_id, e.object_label), width=30),
        Column("outcome", _("outcome"), lambda e: e.get_outcome_display(), sort="outcome"),
        Column("details", _("details"), audit_details, width=60),
    ),
    default_sort="-at",
    page_size=50,
))

__all__ = ["AUDIT_LOG", "AuditEvent"]
