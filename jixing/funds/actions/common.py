"""Shared pieces of the funds actions: refusals, input cleaning and the role checks every topic uses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from jixing.accounts.models import Role
from jixing.core import refusals
from jixing.core.money import yuan
from jixing.core.numbering import save_with_serial
from jixing.registry.models import Person

from ..queries.common import in_region_scope as _in_scope

REASON_MIN = 4
MAX_AMOUNT = Decimal("100000000000")  # 1e11 yuan: anything larger is a typo


class Conflict(refusals.Conflict):
    """The request conflicts with what already happened (a paid claim, a reused idempotency
    key): a ``core.refusals.Conflict``, so pages show it and the API answers 409 with it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)


class ClaimRefused(ValidationError):
    """A claim (or some of its lines) may not be written; ``lines`` names each refused line."""

    def __init__(self, message: str, lines: Sequence[tuple[str, list[str]]] = ()) -> None:
        self.lines = list(lines)
        details = [f"{label}：{'；'.join(reasons)}" for label, reasons in self.lines]
        super().__init__([message, *details])


def today() -> dt.date:
    return timezone.localdate()


def _amount(value: Any, field: str = "amount") -> Decimal:
    try:
        amount = yuan(value)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Enter an amount in yuan, e.g. 1200.00.")})
    if amount <= 0:
        raise ValidationError({field: _("The amount must be greater than zero.")})
    if amount >= MAX_AMOUNT:
        raise ValidationError({field: _("The amount is too large.")})
    return amount


def _reason(text: str, field: str = "reason") -> str:
    text = (text or "").strip()
    if len(text) < REASON_MIN:
        raise ValidationError({field: _("Give a reason of at least %(n)d characters.") % {"n": REASON_MIN}})
    return text[:1000]


def _save_numbered(obj: Any, prefix: str) -> None:
    """Give ``obj`` the next free number (core.numbering)."""
    save_with_serial(obj, "number", prefix, width=6)


def _require_role(user: Any, *roles: str) -> None:
    if getattr(user, "role", None) not in roles:
        raise PermissionDenied(_("Your role may not do this."))


def _require_finance(user: Any, region_code: str) -> None:
    if getattr(user, "role", None) != Role.FINANCE_OFFICER or not _in_scope(user, region_code):
        raise PermissionDenied(_("Only a finance officer responsible for this region may do this."))


def _require_hrss(user: Any, region_code: str) -> None:
    if getattr(user, "role", None) != Role.HRSS_OFFICER or not _in_scope(user, region_code):
        raise PermissionDenied(_("Only an HRSS officer responsible for this region may do this."))


def _user_level(user: Any) -> str:
    return user.region.level if getattr(user, "region_id", None) else ""


def _require_trainee(by: Any) -> Person:
    if getattr(by, "role", None) != Role.TRAINEE or not getattr(by, "person_id", None):
        raise PermissionDenied(_("Only a person may record their own studies."))
    return by.person
