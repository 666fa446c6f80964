"""Certificate numbers stay unique under concurrent issuing: a counter row locked with
select_for_update per filing × year on PostgreSQL, and the unique constraint everywhere."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone

from jixing.evaluation import actions, numbering
from jixing.evaluation.models import Certificate, CertificateCounter, EvaluationResult, ResultStatus

from . import factories as f

THREADS = 8


def _locked_results(personas, n: int) -> list[EvaluationResult]:
    """n passed, locked results without certificates in one session (one filing × year)."""
    from jixing.core.testing import make_person

    p = personas
    s = f.session(p, f.approved_filing(p))
    examiner = s.examiners.first()
    now = timezone.now()
    results = []
    for i in range(n):
        person = make_person(f"并发{i}", "370102", seq=100 + i)
        cand = actions.add_applicant(s, person, years_of_work=2, by=p.judy)
        results.append(EvaluationResult.objects.create(
            candidate=cand, theory_score=Decimal(80), practical_score=Decimal(80), passed=True, examiner=examiner,
            status=ResultStatus.LOCKED, entered_by=p.judy, reviewed_by=p.erin, locked_at=now,
        ))
    return results


def _in_threads(target, args_list: list[tuple]) -> list[BaseException]:
    barrier = threading.Barrier(len(args_list))
    errors: list[BaseException] = []

    def run(*args) -> None:
        try:
            barrier.wait()
            target(*args)
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=a) for a in args_list]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_numbers_certificates_uniquely_under_concurrent_issuing_on_postgresql(reference) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("select_for_update is a no-op on SQLite; the SQLite run checks the unique constraint instead")
    from jixing.core.testing import make_personas

    personas = make_personas()
    results = _locked_results(personas, THREADS)
    errors = _in_threads(lambda r: actions.issue_certificate(r, by=personas.erin), [(r,) for r in results])
    assert errors == []
    numbers = sorted(Certificate.objects.values_list("number", flat=True))
    assert len(numbers) == THREADS == len(set(numbers))
    assert sorted(int(n[-6:]) for n in numbers) == list(range(1, THREADS + 1))
    filing = results[0].candidate.session.filing
    yy = f"{timezone.localdate().year % 100:02d}"
    assert CertificateCounter.objects.get(key=f"{filing.code}:{yy}").last == THREADS


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_issues_one_certificate_when_one_result_is_issued_twice_at_once_on_postgresql(reference) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs real concurrent transactions (PostgreSQL)")
    from jixing.core.testing import make_personas

    personas = make_personas()
    [result] = _locked_results(personas, 1)
    errors = _in_threads(lambda: actions.issue_certificate(result, by=personas.erin), [(), (), (), ()])
    assert errors == []
    assert Certificate.objects.filter(result=result).count() == 1


@pytest.mark.django_db
def test_it_refuses_a_duplicate_certificate_number_in_the_database(personas) -> None:
    cert = f.locked_pass(personas).certificates[0]
    other = f.locked_pass(personas, person=personas.shizhong_person).certificates[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.filter(pk=other.pk).update(number=cert.number)


@pytest.mark.django_db
def test_it_draws_consecutive_sequences_per_key(db) -> None:
    assert [numbering.next_sequence("k:25") for _ in range(3)] == [1, 2, 3]
    assert numbering.next_sequence("k:26") == 1
