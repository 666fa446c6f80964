"""Writes of public training bases (seed 一(九)): facilities, booking requests and decisions.

Who: a base's own staff (an institution user of the PUBLIC_TRAINING_BASE organisation) edit its
facilities and accept or decline requests; staff of any OTHER active institution request and
withdraw. Every action is atomic, audited, refuses bad input with a ``ValidationError`` naming
the field and publishes its event after commit.

No double booking beyond capacity: acceptance locks the facility row (``select_for_update``) and
checks the accepted bookings that overlap, so two officers accepting at once are serialised
(PostgreSQL; SQLite serialises writers anyway).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixing.core import audit
from jixing.core.events import publish
from jixing.core.numbering import save_with_serial
from jixing.core.roles import Role
from jixing.core.workflow import move
from jixing.registry.models import Occupation, Organisation

from . import rules
from .access import is_base_staff
from .models import Booking, BookingStatus, Facility

FACILITY_FIELDS = ("name", "kind", "stations", "equipment", "is_free", "price_per_station_day", "daily_hours")


def _require_base_staff(user: Any, base: Organisation) -> None:
    if not is_base_staff(user, base):
        raise PermissionDenied(_("Only the training base's own staff may do this."))


def _lock(obj: Any) -> None:
    list(type(obj).objects.select_for_update().filter(pk=obj.pk).values_list("pk"))
    obj.refresh_from_db()


def _facility_values(data: Mapping[str, Any]) -> dict[str, Any]:
    values = {key: data[key] for key in FACILITY_FIELDS if key in data}
    if values.get("is_free", True):
        values["price_per_station_day"] = None
    elif values.get("price_per_station_day") in (None, ""):
        raise ValidationError({"price_per_station_day": [_("State the price of a facility that is not free.")]})
    return values


def create_facility(*, by: Any, base: Organisation, data: Mapping[str, Any],
                    occupations: Iterable[Occupation] = ()) -> Facility:
    _require_base_staff(by, base)
    with transaction.atomic():
        facility = Facility(base=base, **_facility_values(data))
        facility.full_clean(exclude=["occupations"])
        facility.save()
        facility.occupations.set(list(occupations))
        audit.record("bases.facility.created", actor=by, obj=facility,
                     after={key: str(getattr(facility, key)) for key in FACILITY_FIELDS})
    return facility


def update_facility(facility: Facility, *, by: Any, data: Mapping[str, Any],
                    occupations: Iterable[Occupation] | None = None) -> Facility:
    _require_base_staff(by, facility.base)
    if facility.is_archived:
        raise ValidationError(_("An archived facility cannot be changed."))
    with transaction.atomic():
        _lock(facility)
        before = {key: str(getattr(facility, key)) for key in FACILITY_FIELDS}
        values = _facility_values(data)
        if "stations" in values and values["stations"] < facility.stations:
            _refuse_shrinking(facility, values["stations"])
        for key, value in values.items():
            setattr(facility, key, value)
        facility.full_clean(exclude=["occupations"])
        facility.save()
        if occupations is not None:
            facility.occupations.set(list(occupations))
        after = {key: str(getattr(facility, key)) for key in FACILITY_FIELDS}
        audit.record("bases.facility.updated", actor=by, obj=facility,
                     before={k: v for k, v in before.items() if after[k] != v},
                     after={k: v for k, v in after.items() if before[k] != v})
    return facility


def _refuse_shrinking(facility: Facility, stations: int) -> None:
    """Fewer stations may not strand bookings already accepted for the future."""
    now = timezone.now()
    slots = _accepted_slots(facility, now, now + dt.timedelta(days=rules.MAX_BOOKING_DAYS * 2))
    if slots and rules.peak_stations(slots, min(s.starts_at for s in slots), max(s.ends_at for s in slots)) > stations:
        raise ValidationError({"stations": [_("Accepted bookings already hold more stations than that.")]})


def archive_facility(facility: Facility, *, by: Any, reason: str) -> Facility:
    _require_base_staff(by, facility.base)
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason.")]})
    with transaction.atomic():
        _lock(facility)
        if facility.bookings.filter(status__in=[BookingStatus.REQUESTED, BookingStatus.ACCEPTED],
                                    ends_at__gt=timezone.now()).exists():
            raise ValidationError(_("The facility has open or accepted bookings still to come."))
        facility.archived_at, facility.archived_by, facility.archive_reason = timezone.now(), by, reason.strip()
        facility.save(update_fields=["archived_at", "archived_by", "archive_reason", "updated_at"])
        audit.record("bases.facility.archived", actor=by, obj=facility, detail={"reason": reason.strip()})
    return facility


def _accepted_slots(facility: Facility, start: dt.datetime, end: dt.datetime, *,
                    exclude: int | None = None) -> list[rules.Slot]:
    rows = (facility.bookings.holding().filter(starts_at__lt=end, ends_at__gt=start)
            .exclude(pk=exclude).values_list("starts_at", "ends_at", "stations"))
    return [rules.Slot(a, b, n) for a, b, n in rows]


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def request_booking(*, by: Any, facility: Facility, starts_at: dt.datetime, ends_at: dt.datetime, stations: int,
                    purpose: str, occupation: Occupation | None = None) -> Booking:
    """An outside institution asks a base for ``stations`` of ``facility`` over [starts_at, ends_at)."""
    requester: Organisation | None = getattr(by, "organisation", None)
    if getattr(by, "role", None) != Role.INSTITUTION or requester is None:
        raise PermissionDenied(_("Only staff of a training institution may request a booking."))
    if requester.pk == facility.base_id:
        raise PermissionDenied(_("A base schedules its own facilities; bookings are for other institutions."))
    if requester.is_blocked_on(timezone.localdate()):
        raise PermissionDenied(_("A suspended or blacklisted institution may not book a training base."))
    if facility.is_archived:
        raise ValidationError({"facility": [_("This facility is no longer offered.")]})
    if not purpose.strip():
        raise ValidationError({"purpose": [_("Say which class or programme the stations are for.")]})
    decision = rules.check_request(starts_at=starts_at, ends_at=ends_at, stations=stations,
                                   facility_stations=facility.stations, now=timezone.now())
    if not decision.ok:
        raise ValidationError({"__all__": list(decision.reasons)})
    with transaction.atomic():
        fee = rules.quote_fee(price_per_station_day=facility.price_per_station_day, stations=stations,
                              first_day=_local_day(starts_at), last_day=_local_day(ends_at - dt.timedelta(seconds=1)))
        booking = Booking(facility=facility, base_id=facility.base_id, requester=requester, starts_at=starts_at,
                          ends_at=ends_at, stations=stations, purpose=purpose.strip(), occupation=occupation,
                          quoted_fee=fee, requested_by=by)
        prefix = f"SX{_local_day(starts_at):%Y%m}"
        save_with_serial(booking, "code", prefix, width=5)
        audit.record("bases.booking.requested", actor=by, obj=booking,
                     after={"facility": facility.pk, "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat(),
                            "stations": stations, "quoted_fee": str(fee)})
        publish("bases.booking.requested", obj=booking, actor=by, base=facility.base_id, code=booking.code)
    return booking


def accept_booking(booking: Booking, *, by: Any, note: str = "") -> Booking:
    _require_base_staff(by, booking.base)
    with transaction.atomic():
        facility = Facility.objects.select_for_update().get(pk=booking.facility_id)  # serialises acceptances
        _lock(booking)
        if booking.status != BookingStatus.REQUESTED:
            raise ValidationError(_("Only a requested booking can be accepted."))
        if facility.is_archived:
            raise ValidationError({"facility": [_("This facility is no longer offered.")]})
        slot = rules.Slot(booking.starts_at, booking.ends_at, booking.stations)
        decision = rules.check_capacity(slot=slot, accepted=_accepted_slots(facility, booking.starts_at, booking.ends_at,
                                                                            exclude=booking.pk),
                                        facility_stations=facility.stations)
        if not decision.ok:
            raise ValidationError({"stations": list(decision.reasons)})
        booking.decided_by, booking.decided_at, booking.decision_note = by, timezone.now(), note.strip()[:300]
        booking.save(update_fields=["decided_by", "decided_at", "decision_note", "updated_at"])
        move(booking, BookingStatus.ACCEPTED, by=by, reason=note.strip(), event="bases.booking.accepted")
        publish("bases.booking.accepted", obj=booking, actor=by, requester=booking.requester_id, code=booking.code)
    return booking


def decline_booking(booking: Booking, *, by: Any, note: str) -> Booking:
    _require_base_staff(by, booking.base)
    if not note.strip():
        raise ValidationError({"note": [_("Give the reason for declining.")]})
    with transaction.atomic():
        _lock(booking)
        if booking.status != BookingStatus.REQUESTED:
            raise ValidationError(_("Only a requested booking can be declined."))
        booking.decided_by, booking.decided_at, booking.decision_note = by, timezone.now(), note.strip()[:300]
        booking.save(update_fields=["decided_by", "decided_at", "decision_note", "updated_at"])
        move(booking, BookingStatus.DECLINED, by=by, reason=note.strip(), event="bases.booking.declined")
        publish("bases.booking.declined", obj=booking, actor=by, requester=booking.requester_id, code=booking.code,
                reason=booking.decision_note)
    return booking


def withdraw_booking(booking: Booking, *, by: Any, reason: str = "") -> Booking:
    """The requesting institution withdraws its request, or gives back accepted stations."""
    if getattr(by, "role", None) != Role.INSTITUTION or getattr(by, "organisation_id", None) != booking.requester_id:
        raise PermissionDenied(_("Only the requesting institution may withdraw its booking."))
    with transaction.atomic():
        _lock(booking)
        if booking.status == BookingStatus.ACCEPTED and booking.ends_at <= timezone.now():
            raise ValidationError(_("A booking that has ended cannot be withdrawn."))
        move(booking, BookingStatus.WITHDRAWN, by=by, reason=reason.strip(), event="bases.booking.withdrawn")
        publish("bases.booking.withdrawn", obj=booking, actor=by, base=booking.base_id, code=booking.code)
    return booking

