"""Reads for the registry pages, the API and the workbench. Every function starts from a
``visible_to(user)`` queryset (SECURITY.md B3)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jixing.accounts.models import Role
from jixing.core.access import code_within, region_prefix, scope_for, within_region
from jixing.core.actor import Actor

from .models import (
    HOME_PREFIX,
    Organisation,
    OrganisationQuerySet,
    OrganisationStatus,
    Person,
    PersonGroup,
    PersonQuerySet,
    PersonRestriction,
    Region,
    RegionLevel,
    TargetGroup,
)
from .validators import id_number_or_none

# Roles that may open the registry pages at all; the queryset then narrows to their scope.
PERSON_READERS = frozenset({
    Role.HRSS_OFFICER, Role.SECTOR_OFFICER, Role.FINANCE_OFFICER, Role.AUDITOR, Role.INSTITUTION, Role.EVALUATOR,
})
PERSON_WRITERS = frozenset({Role.HRSS_OFFICER})
ORGANISATION_READERS = PERSON_READERS
ORGANISATION_WRITERS = frozenset({Role.HRSS_OFFICER})
# Person restrictions (blacklist, case decisions): read by the officers who review and pay
# claims and by auditors; recorded and lifted by HRSS officers of the person's region.
RESTRICTION_READERS = frozenset({Role.HRSS_OFFICER, Role.FINANCE_OFFICER, Role.AUDITOR})
RESTRICTION_WRITERS = PERSON_WRITERS


def looks_like_id_number(text: str) -> bool:
    return id_number_or_none(text) is not None


# ---------------------------------------------------------------- persons

def current_memberships_prefetch(day: dt.date | None = None) -> Prefetch:
    day = day or timezone.localdate()
    memberships = (
        PersonGroup.objects.filter(archived_at__isnull=True).filter(valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day)).select_related("group").order_by("group_id")
    )
    return Prefetch("memberships", queryset=memberships, to_attr="current_memberships")


def search_persons(
    user: Actor,
    *,
    q: str = "",
    region: str = "",
    group: TargetGroup | None = None,
    include_archived: bool = False,
) -> QuerySet[Person]:
    """Persons ``user`` may see. A full ID number is found through its keyed hash (archived
    persons included: an exact key should always find its record); otherwise ``q`` is a name
    prefix."""
    qs = Person.objects.visible_to(user).select_related("current_region", "household_region")
    q = q.strip()
    if q and looks_like_id_number(q):
        qs = qs.with_id_number(q)
    else:
        if q:
            qs = qs.filter(name__startswith=q)
        if not include_archived:
            qs = qs.active()
    if region:
        prefix = region_prefix_of(region)
        qs = qs.filter(within_region("current_region", prefix) | within_region("household_region", prefix))
    if group is not None and not group.sensitive:  # sensitive memberships are sealed: never a filter
        today = timezone.localdate()
        qs = qs.filter(
            pk__in=PersonGroup.objects.filter(archived_at__isnull=True).filter(group=group, valid_from__lte=today)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today)).values("person_id")
        )
    return qs.prefetch_related(current_memberships_prefetch()).order_by("-id")


def _revealed_to(user: Actor, person: Person, revealed: bool) -> bool:
    """Sensitive groups show only after an audited unmask (B4, E3), or to the person themself."""
    return revealed or getattr(user, "person_id", None) == person.pk


def _label(m: PersonGroup, show_sensitive: bool) -> tuple[str, bool]:
    """The membership's group name, or the hidden marker; and whether it was hidden."""
    sensitive = m.is_sealed or (m.group is not None and m.group.sensitive)
    if sensitive and not show_sensitive:
        return _("Sensitive information (hidden)"), True
    return m.target_group().name, False


def membership_labels(person: Person, user: Actor, *, revealed: bool = False) -> list[str]:
    memberships = getattr(person, "current_memberships", None)
    if memberships is None:
        memberships = list(person.memberships.filter(archived_at__isnull=True).select_related("group"))
    show = _revealed_to(user, person, revealed)
    labels: list[str] = []
    for m in memberships:
        label, _hidden = _label(m, show)
        if label not in labels:
            labels.append(label)
    return labels


@dataclass(frozen=True)
class MembershipRow:
    label: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    evidence: str
    current: bool
    hidden: bool


def membership_rows(person: Person, user: Actor, *, revealed: bool = False) -> list[MembershipRow]:
    """All memberships of a person for the detail page; dates and evidence of a hidden
    (sensitive) membership are withheld too. ``revealed``: after an audited unmask."""
    today = timezone.localdate()
    show = _revealed_to(user, person, revealed)
    rows = []
    for m in person.memberships.filter(archived_at__isnull=True).select_related("group").order_by("-valid_from"):
        label, hidden = _label(m, show)
        rows.append(MembershipRow(
            label=label,
            valid_from=None if hidden else m.valid_from,
            valid_to=None if hidden else m.valid_to,
            evidence="" if hidden else m.evidence,
            current=m.is_valid_on(today),
            hidden=hidden,
        ))
    return rows


def groups_filterable_by(user: Actor) -> QuerySet[TargetGroup]:
    """Sensitive memberships are sealed (encrypted, no group key in the clear): a list of
    everyone with a disability would be a mass unmask, so they are never a filter."""
    return TargetGroup.objects.filter(sensitive=False)


def persons_writable_by(user: Actor) -> PersonQuerySet:
    """HRSS officers edit persons of their own region (household or current), never
    through another app's scope extension."""
    if getattr(user, "role", None) not in PERSON_WRITERS:
        return Person.objects.none()
    scope = scope_for(user)
    if not scope.region_prefix:
        return Person.objects.none()
    return Person.objects.filter(scope.region_q("current_region") | scope.region_q("household_region"))


# ---------------------------------------------------------------- regions

def region_prefix_of(code: str) -> str:
    return region_prefix(code)


def user_region_prefix(user: Actor) -> str | None:
    scope = scope_for(user)
    return scope.region_prefix if scope.region_prefix else ("37" if scope.everything else None)


def regions_for_filter(user: Actor) -> list[tuple[str, list[tuple[str, str]]]]:
    """Cities and counties inside the user's region, grouped by city for a <select>."""
    prefix = user_region_prefix(user)
    if prefix is None:
        return []
    regions = Region.objects.filter(code_within("code", prefix)).exclude(level=RegionLevel.PROVINCE).order_by("code")
    grouped: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    for region in regions:
        city_code = region.city_code
        if region.level == RegionLevel.CITY:
            grouped[city_code] = (region.name, [(region.code, _("%(city)s (whole city)") % {"city": region.name})])
        elif city_code in grouped:
            grouped[city_code][1].append((region.code, region.name))
        else:
            grouped[city_code] = (region.parent.name if region.parent else city_code, [(region.code, region.name)])
    return list(grouped.values())


def counties_writable_by(user: Actor) -> QuerySet[Region]:
    if getattr(user, "role", None) not in PERSON_WRITERS:
        return Region.objects.none()
    prefix = user_region_prefix(user)
    if prefix is None:
        return Region.objects.none()
    return Region.objects.filter(code_within("code", prefix), level=RegionLevel.COUNTY).select_related("parent")


def household_counties_for(user: Actor) -> QuerySet[Region]:
    """Every county of China, for a person's 户籍, to whoever may write persons."""
    if getattr(user, "role", None) not in PERSON_WRITERS or user_region_prefix(user) is None:
        return Region.objects.none()
    return Region.objects.filter(level=RegionLevel.COUNTY).select_related("parent", "parent__parent")


def county_label(region: Region) -> str:
    """"济南市 历下区"; outside Shandong with the province first: "河南省 郑州市 中原区"."""
    parent = region.parent if region.parent_id else None
    names = [parent.name] if parent is not None else []
    if not region.code.startswith(HOME_PREFIX) and parent is not None and parent.parent_id and parent.parent is not None:
        names.insert(0, parent.parent.name)
    return " ".join([*names, region.name])


# ---------------------------------------------------------------- organisations

def search_organisations(
    user: Actor,
    *,
    q: str = "",
    kind: str = "",
    city: str = "",
    status: str = "",
    include_archived: bool = False,
) -> QuerySet[Organisation]:
    qs = Organisation.objects.visible_to(user).select_related("county", "county__parent")
    if not include_archived:
        qs = qs.active()
    q = q.strip()
    if q:
        compact = q.replace(" ", "").upper()
        qs = qs.filter(uscc=compact) if len(compact) == 18 and compact.isalnum() and not _has_cjk(q) else qs.filter(name__contains=q)
    if kind:
        qs = qs.filter(kind=kind)
    if city:
        qs = qs.filter(within_region("county", city))
    if status == "blocked":
        qs = qs.exclude(status=OrganisationStatus.ACTIVE)
    elif status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def organisations_writable_by(user: Actor) -> OrganisationQuerySet:
    if getattr(user, "role", None) not in ORGANISATION_WRITERS:
        return Organisation.objects.none()
    prefix = user_region_prefix(user)
    if prefix is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(within_region("county", prefix))


def cities_for_filter(user: Actor) -> list[Region]:
    prefix = user_region_prefix(user)
    if prefix is None:
        return []
    return list(Region.objects.filter(code_within("code", prefix[:4]), level=RegionLevel.CITY).order_by("code"))


# ---------------------------------------------------------------- workbench

@dataclass(frozen=True)
class RegistryCounts:
    persons: int
    organisations: int
    blocked_organisations: int


def registry_counts(user: Actor) -> RegistryCounts:
    organisations = Organisation.objects.visible_to(user).active()
    return RegistryCounts(
        persons=Person.objects.visible_to(user).active().count(),
        organisations=organisations.count(),
        blocked_organisations=organisations.exclude(status=OrganisationStatus.ACTIVE).count(),
    )


# ---------------------------------------------------------------- restrictions

def restrictions(user: Actor, *, person: Person | None = None, in_force: bool | None = None,
                 kind: str = "") -> QuerySet[PersonRestriction]:
    """Restrictions of the persons in the user's scope, newest first; ``in_force``: only those
    barring claims today (True), or only lifted or ended ones (False)."""
    qs = PersonRestriction.objects.visible_to(user).select_related("person", "created_by", "lifted_by")
    if person is not None:
        qs = qs.filter(person=person)
    if kind:
        qs = qs.filter(kind=kind)
    if in_force is not None:
        now = PersonRestriction.objects.in_force_on(timezone.localdate()).values("pk")
        qs = qs.filter(pk__in=now) if in_force else qs.exclude(pk__in=now)
    return qs.order_by("-starts_on", "-id")
