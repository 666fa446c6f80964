from __future__ import annotations

from django.utils.translation import gettext as _

from .models import Target, TargetUnit


def display_value(target: Target) -> str:
    if target.unit == TargetUnit.SHARE:
        return f"{target.value * 100:.0f}%"
    if target.unit == TargetUnit.RATIO_TO_ENROLLED:
        return _("%(ratio)s× enrolled students") % {"ratio": f"{target.value:g}"}
    return f"{int(target.value):,}"


def display_period(target: Target) -> str:
    return _("every year") if target.is_yearly else target.period


def targets_with_quotes() -> list[Target]:
    targets = list(Target.objects.select_related("action").order_by("id"))
    for t in targets:
        t.display_value = display_value(t)  # type: ignore[attr-defined]
        t.display_period = display_period(t)  # type: ignore[attr-defined]
    return targets
