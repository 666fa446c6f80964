"""What every jixing ModelAdmin shares (SECURITY.md B1, C1).

- Who sees and edits what comes from the role's model permissions (``accounts.roles``);
  nothing is deleted through the admin (archive instead).
- Every save writes one audit row with the changed fields' old and new values. Fields
  listed in ``audit_redacted_fields`` are recorded as changed without their values.
"""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.forms import ModelForm
from django.http import HttpRequest

from jixing.core import audit
from jixing.core.logging import redact


def plain(value: Any) -> Any:
    """A JSON-safe, redacted form of a form value for the audit row."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.QuerySet | list | tuple | set):
        return sorted(plain(v) for v in value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return redact(str(value))


def form_changes(form: ModelForm, *, redacted: frozenset[str] = frozenset()) -> tuple[dict[str, Any], dict[str, Any]]:
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name in form.changed_data:
        if name in redacted:
            before[name], after[name] = "***", "***"
            continue
        before[name] = plain(form.initial.get(name))
        after[name] = plain(form.cleaned_data.get(name))
    return before, after


class AuditedAdminMixin:
    audit_redacted_fields: frozenset[str] = frozenset()

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        before, after = form_changes(form, redacted=self.audit_redacted_fields)
        with transaction.atomic():
            super().save_model(request, obj, form, change)  # type: ignore[misc]
            audit.record(
                f"admin.{obj._meta.model_name}.{'changed' if change else 'created'}",
                actor=request.user, obj=obj, before=before or None, after=after or None,
            )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # archive, never delete (STYLE.md habit 4)


class JixingModelAdmin(AuditedAdminMixin, admin.ModelAdmin):
    pass


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """Records nobody edits in the admin (audit log, status changes): view permission only."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
