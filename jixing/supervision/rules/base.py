"""The rule framework: parameters with declared ranges, hits, and the ``kind → class`` registry.

A rule is a class with a code (R01 …), a kind (``person_overlap`` …), a description, a default
severity, parameters with defaults and ranges, and an explanation template. ``find`` reads
the database set-wise (SQL or ORM subqueries, never a Python loop over all rows) and returns
hits; the runner turns hits into findings keyed by a fingerprint (rule × subject × evidence key).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, ClassVar

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Param:
    """A rule parameter: a number with a default and an inclusive range."""

    name: str
    label: StrOrPromise
    default: int | float
    minimum: int | float
    maximum: int | float
    unit: str | Promise = ""

    @property
    def is_int(self) -> bool:
        return isinstance(self.default, int)

    def clean(self, raw: Any) -> int | float:
        """The value as a number within range, or ValueError with a message users can read."""
        try:
            number = Decimal(str(raw).strip())
        except (InvalidOperation, ValueError):
            raise ValueError(_("“%(label)s” must be a number.") % {"label": self.label}) from None
        if not number.is_finite():
            raise ValueError(_("“%(label)s” must be a number.") % {"label": self.label})
        if self.is_int and number != number.to_integral_value():
            raise ValueError(_("“%(label)s” must be a whole number.") % {"label": self.label})
        if number < Decimal(str(self.minimum)) or number > Decimal(str(self.maximum)):
            raise ValueError(
                _("“%(label)s” must lie between %(min)s and %(max)s; %(value)s is out of range.")
                % {"label": self.label, "min": self.minimum, "max": self.maximum, "value": raw}
            )
        return int(number) if self.is_int else float(number)


def clean_params(params: tuple[Param, ...], values: Mapping[str, Any]) -> tuple[dict[str, int | float], dict[str, str]]:
    """Validate ``values`` against the declared params: (cleaned values, errors by name).

    Missing values take the default; unknown names are refused (no mass assignment)."""
    cleaned: dict[str, int | float] = {}
    errors: dict[str, str] = {}
    known = {p.name for p in params}
    for name in values:
        if name not in known:
            errors[name] = _("Unknown parameter “%(name)s”.") % {"name": name}
    for p in params:
        raw = values.get(p.name)
        if raw is None or raw == "":
            cleaned[p.name] = p.default
            continue
        try:
            cleaned[p.name] = p.clean(raw)
        except ValueError as exc:
            errors[p.name] = str(exc)
    return cleaned, errors


@dataclass
class Hit:
    """One thing a rule found: the subject, the key that makes it unique, and the evidence."""

    subject_model: str  # "registry.Person"
    subject_id: int | str
    subject_label: str
    key: str
    evidence: dict[str, Any]
    organisation_id: int | None = None
    county_id: str | None = None
    severity: str | None = None
    context: dict[str, Any] = field(default_factory=dict)


def fingerprint(code: str, subject_model: str, subject_id: int | str, key: str) -> str:
    return hashlib.sha256(f"{code}|{subject_model}|{subject_id}|{key}".encode()).hexdigest()


class _SafeFormat(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Rule:
    code: ClassVar[str]
    kind: ClassVar[str]
    title: ClassVar[str | Promise]
    description: ClassVar[str | Promise]
    severity: ClassVar[str] = "medium"
    params: ClassVar[tuple[Param, ...]] = ()
    template: ClassVar[str | Promise] = gettext_lazy("{summary}")
    # The evidence kind tells the finding page how to lay the evidence out.
    layout: ClassVar[str] = "records"

    @classmethod
    def available(cls) -> tuple[bool, str]:
        """Whether the models this rule reads exist yet, and if not, why."""
        return True, ""

    @classmethod
    def defaults(cls) -> dict[str, int | float]:
        return {p.name: p.default for p in cls.params}

    def find(self, params: Mapping[str, Any], since: dt.datetime | None) -> list[Hit]:
        raise NotImplementedError

    @classmethod
    def explain(cls, context: Mapping[str, Any]) -> str:
        fields = [name for _, name, _, _ in string.Formatter().parse(str(cls.template)) if name]
        values = _SafeFormat({k: v for k, v in context.items() if k in fields})
        return str(cls.template).format_map(values)


REGISTRY: dict[str, type[Rule]] = {}


def register(cls: type[Rule]) -> type[Rule]:
    if cls.kind in REGISTRY or any(r.code == cls.code for r in REGISTRY.values()):
        raise ValueError(f"duplicate rule {cls.code} {cls.kind}")
    REGISTRY[cls.kind] = cls
    return cls
