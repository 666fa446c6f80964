"""Human-readable serial numbers (claim BT2026000001, project JG-370102-2026-0001 …): the next
number after the highest one with the same prefix, saved with a retry when a parallel writer took
it first (the field is unique, so the database decides)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _


def next_serial(model: type[models.Model], field: str, prefix: str, width: int) -> str:
    """``prefix`` followed by the next number, zero-padded to ``width`` digits."""
    last = (model._default_manager.filter(**{f"{field}__startswith": prefix})
            .order_by(f"-{field}").values_list(field, flat=True).first())
    number = int(last[len(prefix):]) + 1 if last else 1
    return f"{prefix}{number:0{width}d}"


def save_with_serial(obj: models.Model, field: str, prefix: str, *, width: int, attempts: int = 8) -> None:
    """Give ``obj`` the next free serial in ``field`` and save it; retry when the unique field
    was taken by another writer meanwhile. Call inside the caller's transaction."""
    model = type(obj)
    for _attempt in range(attempts):
        setattr(obj, field, next_serial(model, field, prefix, width))
        try:
            with transaction.atomic():
                obj.save()
            return
        except IntegrityError:
            if model._default_manager.filter(**{field: getattr(obj, field)}).exists():
                obj.pk = None
                continue
            raise
    raise ValidationError(_("Could not allocate a number; please try again."))
