"""Training bases API under /api/v1/bases/ (seed 一(九), 一(八)): bases and their facilities,
a base's calendar, booking requests and decisions, utilisation, school programmes.

Roles with ``require_api_roles``; reads through ``visible_to`` (404 out of scope); writes
through ``actions`` / ``school_actions`` (403 not allowed, 409 illegal move, 422 bad input)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from jixing.core.access import get_for_user
from jixing.core.permissions import AuthedRequest, require_api_roles
from jixing.core.roles import Role
from jixing.registry.models import Occupation, Organisation, SkillLevel

from . import access, actions, queries, school_actions
from .models import READER_ROLES, Booking, Facility
from .schools import SchoolProgramme

router = Router(tags=["bases: 公共实训基地与技工院校"])

READERS = tuple(READER_ROLES)
Id = Annotated[int, Path(ge=1, le=2**63 - 1)]


class BasesMessage(Schema):
    detail: Any


class FacilityOut(Schema):
    id: int
    base_id: int
    name: str
    kind: str
    stations: int
    equipment: str
    is_free: bool
    price_per_station_day: Decimal | None
    daily_hours: int
    occupation_ids: list[int]

    @staticmethod
    def resolve_occupation_ids(obj: Facility) -> list[int]:
        return [o.pk for o in obj.occupations.all()]


class TrainingBaseOut(Schema):
    id: int
    name: str
    county: str
    facilities: list[FacilityOut]

    @staticmethod
    def resolve_county(obj: Organisation) -> str:
        return obj.county_id

    @staticmethod
    def resolve_facilities(obj: Organisation) -> list[Any]:
        return list(obj.facilities.active().prefetch_related("occupations"))


class FacilityIn(Schema):
    name: str = Field(max_length=100)
    kind: str = "workshop"
    stations: int = Field(ge=1, le=10000)
    equipment: str = ""
    is_free: bool = True
    price_per_station_day: Decimal | None = Field(None, gt=0, max_digits=10, decimal_places=2)
    daily_hours: int = Field(8, ge=1, le=24)
    occupation_ids: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] = Field(default_factory=list, max_length=200)


class BookingOut(Schema):
    id: int
    code: str
    base_id: int
    facility_id: int
    requester_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    stations: int
    purpose: str
    quoted_fee: Decimal
    status: str
    decision_note: str


class BookingIn(Schema):
    facility_id: int = Field(ge=1, le=2**63 - 1)
    starts_at: dt.datetime
    ends_at: dt.datetime
    stations: int = Field(ge=1, le=10000)
    purpose: str = Field(max_length=300)
    occupation_id: int | None = Field(None, ge=1, le=2**63 - 1)


class DecisionIn(Schema):
    note: str = Field("", max_length=300)


class CalendarDayOut(Schema):
    day: dt.date
    held: int
    asked: int
    free: int


class CalendarRowOut(Schema):
    facility_id: int
    facility: str
    stations: int
    days: list[CalendarDayOut]


class UtilisationMonthOut(Schema):
    month: int
    booked_hours: Decimal
    share: Decimal | None


class UtilisationOut(Schema):
    base_id: int
    name: str
    bookings: int
    outside_institutions: int
    months: list[UtilisationMonthOut]


class SchoolProgrammeOut(Schema):
    id: int
    provider_id: int
    kind: str
    name: str
    occupation_id: int
    level: int
    cohort_year: int
    cohort_size: int
    duration_days: int
    full_time: bool
    in_enrolment_plan: bool
    target_group: str

    @staticmethod
    def resolve_level(obj: SchoolProgramme) -> int:
        return obj.level_id


class SchoolProgrammeIn(Schema):
    kind: str
    name: str = Field(max_length=120)
    occupation_id: int = Field(ge=1, le=2**63 - 1)
    level: int = Field(ge=1, le=8)
    cohort_year: int = Field(ge=2020, le=2035)
    cohort_size: int = Field(ge=1, le=100000)
    duration_days: int = Field(ge=1, le=2000)
    full_time: bool = True
    in_enrolment_plan: bool = False
    target_group: str = Field("", max_length=120)


def _occupation(pk: int | None, field: str) -> Occupation | None:
    if pk is None:
        return None
    occupation = Occupation.objects.filter(pk=pk).first()
    if occupation is None:
        raise ValidationError({field: [_("Unknown value “%(value)s”.") % {"value": pk}]})
    return occupation


def _in_tz(moment: dt.datetime) -> dt.datetime:
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


@router.get("/", response=list[TrainingBaseOut])
def list_bases(request: AuthedRequest) -> Any:
    require_api_roles(request, *READERS)
    return queries.bases(request.user)[:500]


@router.get("/{base_id}/calendar", response=list[CalendarRowOut], summary="A base's month: stations held and requested per day")
def base_calendar(request: AuthedRequest, base_id: Id, month: str = Query(..., pattern=r"^20[2-3]\d-(0[1-9]|1[0-2])$")) -> Any:
    require_api_roles(request, *READERS)
    base = queries.get_base(request.user, base_id)
    data = queries.base_calendar(request.user, base, dt.datetime.strptime(month, "%Y-%m").date())
    return [{"facility_id": row.facility.pk, "facility": row.facility.name, "stations": row.facility.stations,
             "days": row.cells} for row in data["rows"]]


@router.post("/facilities", response={201: FacilityOut, 403: BasesMessage, 422: BasesMessage})
def create_facility(request: AuthedRequest, body: FacilityIn) -> Any:
    require_api_roles(request, Role.INSTITUTION)
    base = request.user.organisation
    if base is None:
        raise PermissionDenied(_("Only the training base's own staff may do this."))
    occupations = [_occupation(pk, "occupation_ids") for pk in body.occupation_ids]
    facility = actions.create_facility(by=request.user, base=base, data=body.dict(exclude={"occupation_ids"}),
                                       occupations=[o for o in occupations if o is not None])
    return Status(201, facility)


@router.put("/facilities/{facility_id}", response={200: FacilityOut, 403: BasesMessage, 422: BasesMessage})
def update_facility(request: AuthedRequest, facility_id: Id, body: FacilityIn) -> Any:
    require_api_roles(request, Role.INSTITUTION)
    facility = get_for_user(Facility.objects.select_related("base"), request.user, facility_id)
    if not access.is_base_staff(request.user, facility.base):
        raise Http404
    occupations = [_occupation(pk, "occupation_ids") for pk in body.occupation_ids]
    return actions.update_facility(facility, by=request.user, data=body.dict(exclude={"occupation_ids"}),
                                   occupations=[o for o in occupations if o is not None])


@router.get("/bookings", response=list[BookingOut])
def list_bookings(request: AuthedRequest, status: str | None = Query(None, max_length=12)) -> Any:
    require_api_roles(request, *READERS)
    qs = Booking.objects.visible_to(request.user).order_by("-starts_at")
    return qs.filter(status=status)[:500] if status else qs[:500]


@router.get("/bookings/{booking_id}", response=BookingOut)
def get_booking(request: AuthedRequest, booking_id: Id) -> Any:
    require_api_roles(request, *READERS)
    return get_for_user(Booking.objects.all(), request.user, booking_id)


@router.post("/bookings", response={201: BookingOut, 403: BasesMessage, 404: BasesMessage, 422: BasesMessage},
             summary="Request stations of another base's facility")
def request_booking(request: AuthedRequest, body: BookingIn) -> Any:
    require_api_roles(request, Role.INSTITUTION)
    facility = get_for_user(Facility.objects.active(), request.user, body.facility_id)
    booking = actions.request_booking(by=request.user, facility=facility, starts_at=_in_tz(body.starts_at),
                                      ends_at=_in_tz(body.ends_at), stations=body.stations, purpose=body.purpose,
                                      occupation=_occupation(body.occupation_id, "occupation_id"))
    return Status(201, booking)


def _decide(request: AuthedRequest, booking_id: int, verb: str, note: str) -> Booking:
    require_api_roles(request, Role.INSTITUTION)
    booking = get_for_user(Booking.objects.select_related("base"), request.user, booking_id)
    try:
        if verb == "accept":
            return actions.accept_booking(booking, by=request.user, note=note)
        if verb == "decline":
            return actions.decline_booking(booking, by=request.user, note=note)
        return actions.withdraw_booking(booking, by=request.user, reason=note)
    except PermissionDenied:
        raise Http404 from None  # the other party sees the booking but never takes the other's step


@router.post("/bookings/{booking_id}/accept", response={200: BookingOut, 404: BasesMessage, 409: BasesMessage, 422: BasesMessage})
def accept_booking(request: AuthedRequest, booking_id: Id, body: DecisionIn) -> Any:
    return _decide(request, booking_id, "accept", body.note)


@router.post("/bookings/{booking_id}/decline", response={200: BookingOut, 404: BasesMessage, 409: BasesMessage, 422: BasesMessage})
def decline_booking(request: AuthedRequest, booking_id: Id, body: DecisionIn) -> Any:
    return _decide(request, booking_id, "decline", body.note)


@router.post("/bookings/{booking_id}/withdraw", response={200: BookingOut, 404: BasesMessage, 409: BasesMessage, 422: BasesMessage})
def withdraw_booking(request: AuthedRequest, booking_id: Id, body: DecisionIn) -> Any:
    return _decide(request, booking_id, "withdraw", body.note)


@router.get("/utilisation", response=list[UtilisationOut], summary="Utilisation by base and month within the caller's region")
def utilisation(request: AuthedRequest, year: int = Query(..., ge=2020, le=2035)) -> Any:
    require_api_roles(request, Role.HRSS_OFFICER, Role.SECTOR_OFFICER, Role.FINANCE_OFFICER, Role.AUDITOR)
    return queries.utilisation(list(queries.bases_in_scope(request.user).values_list("pk", flat=True)), year=year)


@router.get("/programmes", response=list[SchoolProgrammeOut])
def list_programmes(request: AuthedRequest, provider_id: int | None = Query(None, ge=1, le=2**63 - 1)) -> Any:
    require_api_roles(request, *READERS)
    qs = queries.programmes(request.user)
    return qs.filter(provider_id=provider_id)[:500] if provider_id else qs[:500]


@router.post("/programmes", response={201: SchoolProgrammeOut, 403: BasesMessage, 422: BasesMessage})
def create_programme(request: AuthedRequest, body: SchoolProgrammeIn) -> Any:
    require_api_roles(request, Role.INSTITUTION)
    provider = request.user.organisation
    if provider is None:
        raise PermissionDenied(_("Only the school's own staff may keep its programmes."))
    level = SkillLevel.objects.filter(order=body.level).first()
    if level is None:
        raise ValidationError({"level": [_("Unknown value “%(value)s”.") % {"value": body.level}]})
    data = {**body.dict(exclude={"occupation_id", "level"}), "level": level,
            "occupation": _occupation(body.occupation_id, "occupation_id")}
    return Status(201, school_actions.save_programme(by=request.user, provider=provider, data=data))
