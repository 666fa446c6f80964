"""Reads for the account pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from jixing.core.models import AuditEvent

from .models import Role, User
from .roles import SECURITY_EVENT_PREFIXES


def security_events_q() -> Q:
    q = Q(pk__in=[])
    for prefix in SECURITY_EVENT_PREFIXES:
        q |= Q(event__startswith=prefix)
    return q


def audit_events_for(user: User) -> QuerySet[AuditEvent]:
    """The auditor reads the whole log; the security administrator its security events;
    nobody else reads it (B1)."""
    if user.role == Role.AUDITOR:
        return AuditEvent.objects.all()
    if user.role == Role.SECURITY_ADMIN:
        return AuditEvent.objects.filter(security_events_q())
    return AuditEvent.objects.none()


def filter_audit_events(
    events: QuerySet[AuditEvent],
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    actor: str = "",
    event: str = "",
    outcome: str = "",
    object_type: str = "",
    object_id: str = "",
    ip: str | None = None,
    **_ignored: Any,
) -> QuerySet[AuditEvent]:
    if date_from:
        events = events.filter(at__date__gte=date_from)
    if date_to:
        events = events.filter(at__date__lte=date_to)
    if actor:
        events = events.filter(actor_label__icontains=actor)
    if event:
        events = events.filter(event__startswith=event)
    if outcome:
        events = events.filter(outcome=outcome)
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    if ip:
        events = events.filter(ip=ip)
    return events
