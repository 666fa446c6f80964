"""Workbench card of a public training base's staff: requests waiting for a decision."""

from __future__ import annotations

from typing import Any

from jixing.core.permissions import AuthedRequest
from jixing.core.roles import Role
from jixing.core.workbench import WorkbenchCard

from .access import is_base_staff
from .models import Booking, BookingStatus


def _base(request: AuthedRequest) -> dict[str, Any] | None:
    user = request.user
    if not is_base_staff(user):
        return None
    bookings = Booking.objects.filter(base_id=user.organisation_id)
    return {"base_id": user.organisation_id,
            "requested": bookings.filter(status=BookingStatus.REQUESTED).count(),
            "accepted": bookings.filter(status=BookingStatus.ACCEPTED).count()}


CARDS = [
    WorkbenchCard(template="bases/cards/base.html", order=21, context=_base, size="stat",
                  roles=frozenset({Role.INSTITUTION})),
]
