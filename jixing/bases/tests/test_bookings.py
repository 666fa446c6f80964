"""Booking requests and decisions through the actions: outside institutions only, capacity
never exceeded, transitions and audit rows, who may decide."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from jixing.bases import actions
from jixing.bases.models import Booking, BookingStatus
from jixing.core.models import AuditEvent, StatusChange
from jixing.core.workflow import IllegalTransition

from .conftest import at, book

pytestmark = pytest.mark.django_db


def test_it_books_stations_for_an_outside_institution_and_the_base_accepts(scene) -> None:
    booking = book(scene, scene.p.ivan)
    assert booking.status == BookingStatus.REQUESTED
    assert booking.base_id == scene.base.pk and booking.requester_id == scene.p.institution.pk
    assert booking.code.startswith("SX")
    actions.accept_booking(booking, by=scene.bella, note="ok")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ACCEPTED and booking.decided_by == scene.bella
    assert StatusChange.objects.filter(object_id=str(booking.pk), to_status="accepted").count() == 1
    events = set(AuditEvent.objects.filter(object_id=str(booking.pk)).values_list("event", flat=True))
    assert {"bases.booking.requested", "bases.booking.accepted"} <= events


def test_it_refuses_acceptance_beyond_capacity_and_allows_back_to_back(scene) -> None:
    first = book(scene, scene.p.ivan, stations=6)
    second = book(scene, scene.quinn, stations=5)  # overlaps: 6 + 5 > 10
    after = actions.request_booking(by=scene.quinn, facility=scene.workshop, starts_at=at(10, 16),
                                    ends_at=at(10, 20), stations=10, purpose="夜班")  # starts as the first ends
    actions.accept_booking(first, by=scene.bella)
    with pytest.raises(ValidationError) as exc:
        actions.accept_booking(second, by=scene.bella)
    assert "4 of 10 stations" in str(exc.value)
    actions.accept_booking(after, by=scene.bella)
    assert Booking.objects.get(pk=second.pk).status == BookingStatus.REQUESTED


def test_it_frees_stations_when_an_accepted_booking_is_withdrawn(scene) -> None:
    first, second = book(scene, scene.p.ivan, stations=8), book(scene, scene.quinn, stations=8)
    actions.accept_booking(first, by=scene.bella)
    actions.withdraw_booking(first, by=scene.p.ivan, reason="班级推迟")
    actions.accept_booking(second, by=scene.bella)
    assert Booking.objects.get(pk=second.pk).status == BookingStatus.ACCEPTED


def test_another_institution_cannot_decide_or_withdraw(scene) -> None:
    booking = book(scene, scene.p.ivan)
    for user in (scene.p.ivan, scene.quinn, scene.p.bob):
        with pytest.raises(PermissionDenied):
            actions.accept_booking(booking, by=user)
        with pytest.raises(PermissionDenied):
            actions.decline_booking(booking, by=user, note="no")
    with pytest.raises(PermissionDenied):
        actions.withdraw_booking(booking, by=scene.quinn)
    with pytest.raises(PermissionDenied):
        actions.withdraw_booking(booking, by=scene.bella)
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.REQUESTED


def test_a_base_cannot_book_its_own_facility(scene) -> None:
    with pytest.raises(PermissionDenied):
        book(scene, scene.bella)
    with pytest.raises(IntegrityError), transaction.atomic():  # and the database says so too
        Booking.objects.create(code="X1", facility=scene.workshop, base=scene.base, requester=scene.base,
                               starts_at=at(3), ends_at=at(3, 12), stations=1, purpose="x", requested_by=scene.bella)


def test_a_decline_needs_a_reason_and_is_final(scene) -> None:
    booking = book(scene, scene.p.ivan)
    with pytest.raises(ValidationError):
        actions.decline_booking(booking, by=scene.bella, note=" ")
    actions.decline_booking(booking, by=scene.bella, note="车间检修")
    with pytest.raises(ValidationError):
        actions.accept_booking(booking, by=scene.bella)
    with pytest.raises(IllegalTransition):
        actions.withdraw_booking(booking, by=scene.p.ivan)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"stations": 11}, "__all__"),
    ({"start": -2}, "__all__"),
])
def test_bad_requests_are_refused_with_a_reason_and_nothing_written(scene, kwargs, field) -> None:
    with pytest.raises(ValidationError) as exc:
        book(scene, scene.p.ivan, **kwargs)
    assert field in exc.value.message_dict
    assert not Booking.objects.exists()


def test_a_priced_facility_quotes_the_fee(scene) -> None:
    facility = actions.create_facility(by=scene.bella, base=scene.base, data={
        "name": "焊接车间", "kind": "workshop", "stations": 20, "is_free": False, "price_per_station_day": "30.00"})
    booking = actions.request_booking(by=scene.p.ivan, facility=facility, starts_at=at(5), ends_at=at(7, 17),
                                      stations=4, purpose="焊工班")
    assert str(booking.quoted_fee) == "360.00"  # 30 × 4 stations × 3 days


def test_staff_cannot_shrink_a_facility_below_accepted_bookings_or_archive_it_while_booked(scene) -> None:
    booking = book(scene, scene.p.ivan, stations=8)
    actions.accept_booking(booking, by=scene.bella)
    with pytest.raises(ValidationError):
        actions.update_facility(scene.workshop, by=scene.bella, data={"stations": 6})
    actions.update_facility(scene.workshop, by=scene.bella, data={"stations": 12, "equipment": "数控车床 12 台"})
    with pytest.raises(ValidationError):
        actions.archive_facility(scene.workshop, by=scene.bella, reason="改造")
    with pytest.raises(PermissionDenied):
        actions.update_facility(scene.workshop, by=scene.p.ivan, data={"stations": 50})


def test_it_links_a_class_to_an_accepted_booking_of_its_own_institution(scene) -> None:
    from django.utils import timezone

    from jixing.training import base_actions
    from jixing.training.tests.factories import make_class, make_project

    klass = make_class(make_project(scene.p), start=timezone.localdate() + dt.timedelta(days=10), days=3)
    booking = actions.request_booking(by=scene.p.ivan, facility=scene.workshop, starts_at=at(9), ends_at=at(13, 17),
                                      stations=5, purpose=klass.name)
    with pytest.raises(ValidationError):  # not accepted yet
        base_actions.link_class_to_booking(klass, booking, by=scene.p.ivan)
    actions.accept_booking(booking, by=scene.bella)
    with pytest.raises(PermissionDenied):
        base_actions.link_class_to_booking(klass, booking, by=scene.quinn)
    short = actions.request_booking(by=scene.p.ivan, facility=scene.workshop, starts_at=at(11), ends_at=at(11, 17),
                                    stations=5, purpose=klass.name)
    actions.accept_booking(short, by=scene.bella)
    with pytest.raises(ValidationError):  # does not cover the class's three days
        base_actions.link_class_to_booking(klass, short, by=scene.p.ivan)
    base_actions.link_class_to_booking(klass, booking, by=scene.p.ivan)
    klass.refresh_from_db()
    assert klass.base_booking_id == booking.pk
    assert AuditEvent.objects.filter(event="training.class.base_booking", object_id=str(klass.pk)).count() == 1


def test_the_base_hears_of_a_request_and_the_requester_of_the_decision(scene, django_capture_on_commit_callbacks) -> None:
    from jixing.notify.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        booking = book(scene, scene.p.ivan)
    assert Notification.objects.for_user(scene.bella).filter(event="bases.booking.requested").exists()
    with django_capture_on_commit_callbacks(execute=True):
        actions.decline_booking(booking, by=scene.bella, note="车间检修")
    assert Notification.objects.for_user(scene.p.ivan).filter(event="bases.booking.declined").exists()
    assert not Notification.objects.for_user(scene.quinn).exists()
