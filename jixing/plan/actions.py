"""Writes to the plan: the province splits its targets among the cities."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jixing.core import audit
from jixing.core.actor import Actor
from jixing.registry.models import Region, RegionLevel

from . import queries
from .access import can_allocate
from .models import Target, TargetAllocation


def set_allocations(target: Target, *, by: Actor, year: int | None, values: dict[str, Decimal | None]) -> dict[str, int]:
    """Set each city's share of ``target`` for ``year`` (None = the whole period). A blank
    value removes the city's allocation. Values must be whole, non-negative numbers; their sum
    may differ from the provincial target (the page shows the difference)."""
    if not can_allocate(by):
        raise PermissionDenied
    if not queries.is_allocatable(target):
        raise ValidationError(_("This target is a share or ratio that applies to every city as it is; it is not split."))
    if year not in queries.allocation_years(target):
        raise ValidationError({"year": _("Choose one of the years of this target.")})
    cities = set(Region.objects.home().filter(level=RegionLevel.CITY).values_list("code", flat=True))
    errors: dict[str, list[str]] = {}
    for code, value in values.items():
        if code not in cities:
            errors.setdefault("__all__", []).append(_("Unknown city code."))
        elif value is not None and value < 0:
            errors[code] = [_("Enter a number that is not negative.")]
        elif value is not None and value != value.to_integral_value():
            errors[code] = [_("Enter a whole number of person-times.")]
    if errors:
        raise ValidationError(errors)

    existing = {a.city_id: a for a in TargetAllocation.objects.filter(target=target, year=year)}
    before = {code: str(a.value) for code, a in existing.items()}
    counts = {"created": 0, "updated": 0, "removed": 0, "unchanged": 0}
    with transaction.atomic():
        for code, value in sorted(values.items()):
            current = existing.get(code)
            if value is None:
                if current is not None:
                    current.delete()  # simple_history keeps the removed row
                    counts["removed"] += 1
                continue
            if current is None:
                TargetAllocation.objects.create(target=target, city_id=code, year=year, value=value)
                counts["created"] += 1
            elif current.value != value:
                current.value = value
                current.save(update_fields=["value"])
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        after = {
            code: str(v)
            for code, v in TargetAllocation.objects.filter(target=target, year=year).values_list("city_id", "value")
        }
        audit.record("plan.allocations.set", actor=by, obj=target, before=before, after=after,
                     detail={"year": year, **counts})
    return counts
