"""The incremental rollup always equals a from-scratch recount (issue 7, "Done when")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixing.stats import rollup
from jixing.stats.models import ProgressRollup
from jixing.stats.tests.factories import known_dataset
from jixing.training.models import Enrollment, EnrollmentStatus


@pytest.fixture
def dataset(personas):
    return known_dataset(personas.alice)


change = st.tuples(
    st.integers(min_value=0, max_value=20),  # which enrollment (modulo count)
    st.sampled_from(["complete", "uncomplete", "toggle_subsidy", "move_month"]),
    st.integers(min_value=1, max_value=12),
)


def _apply(e: Enrollment, op: str, month: int) -> None:
    if op == "complete":
        e.status, e.completed_on = EnrollmentStatus.COMPLETED, dt.date(2026, month, 15)
    elif op == "uncomplete":
        e.status, e.completed_on = EnrollmentStatus.NOT_COMPLETED, None
    elif op == "toggle_subsidy":
        e.subsidised = not e.subsidised
    elif e.completed_on:
        e.completed_on = dt.date(2025, month, 3)
    e.save()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(st.lists(change, max_size=6), min_size=1, max_size=4))
def test_it_keeps_the_rollup_equal_to_a_recount(dataset, batches):
    with transaction.atomic():  # each example starts from the same data
        rollup.rebuild()
        assert rollup.current() == rollup.recount()
        assert rollup.current_cities() == rollup.cities_of(rollup.recount())
        assert rollup.current_organisers() == rollup.recount_organisers()
        ids = list(Enrollment.objects.order_by("id").values_list("id", flat=True))
        for batch in batches:
            for index, op, month in batch:
                _apply(Enrollment.objects.get(pk=ids[index % len(ids)]), op, month)
            rollup.refresh()
            assert rollup.current() == rollup.recount()
            assert rollup.current_cities() == rollup.cities_of(rollup.recount())
            assert rollup.current_organisers() == rollup.recount_organisers()
        assert not ProgressRollup.objects.filter(count__lt=0).exists()
        transaction.set_rollback(True)


def test_it_catches_up_with_late_commits_inside_the_safety_margin(dataset):
    rollup.rebuild()
    e = Enrollment.objects.filter(status=EnrollmentStatus.ENROLLED).first()
    e.status, e.completed_on = EnrollmentStatus.COMPLETED, dt.date(2026, 11, 1)
    e.save()
    # A transaction that started before the watermark and committed after it:
    Enrollment.objects.filter(pk=e.pk).update(updated_at=timezone.now() - dt.timedelta(minutes=5))
    assert rollup.refresh(now=timezone.now() + rollup.MARGIN_RESCAN) == 1
    assert rollup.current() == rollup.recount()
    assert rollup.current_cities() == rollup.cities_of(rollup.recount())
    # re-processing the margin is idempotent
    assert rollup.refresh(now=timezone.now() + 2 * rollup.MARGIN_RESCAN) == 0
