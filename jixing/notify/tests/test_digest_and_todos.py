"""Bulk events become one digest per person; to-dos follow the objects' states, with ages,
deadlines and overdue counts by county (the dispatch report)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from jixing.accounts.models import Role
from jixing.core import events
from jixing.core.testing import make_user
from jixing.funds import actions as funds
from jixing.funds.models import ClaimStatus
from jixing.funds.tests import factories as f
from jixing.notify import queries, receivers, todos
from jixing.notify.models import Delivery, Notification

pytestmark = pytest.mark.django_db


def test_it_collapses_a_bulk_operation_into_one_digest_per_person(personas, committed) -> None:
    mine = [f.certificate(personas.lixia_person, occ=f.occupation(i)) for i in range(6)]
    olga = make_user("olga", Role.TRAINEE, person=personas.shizhong_person)
    hers = f.certificate(personas.shizhong_person, occ=f.occupation(9))
    published: list[events.Event] = []

    def bulk_import() -> None:
        with transaction.atomic(), events.batch("results.xlsx"):
            for cert in [*mine, hers]:
                published.append(events.publish("evaluation.certificate.issued", obj=cert))

    committed(bulk_import)
    trent_rows = list(Notification.objects.filter(user=personas.trent))
    assert len(trent_rows) == 1 and trent_rows[0].event == "digest" and trent_rows[0].digest_count == 6
    assert queries.text_of(trent_rows[0]) in {"6 updates from results.xlsx", "results.xlsx：6 条更新"}
    assert [n.event for n in Notification.objects.filter(user=olga)] == ["evaluation.certificate.issued"]
    # No SMS flood: a digest goes to the message centre (and email, where there is one) only.
    assert not Delivery.objects.filter(user=personas.trent, channel="sms").exists()
    # The same events handed over again (a retried fan-out) add nothing.
    receivers.on_events(published, "results.xlsx")
    assert Notification.objects.count() == 2


def test_it_sends_single_messages_below_the_threshold(personas, committed) -> None:
    certs = [f.certificate(personas.lixia_person, occ=f.occupation(i)) for i in range(3)]

    def bulk() -> None:
        with transaction.atomic(), events.batch("results.xlsx"):
            for cert in certs:
                events.publish("evaluation.certificate.issued", obj=cert)

    committed(bulk)
    assert list(Notification.objects.values_list("event", flat=True)) == ["evaluation.certificate.issued"] * 3


def kinds(user) -> dict[str, list[str]]:
    return {g.kind: [t.title for t in g.items] for g in todos.todos_for(user)}


def test_a_claim_waits_in_the_county_officers_todos_until_reviewed(personas) -> None:
    w = f.funded_class(personas, trainees=1)
    claim = f.claim_in(w, ClaimStatus.SUBMITTED)
    assert kinds(personas.dave) == {"claim_county": [str(claim)]}
    assert kinds(personas.erin) == {} and kinds(personas.carol) == {} and "claim_county" not in kinds(personas.bob)
    funds.county_review(claim, by=personas.dave)
    assert kinds(personas.dave) == {}
    assert kinds(personas.bob) == {"claim_city": [str(claim)]}


def test_a_returned_claim_is_the_institutions_todo(personas) -> None:
    w = f.funded_class(personas, trainees=1)
    claim = f.claim_in(w, ClaimStatus.SUBMITTED)
    funds.return_claim(claim, by=personas.dave, reason="缺少签名")
    assert kinds(personas.ivan) == {"claim_returned": [str(claim)]}
    assert kinds(personas.dave) == {}


def test_it_counts_age_and_overdue_by_the_deadline_of_the_kind(personas, settings) -> None:
    settings.JIXING_TODO_DEADLINE_DAYS = {**settings.JIXING_TODO_DEADLINE_DAYS, "claim_county": 5}
    w = f.funded_class(personas, trainees=1)
    claim = f.claim_in(w, ClaimStatus.SUBMITTED)
    submitted = timezone.localdate(claim.submitted_at)
    group = todos.todos_for(personas.dave)[0]
    assert group.overdue == 0 and group.items[0].age_days == 0
    assert group.items[0].deadline == submitted + dt.timedelta(days=5)
    with time_machine.travel(claim.submitted_at + dt.timedelta(days=6), tick=False):
        group = todos.todos_for(personas.dave)[0]
        assert group.overdue == 1 and group.items[0].overdue and group.items[0].age_days == 6
        assert todos.overdue_by_county(timezone.localdate()) == {"370102": 1}
    assert todos.overdue_by_county(submitted) == {}


def test_the_dispatch_report_counts_overdue_todos_by_county(personas) -> None:
    from jixing.stats.actions import dispatch_figures

    w = f.funded_class(personas, trainees=1)
    claim = f.claim_in(w, ClaimStatus.SUBMITTED)
    later = timezone.localdate(claim.submitted_at) + dt.timedelta(days=30)
    data = dispatch_figures(period=later.replace(day=1), today=later)
    assert data["overdue_todos"] == [{"code": "370102", "name": "历下区", "count": 1}]
