"""Registry API: persons (masked) and organisations, always within the caller's data scope.

Authentication is global (session with CSRF, or an organisation's ``X-API-Token``); each
endpoint checks roles with ``require_api_roles`` and reads through ``visible_to``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from jixing.core.access import get_for_user
from jixing.core.pagination import BoundedPageNumberPagination
from jixing.core.permissions import AuthedRequest, require_api_roles

from . import actions, queries
from .models import (
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Person,
    PersonRestriction,
    Region,
    RestrictionKind,
)
from .queries import (
    ORGANISATION_READERS,
    PERSON_READERS,
    PERSON_WRITERS,
    RESTRICTION_READERS,
    RESTRICTION_WRITERS,
)
from .validators import normalise_id_number

router = Router(tags=["registry"])

REGION_PATTERN = r"^37\d{4}$"
KIND_PATTERN = "^(" + "|".join(OrganisationKind.values) + ")$"
STATUS_PATTERN = "^(" + "|".join(OrganisationStatus.values) + ")$"
RESTRICTION_KIND_PATTERN = "^(" + "|".join(RestrictionKind.values) + ")$"


class PersonOut(Schema):
    id: int
    name: str
    id_number_masked: str = Field(alias="masked_id_number", description="First 6 and last 4 characters; the rest masked.")
    phone_masked: str = Field(alias="masked_phone")
    sex: str = Field(description="M or F, from the ID number.")
    birth_year: int = Field(description="Year of birth only: the masked digits of the ID number are the birth date.")
    household_region: str = Field(alias="household_region_id", description="GB/T 2260 county code.")
    current_region: str = Field(alias="current_region_id", description="GB/T 2260 county code.")
    education: str
    employment_status: str
    target_groups: list[str] = Field(description="Current target groups; sensitive ones hidden without the field permission.")
    archived: bool = Field(alias="is_archived")

    @staticmethod
    def resolve_target_groups(obj: Person, context: dict[str, Any]) -> list[str]:
        return queries.membership_labels(obj, context["request"].user)


class PersonIn(Schema):
    """The fields a caller may set; anything else in the body is ignored (SECURITY.md B5)."""

    id_number: str = Field(max_length=30)
    name: str = Field(max_length=50)
    household_region: str = Field(max_length=6, description="GB/T 2260 county code.")
    current_region: str = Field(max_length=6, description="GB/T 2260 county code.")
    phone: str = Field("", max_length=20)
    education: str = Field("", max_length=20)
    employment_status: str = Field("unknown", max_length=20)


class OrganisationOut(Schema):
    id: int
    uscc: str
    name: str
    kind: str
    county: str = Field(alias="county_id")
    address: str
    is_chain_leader: bool
    is_specialised: bool
    is_single_champion: bool
    above_size_list_year: int | None
    enrolled_students: int | None
    teacher_count: int
    capacity: int
    status: str
    status_until: dt.date | None
    status_reason: str
    archived: bool = Field(alias="is_archived")


class ErrorOut(Schema):
    detail: Any = Field(description="A message, or field → messages for 422.")


def _region(code: str, field: str) -> Region:
    region = Region.objects.filter(pk=code).first()
    if region is None:
        raise ValidationError({field: _("Unknown region code.")})
    return region


@router.get("/persons", response={200: list[PersonOut], 422: ErrorOut})
@paginate(BoundedPageNumberPagination)
def list_persons(
    request: AuthedRequest,
    id_number: str | None = Query(None, max_length=40, description=(
        "Exact 18-character ID number (full-width digits accepted; other scripts' digits refused: 422).")),
    name: str | None = Query(None, max_length=50, description="Beginning of the name."),
    region: str | None = Query(None, pattern=REGION_PATTERN, description="City or county code (GB/T 2260)."),
) -> Any:
    """Persons in the caller's scope, newest first, masked."""
    require_api_roles(request, *PERSON_READERS)
    if id_number is not None:
        try:
            number = normalise_id_number(id_number)
        except ValidationError as exc:
            raise ValidationError({"id_number": exc.messages}) from None
        return queries.search_persons(request.user, q=number)
    return queries.search_persons(request.user, q=(name or "").strip(), region=region or "")


@router.get("/persons/{person_id}", response={200: PersonOut, 403: ErrorOut, 404: ErrorOut})
def get_person(request: AuthedRequest, person_id: int) -> Any:
    require_api_roles(request, *PERSON_READERS)
    qs = Person.objects.select_related("household_region", "current_region").prefetch_related(
        queries.current_memberships_prefetch())
    return get_for_user(qs, request.user, person_id)


@router.post("/persons", response={201: PersonOut, 403: ErrorOut, 422: ErrorOut})
def create_person(request: AuthedRequest, payload: PersonIn) -> Any:
    require_api_roles(request, *PERSON_WRITERS)
    person = actions.create_person(
        by=request.user,
        id_number=payload.id_number,
        name=payload.name,
        household_region=_region(payload.household_region, "household_region"),
        current_region=_region(payload.current_region, "current_region"),
        phone=payload.phone,
        education=payload.education,
        employment_status=payload.employment_status,
    )
    return Status(201, person)


@router.get("/organisations", response=list[OrganisationOut])
@paginate(BoundedPageNumberPagination)
def list_organisations(
    request: AuthedRequest,
    q: str | None = Query(None, max_length=60, description="Name fragment or exact unified social credit code."),
    kind: str | None = Query(None, pattern=KIND_PATTERN, description="Organisation kind code."),
    city: str | None = Query(None, pattern=REGION_PATTERN, description="City code (GB/T 2260)."),
    status: str | None = Query(None, pattern=STATUS_PATTERN, description="active, suspended or blacklisted."),
) -> Any:
    """Organisations in the caller's scope."""
    require_api_roles(request, *ORGANISATION_READERS)
    return queries.search_organisations(request.user, q=q or "", kind=kind or "", city=city or "", status=status or "")


@router.get("/organisations/{organisation_id}", response={200: OrganisationOut, 403: ErrorOut, 404: ErrorOut})
def get_organisation(request: AuthedRequest, organisation_id: int) -> Any:
    require_api_roles(request, *ORGANISATION_READERS)
    return get_for_user(Organisation.objects.all(), request.user, organisation_id)


# ---------------------------------------------------------------- person restrictions

class RestrictionOut(Schema):
    id: int
    person_id: int
    person_name: str = Field(alias="person.name")
    person_id_number_masked: str = Field(alias="person.masked_id_number", description="First 6 and last 4 characters; the rest masked.")
    kind: str = Field(description="blacklist or case_decision.")
    starts_on: dt.date
    ends_on: dt.date | None
    reason: str
    reference: str = Field(description="The document or case number that decided it.")
    origin: str = Field(description="officer (recorded here) or case (a supervision case's measure: lifted there).")
    in_force: bool = Field(description="Bars the person's claims today.")
    created_at: dt.datetime
    lifted_at: dt.datetime | None
    lift_reason: str

    @staticmethod
    def resolve_in_force(obj: PersonRestriction) -> bool:
        return obj.in_force_on(timezone.localdate())


class RestrictionIn(Schema):
    person_id: int
    kind: str = Field(pattern=RESTRICTION_KIND_PATTERN, description="blacklist or case_decision.")
    starts_on: dt.date
    ends_on: dt.date | None = None
    reason: str = Field(max_length=500)
    reference: str = Field("", max_length=100, description="The document or case number that decided it.")


class RestrictionLiftIn(Schema):
    reason: str = Field(max_length=500)


@router.get("/restrictions", response={200: list[RestrictionOut], 422: ErrorOut})
@paginate(BoundedPageNumberPagination)
def list_restrictions(
    request: AuthedRequest,
    person_id: int | None = Query(None, description="Only this person's restrictions."),
    in_force: bool | None = Query(None, description="true: barring claims today; false: lifted or ended."),
    kind: str | None = Query(None, pattern=RESTRICTION_KIND_PATTERN),
) -> Any:
    """Restrictions of the persons in the caller's scope, newest first, persons masked."""
    require_api_roles(request, *RESTRICTION_READERS)
    person = get_for_user(Person.objects.all(), request.user, person_id) if person_id is not None else None
    return queries.restrictions(request.user, person=person, in_force=in_force, kind=kind or "")


@router.post("/restrictions", response={201: RestrictionOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def create_restriction(request: AuthedRequest, payload: RestrictionIn) -> Any:
    """Bar a person from subsidies (blacklist or a case decision decided elsewhere); audited."""
    require_api_roles(request, *RESTRICTION_WRITERS)
    person = get_for_user(Person.objects.all(), request.user, payload.person_id)
    restriction = actions.restrict_person(
        person, by=request.user, kind=payload.kind, reason=payload.reason, starts_on=payload.starts_on,
        ends_on=payload.ends_on, reference=payload.reference,
    )
    return Status(201, restriction)


@router.post("/restrictions/{restriction_id}/lift",
             response={200: RestrictionOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def lift_restriction(request: AuthedRequest, restriction_id: int, payload: RestrictionLiftIn) -> Any:
    """Lift a restriction now, with the reason; one recorded by a supervision case is lifted on the case (422)."""
    require_api_roles(request, *RESTRICTION_WRITERS)
    restriction = get_for_user(PersonRestriction.objects.all(), request.user, restriction_id)
    return actions.lift_restriction(restriction, by=request.user, reason=payload.reason)
