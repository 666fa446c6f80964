"""Reads of training bases: the list, a base's month calendar, utilisation by base and month,
and the bookings by outside institutions (seed 一(九) 共建共享)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from jixing.registry.models import Organisation, OrganisationKind

from . import rules
from .access import can_read
from .models import Booking, BookingStatus, Facility
from .schools import SchoolProgramme


def bases(user: Any) -> QuerySet[Organisation]:
    """Every active public training base: a shared resource any reader may book or look at."""
    if not can_read(user):
        return Organisation.objects.none()
    return (Organisation.objects.active().filter(kind=OrganisationKind.PUBLIC_TRAINING_BASE)
            .select_related("county", "county__parent")
            .annotate(facility_count=Count("facilities", filter=Q(facilities__archived_at__isnull=True), distinct=True),
                      station_count=Sum("facilities__stations", filter=Q(facilities__archived_at__isnull=True)))
            .order_by("county_id", "name"))


def get_base(user: Any, pk: Any) -> Organisation:
    try:
        return bases(user).get(pk=pk)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def bases_in_scope(user: Any) -> QuerySet[Organisation]:
    """Bases within the viewer's region (dashboard figures): officers their subtree, a base itself."""
    return Organisation.objects.visible_to(user).filter(kind=OrganisationKind.PUBLIC_TRAINING_BASE)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime, int]:
    days = calendar.monthrange(month.year, month.month)[1]
    tz = timezone.get_current_timezone()
    start = dt.datetime(month.year, month.month, 1, tzinfo=tz)
    return start, start + dt.timedelta(days=days), days


@dataclass
class CalendarRow:
    facility: Facility
    cells: list[dict[str, Any]] = field(default_factory=list)


def base_calendar(user: Any, base: Organisation, month: dt.date) -> dict[str, Any]:
    """Per facility and day: stations held by accepted bookings (peak that day) and requested ones."""
    start, end, days = month_bounds(month)
    facilities = list(base.facilities.active().prefetch_related("occupations").order_by("name"))
    month_bookings = list(
        Booking.objects.filter(facility__in=facilities, starts_at__lt=end, ends_at__gt=start,
                               status__in=[BookingStatus.ACCEPTED, BookingStatus.REQUESTED])
        .select_related("requester", "facility").order_by("starts_at"))
    visible = set(Booking.objects.visible_to(user).filter(pk__in=[b.pk for b in month_bookings])
                  .values_list("pk", flat=True))
    today = timezone.localdate()
    rows = []
    for facility in facilities:
        mine = [b for b in month_bookings if b.facility_id == facility.pk]
        accepted = [rules.Slot(b.starts_at, b.ends_at, b.stations) for b in mine if b.status == BookingStatus.ACCEPTED]
        requested = [rules.Slot(b.starts_at, b.ends_at, b.stations) for b in mine if b.status == BookingStatus.REQUESTED]
        row = CalendarRow(facility)
        for day in range(days):
            day_start = start + dt.timedelta(days=day)
            day_end = day_start + dt.timedelta(days=1)
            held = rules.peak_stations(accepted, day_start, day_end)
            asked = rules.peak_stations(requested, day_start, day_end)
            share = held / facility.stations
            row.cells.append({
                "day": day_start.date(), "held": held, "asked": asked, "free": facility.stations - held,
                "level": 0 if not held else 1 if share < 0.5 else 2 if share < 1 else 3,
                "weekend": day_start.weekday() >= 5, "today": day_start.date() == today,
            })
        rows.append(row)
    prev_month = (start - dt.timedelta(days=1)).date().replace(day=1)
    return {
        "today": today, "month": start.date(), "prev_month": prev_month, "next_month": end.date(),
        "days": [start.date() + dt.timedelta(days=d) for d in range(days)], "rows": rows,
        "bookings": [{"booking": b, "visible": b.pk in visible} for b in month_bookings],
    }


def _station_hours(slot_start: dt.datetime, slot_end: dt.datetime, stations: int, start: dt.datetime,
                   end: dt.datetime) -> Decimal:
    lo, hi = max(slot_start, start), min(slot_end, end)
    if hi <= lo:
        return Decimal(0)
    return Decimal((hi - lo).total_seconds()) / Decimal(3600) * stations


def utilisation(base_ids: list[int], *, year: int) -> list[dict[str, Any]]:
    """Per base and month of ``year``: booked station-hours (accepted) over open station-hours, and
    the outside institutions that booked (every booking is by an outside institution)."""
    year_start, _e, _d = month_bounds(dt.date(year, 1, 1))
    year_end = month_bounds(dt.date(year, 12, 1))[1]
    facilities = list(Facility.objects.filter(base_id__in=base_ids).select_related("base"))
    bookings = list(Booking.objects.holding().filter(base_id__in=base_ids, starts_at__lt=year_end, ends_at__gt=year_start)
                    .values_list("base_id", "starts_at", "ends_at", "stations", "requester_id"))
    out = []
    names = {f.base_id: f.base.name for f in facilities}
    for base_id in sorted(names, key=lambda pk: names[pk]):
        months = []
        for m in range(1, 13):
            start, end, days = month_bounds(dt.date(year, m, 1))
            open_facilities = [f for f in facilities if f.base_id == base_id and f.created_at < end
                               and (f.archived_at is None or f.archived_at > start)]
            booked = sum((_station_hours(a, b, n, start, end) for bid, a, b, n, _r in bookings if bid == base_id),
                         Decimal(0))
            available = sum(f.stations * f.daily_hours * days for f in open_facilities)
            share = rules.utilisation(booked_station_hours=booked, available_station_hours=available)
            months.append({"month": m, "booked_hours": booked.quantize(Decimal("1")), "share": share})
        requesters = {r for bid, _a, _b, _n, r in bookings if bid == base_id}
        out.append({"base_id": base_id, "name": names[base_id], "months": months,
                    "bookings": sum(1 for row in bookings if row[0] == base_id), "outside_institutions": len(requesters)})
    return out


def sharing_summary(base: Organisation) -> dict[str, int]:
    """共建共享 in numbers: bookings by outside institutions, by status."""
    counts: dict[str, int] = defaultdict(int)
    for status, n in base.base_bookings.values_list("status").annotate(n=Count("id")):
        counts[status] = n
    counts["institutions"] = base.base_bookings.filter(status=BookingStatus.ACCEPTED).values("requester").distinct().count()
    return dict(counts)


def programmes(user: Any, provider: Organisation | None = None) -> QuerySet[SchoolProgramme]:
    qs = SchoolProgramme.objects.visible_to(user).active().select_related("provider", "occupation", "level")
    return qs.filter(provider=provider) if provider is not None else qs


def programme_totals(provider: Organisation) -> dict[str, int]:
    """A school's programme intake by kind (this and past cohorts), beside its enrolled students."""
    rows = provider.programmes.active().values("kind").annotate(n=Sum("cohort_size"))
    return {row["kind"]: row["n"] or 0 for row in rows}
