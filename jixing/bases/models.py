"""Shared public training bases (鲁人社字〔2025〕87号 一(九) 公共实训基地共建共享) and the
programmes of technical schools and training institutions (一(八)).

A public training base (registry ``OrganisationKind.PUBLIC_TRAINING_BASE``) lists its
facilities (workshops with stations, equipment, occupations served, a price or free); other
institutions request bookings of a facility's stations for a time range; the base accepts or
declines (``Booking.TRANSITIONS``). Accepted bookings of one facility never hold more stations at
any moment than the facility has: checked under a row lock on the facility in
``actions.accept_booking`` (an exclusion constraint could only forbid any overlap, and is not
portable to SQLite).

Scope: facilities and the base calendar are a shared public resource, visible to every staff
role; a booking's details only to the base, the requesting institution and the officers of
either's region (``scope_q`` over both).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jixing.core.access import scope_for, scope_q
from jixing.core.models import ArchivableModel, ArchivableQuerySet, TimeStampedModel
from jixing.core.roles import Role

READER_ROLES = frozenset({Role.HRSS_OFFICER, Role.SECTOR_OFFICER, Role.FINANCE_OFFICER, Role.AUDITOR, Role.INSTITUTION})


class FacilityKind(models.TextChoices):
    WORKSHOP = "workshop", _("training workshop")
    LABORATORY = "laboratory", _("laboratory")
    SIMULATION = "simulation", _("simulation room")
    CLASSROOM = "classroom", _("theory classroom")


class FacilityQuerySet(ArchivableQuerySet):
    def visible_to(self, user: Any) -> FacilityQuerySet:
        """A shared resource: every staff role that reads training sees every base's facilities."""
        if getattr(user, "is_authenticated", False) and user.is_active and user.role in READER_ROLES:
            return self.all()
        return self.none()


class Facility(ArchivableModel):
    """A workshop (实训车间) or room of a public training base, with its stations (工位)."""

    base = models.ForeignKey("registry.Organisation", verbose_name=_("training base"), on_delete=models.PROTECT,
                             related_name="facilities")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=FacilityKind.choices, default=FacilityKind.WORKSHOP)
    stations = models.PositiveIntegerField(_("stations"), help_text=_("Trainees who can work here at once."))
    equipment = models.TextField(_("equipment"), blank=True)
    occupations = models.ManyToManyField("registry.Occupation", verbose_name=_("occupations served"), blank=True,
                                         related_name="+")
    is_free = models.BooleanField(_("free of charge"), default=True)
    price_per_station_day = models.DecimalField(_("price per station and day (yuan)"), max_digits=10, decimal_places=2,
                                                null=True, blank=True)
    daily_hours = models.PositiveSmallIntegerField(_("open hours a day"), default=8)

    objects = FacilityQuerySet.as_manager()

    class Meta:
        ordering = ["base_id", "name"]
        verbose_name = _("base facility")
        verbose_name_plural = _("base facilities")
        constraints = [
            models.UniqueConstraint(fields=["base", "name"], name="facility_name_unique_per_base"),
            models.CheckConstraint(name="facility_stations_positive", condition=Q(stations__gt=0)),
            models.CheckConstraint(name="facility_daily_hours_range", condition=Q(daily_hours__gte=1) & Q(daily_hours__lte=24)),
            # free (no price), or charged at a price above zero
            models.CheckConstraint(
                name="facility_price_when_charged",
                condition=(Q(is_free=True) & Q(price_per_station_day__isnull=True))
                | (Q(is_free=False) & Q(price_per_station_day__gt=Decimal("0"))),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class BookingStatus(models.TextChoices):
    REQUESTED = "requested", _("requested")
    ACCEPTED = "accepted", pgettext_lazy("booking", "accepted")
    DECLINED = "declined", _("declined")
    WITHDRAWN = "withdrawn", pgettext_lazy("booking", "withdrawn")


class BookingQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> BookingQuerySet:
        scope = scope_for(user)
        if getattr(user, "role", None) not in READER_ROLES:
            return self.none()
        return self.filter(scope_q(scope, region=["base__county", "requester__county"],
                                   organisation=["base", "requester"]))

    def holding(self) -> BookingQuerySet:
        """Bookings that hold stations (accepted)."""
        return self.filter(status=BookingStatus.ACCEPTED)


class Booking(TimeStampedModel):
    """An outside institution's request for stations of a facility over a time range."""

    code = models.CharField(_("booking number"), max_length=30, unique=True)
    facility = models.ForeignKey(Facility, verbose_name=_("facility"), on_delete=models.PROTECT, related_name="bookings")
    # the facility's base, kept on the row so scope and the "outside institution" check are plain columns
    base = models.ForeignKey("registry.Organisation", verbose_name=_("training base"), on_delete=models.PROTECT,
                             related_name="base_bookings")
    requester = models.ForeignKey("registry.Organisation", verbose_name=_("requesting institution"),
                                  on_delete=models.PROTECT, related_name="bookings_requested")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    stations = models.PositiveIntegerField(_("stations"))
    purpose = models.CharField(_("purpose"), max_length=300,
                               help_text=_("The class or programme the stations are for."))
    occupation = models.ForeignKey("registry.Occupation", verbose_name=_("occupation"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    quoted_fee = models.DecimalField(_("quoted fee (yuan)"), max_digits=12, decimal_places=2, default=Decimal("0"))
    status = models.CharField(_("status"), max_length=12, choices=BookingStatus.choices, default=BookingStatus.REQUESTED,
                              db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(pgettext_lazy("booking", "decision note"), max_length=300, blank=True)

    objects = BookingQuerySet.as_manager()

    TRANSITIONS = {
        (BookingStatus.REQUESTED, BookingStatus.ACCEPTED),
        (BookingStatus.REQUESTED, BookingStatus.DECLINED),
        (BookingStatus.REQUESTED, BookingStatus.WITHDRAWN),
        (BookingStatus.ACCEPTED, BookingStatus.WITHDRAWN),
    }

    class Meta:
        ordering = ["starts_at", "code"]
        verbose_name = _("base booking")
        verbose_name_plural = _("base bookings")
        indexes = [models.Index(fields=["facility", "status", "starts_at"], name="booking_facility_time")]
        constraints = [
            models.CheckConstraint(name="booking_times_ordered", condition=Q(ends_at__gt=F("starts_at"))),
            models.CheckConstraint(name="booking_stations_positive", condition=Q(stations__gt=0)),
            models.CheckConstraint(name="booking_fee_not_negative", condition=Q(quoted_fee__gte=Decimal("0"))),
            models.CheckConstraint(name="booking_status_valid", condition=Q(status__in=BookingStatus.values)),
            # 共建共享: a base's facilities are booked by OTHER institutions
            models.CheckConstraint(name="booking_by_outside_institution", condition=~Q(requester=F("base"))),
            models.CheckConstraint(name="booking_declined_has_note",
                                   condition=~Q(status=BookingStatus.DECLINED) | ~Q(decision_note="")),
        ]

    def __str__(self) -> str:
        return self.code


# 一(八): programmes of technical schools (预备技师（技师）班) and training institutions ("短平快").
from .schools import ProgrammeKind, SchoolProgramme, TrainingCollegeDesignation  # noqa: E402,F401
