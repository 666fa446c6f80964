"""Data scope: the one place that decides who may see what (DESIGN.md, SECURITY.md B3).

Every scoped model's QuerySet has ``visible_to(user)`` built from ``scope_for(user)``;
detail pages fetch through ``get_for_user`` so "missing" and "forbidden" both answer 404.
Region scope uses the GB/T 2260 code prefix: 370000 → "37", 370100 → "3701".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Q
from django.http import Http404

from jixing.core.actor import Actor, Viewer
from jixing.core.roles import Role

M = TypeVar("M", bound=models.Model)

# The numbers of the actions (plan.Action) a department takes part in. Plan sits above core,
# so it registers its lookup at start-up (PlanConfig.ready) instead of core importing it.
DepartmentActions = Callable[[int], frozenset[int]]
_department_actions: list[DepartmentActions] = []


def register_department_actions(lookup: DepartmentActions) -> None:
    _department_actions[:] = [lookup]


def department_action_numbers(department_id: int) -> frozenset[int]:
    return _department_actions[0](department_id) if _department_actions else frozenset()


def region_prefix(code: str) -> str:
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def code_within(path: str, code: str) -> Q:
    """Q for a field holding a GB/T 2260 code (``registry.Region``'s own ``code``, or a plain
    code column such as an insurance registration's region): the region ``code`` (a code or a
    prefix) and everything below it. The one place a region subtree is written as a filter;
    ``tests/test_scope_declared.py`` fails on one written by hand outside core."""
    return Q(**{f"{path}__startswith": region_prefix(code)})


def within_region(field: str, code: str) -> Q:
    """Q for a FK to registry.Region (whose pk is the code) named ``field``: the region ``code``
    and everything below it."""
    return code_within(f"{field}__code", code)


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    region_prefix: str | None = None
    department_id: int | None = None
    action_numbers: frozenset[int] = frozenset()
    organisation_id: int | None = None
    person_id: int | None = None

    @property
    def nothing(self) -> bool:
        return not (
            self.everything or self.region_prefix or self.department_id
            or self.organisation_id or self.person_id
        )

    def region_q(self, field: str) -> Q:
        """Q for a FK to registry.Region (whose pk is the code) named ``field``."""
        if self.everything:
            return Q()
        if self.region_prefix:
            return within_region(field, self.region_prefix)
        return Q(pk__in=[])


def union_prefix(user: Actor | None) -> str | None:
    """A trade-union officer's region prefix. The union sees only what it funds (求学圆梦 claims
    and their study records, by the claim's county), so ``scope_for`` gives it nothing."""
    if (user is None or not getattr(user, "is_authenticated", False) or not user.is_active
            or user.role != Role.UNION_OFFICER or not user.region_id):
        return None
    return region_prefix(user.region_id)


NOTHING = Q(pk__in=[])
PROVINCE_PREFIX = "37"


def _any(paths: Sequence[str], lookup: str, value: Any) -> Q:
    q = NOTHING
    for path in paths:
        q |= Q(**{f"{path}{lookup}": value})
    return q


def _any_within(paths: Sequence[str], prefix: str) -> Q:
    q = NOTHING
    for path in paths:
        q |= within_region(path, prefix)
    return q


def scope_q(
    scope: Scope,
    *,
    region: Sequence[str] = (),
    organisation: Sequence[str] = (),
    person: Sequence[str] = (),
    action: str | None = None,
) -> Q:
    """The filter of one scope over a model, from the paths the model declares (STYLE 14).

    ``region``: paths to ``registry.Region`` FKs (a row is in an officer's subtree when any of
    them is); ``organisation`` / ``person``: paths to the organisation or person a row belongs
    to; ``action``: the path to its ``plan.Action``. The department rule: a sector officer sees
    only rows reached through one of their department's actions — within their region when
    they sit below the province — and nothing of a model that declares no action path.
    A multi-valued path may repeat rows: filter by ``pk__in`` a subquery then.
    """
    if scope.everything:
        return Q()
    if scope.person_id:
        return _any(person, "_id", scope.person_id)
    if scope.organisation_id:
        return _any(organisation, "_id", scope.organisation_id)
    if scope.department_id:
        if action is None:
            return NOTHING
        q = Q(**{f"{action}__number__in": scope.action_numbers})
        if scope.region_prefix and scope.region_prefix != PROVINCE_PREFIX:
            q &= _any_within(region, scope.region_prefix)
        return q
    if scope.region_prefix:
        return _any_within(region, scope.region_prefix)
    return NOTHING


def scope_for(user: Viewer | None) -> Scope:
    """The scope of ``user``; an anonymous or inactive user (``is_authenticated`` / ``is_active``
    false, e.g. Django's AnonymousUser) has an empty one."""
    if (user is None or isinstance(user, AnonymousUser) or not getattr(user, "is_authenticated", False)
            or not user.is_active):
        return Scope()
    role = user.role
    if role in {Role.AUDITOR, Role.SECURITY_ADMIN}:
        return Scope(everything=True)
    if role in {Role.HRSS_OFFICER, Role.FINANCE_OFFICER} and user.region_id:
        prefix = region_prefix(user.region_id)
        if prefix == "37":
            return Scope(everything=True, region_prefix=prefix)
        return Scope(region_prefix=prefix)
    if role == Role.SECTOR_OFFICER and user.department_id:
        numbers = department_action_numbers(user.department_id)
        prefix = region_prefix(user.region_id) if user.region_id else "37"
        return Scope(region_prefix=prefix, department_id=user.department_id, action_numbers=numbers)
    if role in {Role.INSTITUTION, Role.EVALUATOR} and user.organisation_id:
        return Scope(organisation_id=user.organisation_id)
    if role == Role.TRAINEE and user.person_id:
        return Scope(person_id=user.person_id)
    return Scope()


def get_for_user(queryset: models.QuerySet[M], user: Viewer, pk: Any) -> M:
    """Fetch one object through the model's ``visible_to``; 404 for missing and forbidden alike."""
    try:
        return queryset.visible_to(user).get(pk=pk)  # type: ignore[attr-defined]
    # The stubs give DoesNotExist to concrete models only, not to a type variable's bound.
    except (queryset.model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]
        raise Http404 from None
