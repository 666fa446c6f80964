"""A class held at a public training base (seed 一(九) 公共实训基地共建共享) names the booking
of the base's stations it uses. Only the class's organiser links it, and only to a booking its
own institution holds (accepted) that covers the class's dates."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixing.bases.models import Booking, BookingStatus
from jixing.core import audit

from .access import is_organiser_staff
from .models import TrainingClass


def link_class_to_booking(training_class: TrainingClass, booking: Booking | None, *, by: Any) -> TrainingClass:
    """Set (or with ``None`` clear) the base booking of ``training_class``."""
    if not is_organiser_staff(by, training_class.project):
        raise PermissionDenied(_("Only the organiser's staff may change where the class is held."))
    if training_class.is_locked:
        raise ValidationError(_("The class is closed."))
    if booking is not None:
        if booking.requester_id != training_class.project.organiser_id:
            raise ValidationError({"booking": [_("Choose a booking your institution holds.")]})
        if booking.status != BookingStatus.ACCEPTED:
            raise ValidationError({"booking": [_("Only an accepted booking can host a class.")]})
        first = timezone.localtime(booking.starts_at).date()
        last = timezone.localtime(booking.ends_at).date()
        if first > training_class.start_date or last < training_class.end_date:
            raise ValidationError({"booking": [_("The booking (%(first)s to %(last)s) does not cover the class's dates.")
                                               % {"first": first, "last": last}]})
    with transaction.atomic():
        before = training_class.base_booking_id
        training_class.base_booking = booking
        training_class.save(update_fields=["base_booking", "updated_at"])
        audit.record("training.class.base_booking", actor=by, obj=training_class,
                     before={"base_booking": before}, after={"base_booking": booking.pk if booking else None})
    return training_class
