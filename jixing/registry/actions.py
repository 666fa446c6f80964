"""Writes to the registry: persons and organisations. Each action is atomic, takes the acting
user as ``by=`` and writes exactly one audit row with masked before/after values (SECURITY.md
C1, C4). Input errors raise ``ValidationError`` keyed by field (the API answers 422)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixing.accounts.models import User
from jixing.core import audit

from . import access, queries
from .models import (
    Education,
    EmploymentStatus,
    Organisation,
    OrganisationKind,
    Person,
    PersonRestriction,
    Region,
    RegionLevel,
    RestrictionKind,
    RestrictionOrigin,
    person_registered,
)
from .validators import normalise_uscc

NAME_MAX = 50
REASON_MIN = 4


# ---------------------------------------------------------------- persons

def person_snapshot(person: Person) -> dict[str, Any]:
    """What the audit log keeps of a person: personal numbers masked (C4)."""
    return {
        "name": person.name,
        "id_number": person.masked_id_number,
        "phone": person.masked_phone,
        "household_region": person.household_region_id,
        "current_region": person.current_region_id,
        "education": person.education,
        "employment_status": person.employment_status,
    }


def _diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    changed = [k for k in after if before.get(k) != after[k]]
    return {k: before.get(k) for k in changed}, {k: after[k] for k in changed}


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter the person's name.")})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": _("The name may have at most %(n)d characters.") % {"n": NAME_MAX}})
    return name


def _check_choice(field: str, value: str, choices: list[str], *, blank: bool) -> None:
    if (blank and value == "") or value in choices:
        return
    raise ValidationError({field: _("Choose one of the listed values.")})


def _check_regions(by: User, household_region: Region, current_region: Region) -> None:
    for field, region in (("household_region", household_region), ("current_region", current_region)):
        if region.level != RegionLevel.COUNTY:
            raise ValidationError({field: _("Choose a county-level region (district, county or county-level city).")})
    prefix = queries.user_region_prefix(by)
    if getattr(by, "role", None) not in queries.PERSON_WRITERS or prefix is None:
        raise PermissionDenied
    if not (current_region.code.startswith(prefix) or household_region.code.startswith(prefix)):
        raise ValidationError({"current_region": _("The household or current region must lie inside your own region.")})


def _set_personal_numbers(person: Person, *, id_number: str | None, phone: str) -> None:
    if id_number is not None:
        try:
            person.set_id_number(id_number)
        except ValidationError as exc:
            raise ValidationError({"id_number": exc.messages}) from None
    try:
        person.set_phone(phone.strip())
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from None


@dataclass(frozen=True)
class PersonData:
    """The editable fields of a person (birth date and sex come from the ID number)."""

    name: str
    household_region: Region
    current_region: Region
    phone: str = ""
    education: str = ""
    employment_status: str = EmploymentStatus.UNKNOWN


def _apply(person: Person, data: PersonData) -> None:
    person.name = _clean_name(data.name)
    _check_choice("education", data.education, Education.values, blank=True)
    _check_choice("employment_status", data.employment_status, EmploymentStatus.values, blank=False)
    person.household_region = data.household_region
    person.current_region = data.current_region
    person.education = data.education
    person.employment_status = data.employment_status


def create_person(
    *,
    by: User,
    id_number: str,
    name: str,
    household_region: Region,
    current_region: Region,
    phone: str = "",
    education: str = "",
    employment_status: str = EmploymentStatus.UNKNOWN,
) -> Person:
    data = PersonData(name=name, household_region=household_region, current_region=current_region,
                      phone=phone, education=education, employment_status=employment_status)
    _check_regions(by, data.household_region, data.current_region)
    person = Person()
    _apply(person, data)
    _set_personal_numbers(person, id_number=id_number, phone=data.phone)
    duplicate = _("A person with this ID number is already registered.")
    if Person.objects.filter(id_number_hash=person.id_number_hash).exists():
        raise ValidationError({"id_number": duplicate})
    try:
        with transaction.atomic():
            person.save()
            audit.record("person.create", actor=by, obj=person, after=person_snapshot(person))
            person_registered([person], by)
    except IntegrityError:  # a concurrent registration of the same number
        raise ValidationError({"id_number": duplicate}) from None
    return person


def update_person(
    person: Person,
    *,
    by: User,
    name: str,
    household_region: Region,
    current_region: Region,
    phone: str = "",
    education: str = "",
    employment_status: str = EmploymentStatus.UNKNOWN,
) -> Person:
    data = PersonData(name=name, household_region=household_region, current_region=current_region,
                      phone=phone, education=education, employment_status=employment_status)
    if not access.can_write_person(by, person):
        raise PermissionDenied
    if person.is_archived:
        raise ValidationError(_("An archived person cannot be edited."))
    _check_regions(by, data.household_region, data.current_region)
    before = person_snapshot(person)
    _apply(person, data)
    _set_personal_numbers(person, id_number=None, phone=data.phone)
    old, new = _diff(before, person_snapshot(person))
    with transaction.atomic():
        if new:
            person.save()
        audit.record("person.update", actor=by, obj=person, before=old, after=new,
                     detail=None if new else {"unchanged": True})
    return person


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN:
        raise ValidationError({"reason": _("Give a reason of at least %(n)d characters.") % {"n": REASON_MIN}})
    return reason[:500]


def archive_person(person: Person, *, by: User, reason: str) -> Person:
    """Registry rows are archived with who/when/why, never deleted (STYLE.md habit 4)."""
    if not access.can_write_person(by, person):
        raise PermissionDenied
    reason = _clean_reason(reason)
    if person.is_archived:
        raise ValidationError(_("This person is already archived."))
    with transaction.atomic():
        person.archived_at = timezone.now()
        person.archived_by = by
        person.archive_reason = reason
        person.save(update_fields=["archived_at", "archived_by", "archive_reason", "updated_at"])
        audit.record("person.archive", actor=by, obj=person, detail={"reason": reason})
    return person


@dataclass(frozen=True)
class Unmasked:
    id_number: str
    phone: str


def unmask_person(person: Person, *, by: User, reason: str) -> Unmasked:
    """Show the full numbers once: field permission, a reason, and an audit row that keeps
    the reason but never the numbers (SECURITY.md B4, E3, C4)."""
    if not getattr(by, "can_unmask", False):
        raise PermissionDenied
    reason = _clean_reason(reason)
    audit.record("person.unmask", actor=by, obj=person,
                 detail={"reason": reason, "fields": ["id_number", "phone", "sensitive_groups"]})
    return Unmasked(id_number=person.id_number, phone=person.phone)


# ---------------------------------------------------------------- organisations

@dataclass(frozen=True)
class OrganisationData:
    name: str
    kind: str
    county: Region
    address: str = ""
    is_chain_leader: bool = False
    is_specialised: bool = False
    is_single_champion: bool = False
    enrolled_students: int | None = None
    teacher_count: int = 0
    capacity: int = 0
    above_size_list_year: int | None = None


def organisation_snapshot(org: Organisation) -> dict[str, Any]:
    return {
        "uscc": org.uscc, "name": org.name, "kind": org.kind, "county": org.county_id, "address": org.address,
        "is_chain_leader": org.is_chain_leader, "is_specialised": org.is_specialised,
        "is_single_champion": org.is_single_champion, "enrolled_students": org.enrolled_students,
        "teacher_count": org.teacher_count, "capacity": org.capacity, "above_size_list_year": org.above_size_list_year,
    }


def _apply_organisation(by: User, org: Organisation, data: OrganisationData) -> None:
    name = (data.name or "").strip()
    if not name:
        raise ValidationError({"name": _("Enter the name.")})
    if len(name) > 120:
        raise ValidationError({"name": _("The name may have at most %(n)d characters.") % {"n": 120}})
    _check_choice("kind", data.kind, OrganisationKind.values, blank=False)
    if data.county.level != RegionLevel.COUNTY:
        raise ValidationError({"county": _("Choose a county-level region (district, county or county-level city).")})
    prefix = queries.user_region_prefix(by)
    if getattr(by, "role", None) not in queries.ORGANISATION_WRITERS or prefix is None:
        raise PermissionDenied
    if not data.county.code.startswith(prefix):
        raise ValidationError({"county": _("The county must lie inside your own region.")})
    for field in ("enrolled_students", "teacher_count", "capacity"):
        value = getattr(data, field)
        if value is not None and value < 0:
            raise ValidationError({field: _("Enter a number that is not negative.")})
    if data.kind in (OrganisationKind.VOCATIONAL_COLLEGE, OrganisationKind.TECHNICAL_SCHOOL) and data.enrolled_students is None:
        # Seed 一(八): a college's social training is measured against its enrolled students.
        raise ValidationError({"enrolled_students": _("Colleges and technical schools must state their enrolled students.")})
    org.name = name
    org.kind = data.kind
    org.county = data.county
    org.address = (data.address or "").strip()[:200]
    org.is_chain_leader = data.is_chain_leader
    org.is_specialised = data.is_specialised
    org.is_single_champion = data.is_single_champion
    org.enrolled_students = data.enrolled_students
    org.teacher_count = data.teacher_count
    org.capacity = data.capacity
    org.above_size_list_year = data.above_size_list_year if data.kind == OrganisationKind.ENTERPRISE else None


def create_organisation(
    *,
    by: User,
    uscc: str,
    name: str,
    kind: str,
    county: Region,
    address: str = "",
    is_chain_leader: bool = False,
    is_specialised: bool = False,
    is_single_champion: bool = False,
    enrolled_students: int | None = None,
    teacher_count: int = 0,
    capacity: int = 0,
    above_size_list_year: int | None = None,
) -> Organisation:
    data = OrganisationData(
        name=name, kind=kind, county=county, address=address, is_chain_leader=is_chain_leader,
        is_specialised=is_specialised, is_single_champion=is_single_champion,
        enrolled_students=enrolled_students, teacher_count=teacher_count, capacity=capacity,
        above_size_list_year=above_size_list_year,
    )
    org = Organisation()
    _apply_organisation(by, org, data)
    try:
        org.uscc = normalise_uscc(uscc)
    except ValidationError as exc:
        raise ValidationError({"uscc": exc.messages}) from None
    duplicate = _("An organisation with this unified social credit code is already registered.")
    if Organisation.objects.filter(uscc=org.uscc).exists():
        raise ValidationError({"uscc": duplicate})
    try:
        with transaction.atomic():
            org.save()
            audit.record("organisation.create", actor=by, obj=org, after=organisation_snapshot(org))
    except IntegrityError:
        raise ValidationError({"uscc": duplicate}) from None
    return org


def update_organisation(
    org: Organisation,
    *,
    by: User,
    name: str,
    kind: str,
    county: Region,
    address: str = "",
    is_chain_leader: bool = False,
    is_specialised: bool = False,
    is_single_champion: bool = False,
    enrolled_students: int | None = None,
    teacher_count: int = 0,
    capacity: int = 0,
    above_size_list_year: int | None = None,
) -> Organisation:
    data = OrganisationData(
        name=name, kind=kind, county=county, address=address, is_chain_leader=is_chain_leader,
        is_specialised=is_specialised, is_single_champion=is_single_champion,
        enrolled_students=enrolled_students, teacher_count=teacher_count, capacity=capacity,
        above_size_list_year=above_size_list_year,
    )
    if not access.can_write_organisation(by, org):
        raise PermissionDenied
    if org.is_archived:
        raise ValidationError(_("An archived organisation cannot be edited."))
    before = organisation_snapshot(org)
    _apply_organisation(by, org, data)
    old, new = _diff(before, organisation_snapshot(org))
    with transaction.atomic():
        if new:
            org.save()
        audit.record("organisation.update", actor=by, obj=org, before=old, after=new,
                     detail=None if new else {"unchanged": True})
    return org


def restrict_person(
    person: Person, *, by: User, kind: str, reason: str, starts_on: Any, ends_on: Any = None, reference: str = "",
    origin: str = RestrictionOrigin.OFFICER,
) -> PersonRestriction:
    """Bar a person from subsidies (blacklist, or a case decision about them): HRSS officers of
    the person's region (household or current), among them supervision officers deciding a
    case (``origin="case"``, written by supervision's measure). Audited."""
    if not access.can_write_person(by, person):
        raise PermissionDenied(_("Your role may not do this."))
    errors: dict[str, Any] = {}
    if kind not in RestrictionKind.values:
        errors["kind"] = _("Choose blacklist or case decision.")
    if origin not in RestrictionOrigin.values:
        errors["origin"] = _("Choose one of the listed values.")
    if not isinstance(starts_on, dt.date):
        errors["starts_on"] = _("Enter the date the restriction starts.")
    elif ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("The restriction ends before it starts.")
    reference = (reference or "").strip()
    if len(reference) > 100:
        errors["reference"] = _("The document or case number is at most 100 characters.")
    try:
        reason = _clean_reason(reason)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        restriction = PersonRestriction.objects.create(
            person=person, kind=kind, starts_on=starts_on, ends_on=ends_on, reason=reason,
            reference=reference, origin=origin, created_by=by,
        )
        audit.record("registry.person.restrict", actor=by, obj=person, after={
            "restriction": restriction.pk, "kind": kind, "starts_on": str(starts_on), "ends_on": str(ends_on or ""),
            "reference": reference, "origin": origin, "reason": reason})
    return restriction


def lift_restriction(restriction: PersonRestriction, *, by: User, reason: str, by_case: bool = False) -> PersonRestriction:
    """End a restriction now, with who and why (kept, never deleted). A restriction recorded by
    a supervision case is lifted only through that case (``by_case``: its measure is lifted or
    its decision overturned), so the case file and the registry never disagree."""
    reason = _clean_reason(reason)
    with transaction.atomic():
        locked = (PersonRestriction.objects.select_for_update().select_related("person")
                  .filter(pk=restriction.pk).first())
        # through a case, supervision has checked the officer's scope over the case
        allowed = (getattr(by, "role", None) in queries.RESTRICTION_WRITERS if by_case
                   else access.can_write_person(by, locked.person) if locked is not None else False)
        if locked is None or not allowed:
            raise PermissionDenied(_("Your role may not do this."))
        if locked.lifted_at is not None:
            raise ValidationError(_("This restriction was already lifted."))
        if locked.origin == RestrictionOrigin.CASE and not by_case:
            raise ValidationError(_("This restriction is a measure of case %(case)s: lift it on the case.")
                                  % {"case": locked.reference})
        locked.lifted_at, locked.lifted_by, locked.lift_reason = timezone.now(), by, reason
        locked.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
        audit.record("registry.person.restriction_lift", actor=by, obj=locked.person,
                     before={"restriction": locked.pk, "kind": locked.kind, "reference": locked.reference},
                     after={"lifted_at": locked.lifted_at.isoformat(), "reason": reason})
    return locked
