"""Pure decisions about bookings and programmes (no ORM): each returns its reasons.

Parameters that the policy text does not fix are dated assumptions, written down in
docs/bases.md with their source tag (鲁人社字〔2025〕87号 一(八), 一(九)).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

# Assumptions (docs/bases.md, as of 2026-12-02): the seed does not fix them.
MAX_BOOKING_DAYS = 366  # one booking covers at most a year; longer use is a series of bookings
SHORT_COURSE_MAX_DAYS = 90  # "短平快": 能短期实现就业 — read as at most 90 days
PREPARATORY_LEVEL_ORDER = 5  # 预备技师（技师）班 leads to 技师 (new eight-level ladder order 5)
PREPARATORY_PROVIDER_KINDS = frozenset({"technical_school"})  # "支持技工院校…开设"
SHORT_COURSE_PROVIDER_KINDS = frozenset({"private_institution", "technical_school", "vocational_college", "enterprise"})


@dataclass(frozen=True)
class Slot:
    starts_at: dt.datetime
    ends_at: dt.datetime
    stations: int


@dataclass(frozen=True)
class Decision:
    ok: bool
    reasons: tuple[str, ...] = field(default=())


def overlaps(slot: Slot, start: dt.datetime, end: dt.datetime) -> bool:
    """Half-open ranges: a booking ending at 12:00 does not overlap one starting at 12:00."""
    return slot.starts_at < end and start < slot.ends_at


def peak_stations(slots: Sequence[Slot], start: dt.datetime, end: dt.datetime) -> int:
    """The most stations the ``slots`` hold at any moment within [start, end)."""
    events: list[tuple[dt.datetime, int]] = []
    for slot in slots:
        if overlaps(slot, start, end):
            events.append((max(slot.starts_at, start), slot.stations))
            events.append((min(slot.ends_at, end), -slot.stations))
    # at one instant, releases come before takes (half-open ranges)
    events.sort(key=lambda e: (e[0], e[1]))
    load = peak = 0
    for _at, delta in events:
        load += delta
        peak = max(peak, load)
    return peak


def check_request(*, starts_at: dt.datetime, ends_at: dt.datetime, stations: int, facility_stations: int,
                  now: dt.datetime) -> Decision:
    """Whether a booking request is well-formed (capacity is decided on acceptance)."""
    reasons = []
    if ends_at <= starts_at:
        reasons.append(_("The booking must end after it starts."))
    elif ends_at - starts_at > dt.timedelta(days=MAX_BOOKING_DAYS):
        reasons.append(_("One booking may cover at most %(days)d days.") % {"days": MAX_BOOKING_DAYS})
    if starts_at < now:
        reasons.append(_("The booking cannot start in the past."))
    if stations < 1:
        reasons.append(_("Book at least one station."))
    elif stations > facility_stations:
        reasons.append(_("The facility has only %(n)d stations.") % {"n": facility_stations})
    return Decision(not reasons, tuple(reasons))


def check_capacity(*, slot: Slot, accepted: Sequence[Slot], facility_stations: int) -> Decision:
    """一(九) 共建共享 without double booking: the accepted bookings plus this one never hold more
    stations at once than the facility has."""
    peak = peak_stations([*accepted, slot], slot.starts_at, slot.ends_at)
    if peak > facility_stations:
        free = facility_stations - peak_stations(accepted, slot.starts_at, slot.ends_at)
        return Decision(False, (_("Only %(free)d of %(total)d stations are free at some time in this range.")
                                % {"free": max(free, 0), "total": facility_stations},))
    return Decision(True)


def days_spanned(start: dt.date, end_inclusive: dt.date) -> int:
    return (end_inclusive - start).days + 1


def quote_fee(*, price_per_station_day: Decimal | None, stations: int, first_day: dt.date, last_day: dt.date) -> Decimal:
    """Price × stations × calendar days used (a part day counts as a day); free facilities cost 0."""
    if price_per_station_day is None:
        return Decimal("0.00")
    return (price_per_station_day * stations * days_spanned(first_day, last_day)).quantize(Decimal("0.01"))


def utilisation(*, booked_station_hours: Decimal, available_station_hours: int) -> Decimal | None:
    """Booked station-hours over open station-hours (Σ stations × open hours a day × days), 0–1;
    None when nothing was open."""
    if available_station_hours <= 0:
        return None
    return min(booked_station_hours / Decimal(available_station_hours), Decimal(1)).quantize(Decimal("0.0001"))


@dataclass(frozen=True)
class ProgrammeFacts:
    kind: str
    provider_kind: str
    level_order: int
    duration_days: int
    full_time: bool
    in_enrolment_plan: bool


def check_programme(facts: ProgrammeFacts) -> Decision:
    """一(八): who may run which programme, and what it must be."""
    reasons = []
    if facts.kind == "preparatory_technician":
        if facts.provider_kind not in PREPARATORY_PROVIDER_KINDS:
            reasons.append(_("Only a technical school may run a preparatory technician class."))
        if facts.level_order != PREPARATORY_LEVEL_ORDER:
            reasons.append(_("A preparatory technician class leads to the technician level."))
        if not facts.full_time:
            reasons.append(_("A preparatory technician class is full-time."))
        if not facts.in_enrolment_plan:
            reasons.append(_("A preparatory technician class is part of the school's yearly enrolment plan."))
    elif facts.kind == "short_course":
        if facts.provider_kind not in SHORT_COURSE_PROVIDER_KINDS:
            reasons.append(_("This kind of organisation does not run training programmes."))
        if facts.duration_days > SHORT_COURSE_MAX_DAYS:
            reasons.append(_("A short programme lasts at most %(days)d days.") % {"days": SHORT_COURSE_MAX_DAYS})
    else:
        reasons.append(_("Unknown programme kind."))
    return Decision(not reasons, tuple(reasons))
