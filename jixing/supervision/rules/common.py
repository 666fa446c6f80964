"""Shared reads for the rules: the details of the (few) records a hit involves, for evidence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, overload

from django.utils import timezone


@overload
def iso(value: dt.datetime) -> str: ...
@overload
def iso(value: None) -> None: ...


def iso(value: dt.datetime | None) -> str | None:
    """Local (Asia/Shanghai) time to the second, as evidence shows it."""
    if value is None:
        return None
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


def parse_ts(value: Any) -> dt.datetime | None:
    """A timestamp from a raw cursor row (SQLite returns text)."""
    if value is None or isinstance(value, dt.datetime):
        if isinstance(value, dt.datetime) and timezone.is_naive(value):
            return timezone.make_aware(value, dt.UTC)
        return value
    parsed = dt.datetime.fromisoformat(str(value))
    return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=dt.UTC)


def attendance_records(ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    from jixing.training.models import Attendance

    wanted = sorted(set(ids))
    rows = (
        Attendance.objects.filter(pk__in=wanted)
        .values(
            "id", "person_id", "person__name", "training_class_id", "training_class__code", "session_id",
            "session__starts_at", "session__ends_at", "check_in_at", "check_out_at", "device_id", "latitude",
            "longitude", "method", "enrollment_id",
        )
    )
    out: dict[int, dict[str, Any]] = {}
    for r in rows.iterator(chunk_size=2000):
        duration = None
        if r["check_out_at"] is not None:
            duration = int((r["check_out_at"] - r["check_in_at"]).total_seconds())
        out[r["id"]] = {
            "id": r["id"],
            "person_id": r["person_id"],
            "person": r["person__name"],
            "class_id": r["training_class_id"],
            "class_code": r["training_class__code"],
            "session_id": r["session_id"],
            "session_start": iso(r["session__starts_at"]),
            "session_end": iso(r["session__ends_at"]),
            "check_in": iso(r["check_in_at"]),
            "check_out": iso(r["check_out_at"]),
            "duration_seconds": duration,
            "device": r["device_id"],
            "latitude": float(r["latitude"]) if r["latitude"] is not None else None,
            "longitude": float(r["longitude"]) if r["longitude"] is not None else None,
            "method": r["method"],
            "enrollment_id": r["enrollment_id"],
        }
    return out


def class_info(ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    from jixing.training.models import TrainingClass

    out: dict[int, dict[str, Any]] = {}
    rows = TrainingClass.objects.filter(pk__in=set(ids)).values(
        "id", "code", "name", "county_id", "project__organiser_id", "project__organiser__name", "latitude",
        "longitude", "capacity", "start_date", "end_date", "site_address",
    )
    for r in rows:
        out[r["id"]] = {
            "id": r["id"],
            "code": r["code"],
            "name": r["name"],
            "county_id": r["county_id"],
            "organisation_id": r["project__organiser_id"],
            "organisation": r["project__organiser__name"],
            "latitude": float(r["latitude"]),
            "longitude": float(r["longitude"]),
            "capacity": r["capacity"],
            "start_date": r["start_date"].isoformat(),
            "end_date": r["end_date"].isoformat(),
            "site_address": r["site_address"],
        }
    return out


def person_labels(ids: Iterable[int]) -> dict[int, str]:
    from jixing.registry.models import Person

    return {p.pk: str(p) for p in Person.objects.filter(pk__in=set(ids)).only("id", "name", "id_number")}
