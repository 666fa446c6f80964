"""Enterprises' staff education fund reports (中办发〔2022〕58号 §(十八))."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jixing.accounts.models import Role
from jixing.core import audit
from jixing.core.money import yuan

from ..models import StaffEducationReport
from .common import today


def report_staff_education(
    *, by: Any, year: int, extracted: Any, spent: Any, spent_frontline: Any, payroll_total: Any = None, note: str = "",
) -> StaffEducationReport:
    """An enterprise's yearly staff education fund report (one per year; a later report for the
    same year replaces the figures, audited with before/after)."""
    if getattr(by, "role", None) != Role.INSTITUTION or not by.organisation_id:
        raise PermissionDenied(_("Only an enterprise reports its staff education fund."))
    enterprise = by.organisation
    if not 2000 <= int(year) <= today().year:
        raise ValidationError({"year": _("Report a past or the current year.")})
    values: dict[str, Decimal | None] = {}
    errors: dict[str, str] = {}
    for name, raw in (("extracted", extracted), ("spent", spent), ("spent_frontline", spent_frontline), ("payroll_total", payroll_total)):
        if raw in (None, "") and name == "payroll_total":
            values[name] = None
            continue
        try:
            values[name] = yuan(raw)
        except (TypeError, ValueError):
            errors[name] = _("Enter an amount in yuan.")
            continue
        if values[name] < 0:  # type: ignore[operator]
            errors[name] = _("The amount must not be negative.")
    if not errors and values["spent_frontline"] > values["spent"]:  # type: ignore[operator]
        errors["spent_frontline"] = _("Spending on frontline workers cannot exceed total spending.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        report = StaffEducationReport.objects.select_for_update().filter(enterprise=enterprise, year=year).first()
        before = None
        if report is None:
            report = StaffEducationReport(enterprise=enterprise, year=year, reported_by=by)
        else:
            before = {k: str(getattr(report, k)) for k in ("extracted", "spent", "spent_frontline", "payroll_total")}
        report.extracted = values["extracted"]  # type: ignore[assignment]
        report.spent = values["spent"]  # type: ignore[assignment]
        report.spent_frontline = values["spent_frontline"]  # type: ignore[assignment]
        report.payroll_total = values["payroll_total"]
        report.note = note[:300]
        report.reported_by = by
        report.save()
        audit.record("funds.staff_education.report", actor=by, obj=report, before=before, after={
            k: str(getattr(report, k)) for k in ("extracted", "spent", "spent_frontline", "payroll_total")
        } | {"frontline_share": str(report.frontline_share), "below_60": report.below_frontline_minimum})
    return report
