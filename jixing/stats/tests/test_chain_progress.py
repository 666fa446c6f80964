"""Issue 17 in the statistics: progress by chain and by programme on the dashboard and in the
dispatch report; chain leaders' points in the 优选计划 scorecards."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from jixing.core.testing import make_organisation
from jixing.plan import chain_actions
from jixing.plan.models import IndustrialChain, Programme
from jixing.stats import queries, rollup
from jixing.stats.chain_progress import chain_rows, programme_rows
from jixing.stats.rules import InstitutionFacts, institution_scorecard
from jixing.stats.scorecards import ranked_institutions
from jixing.stats.tests.factories import enroll, project, training_class

NOW = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def tagged(personas):
    """A Jinan housekeeping project in 巾帼家政 and chain key-07: 3 completions in 2026; a Qingdao
    project in the same chain: 2 completions."""
    chain = IndustrialChain.objects.get(code="key-07")
    programme = Programme.objects.get(code="jinguo_housekeeping")
    programme.target_person_times = 10
    programme.save()
    jinan = make_organisation("济南巾帼家政学校", "370102", seed=81)
    qingdao = make_organisation("青岛链上培训学院", "370202", seed=82)
    p1 = project(organiser=jinan, county="370102", action=4, target="domestic_service", by=personas.alice)
    p1.chain = chain
    p1.save()
    p1.programmes.add(programme)
    c1 = training_class(p1, start=dt.date(2026, 2, 1), end=dt.date(2026, 3, 10))
    for _n in range(3):
        enroll(c1, completed_on=dt.date(2026, 3, 10))
    p2 = project(organiser=qingdao, county="370202", action=1, target="digital", by=personas.alice)
    p2.chain = chain
    p2.save()
    for _n in range(2):
        enroll(training_class(p2, start=dt.date(2026, 9, 1), end=dt.date(2026, 10, 20)), completed_on=dt.date(2026, 10, 20))
    rollup.refresh()
    return {"chain": chain, "programme": programme, "jinan": jinan, "personas": personas}


def test_it_counts_person_times_by_chain_and_programme_within_scope(tagged):
    p = tagged["personas"]
    province = queries.stats_scope(p.alice)
    [row] = chain_rows(province, year=2026)
    assert row.chain.code == "key-07" and row.person_times == 5 and row.projects == 2
    [jinan_row] = chain_rows(queries.stats_scope(p.bob), year=2026)
    assert jinan_row.person_times == 3
    programme = next(r for r in programme_rows(province, today=NOW.date()) if r.programme.code == "jinguo_housekeeping")
    assert programme.progress.actual == Decimal(3) and programme.progress.completion == Decimal("0.3")
    assert programme.projects == 1
    frank = queries.stats_scope(p.frank)  # civil affairs: action 4 only
    assert [r.person_times for r in chain_rows(frank, year=2026)] == [3]


def test_the_dashboard_shows_chains_and_programmes(client, tagged):
    client.force_login(tagged["personas"].alice)
    html = client.get("/stats/?year=2026").content.decode()
    assert 'id="chains-programmes"' in html and "重点产业链第7条（名单待核实）" in html and "巾帼家政培训项目" in html
    client.force_login(tagged["personas"].carol)
    html = client.get("/stats/?year=2026").content.decode()
    assert "巾帼家政培训项目" in html  # the programme is listed, with Qingdao's figure (0)


def test_the_dispatch_report_has_a_programmes_sheet(tagged, tmp_path):
    out = tmp_path / "report.xlsx"
    call_command("dispatch_report", "--period", "2026-10", "--out", str(out), "--json", stdout=io.StringIO())
    sheet = CalamineWorkbook.from_path(str(out)).get_sheet_by_name(_("Programmes")).to_python()
    rows = {r[0]: r for r in sheet[3:]}
    row = rows["巾帼家政培训项目"]
    assert row[3] == 1 and row[4] == 3 and row[5] == 10


def test_a_chain_leader_gets_the_dated_points_in_the_scorecard(tagged):
    p = tagged["personas"]
    before = ranked_institutions(queries.stats_scope(p.alice), year=2026, today=NOW.date())
    score = {r.organisation.pk: r.card.score for r in before}[tagged["jinan"].pk]
    tagged["jinan"].kind = "enterprise"
    tagged["jinan"].save()
    chain_actions.recognise_chain_leader(by=p.bob, chain=tagged["chain"], organisation=tagged["jinan"],
                                         recognised_on=dt.date(2026, 1, 1), basis="测试文件")
    after = ranked_institutions(queries.stats_scope(p.alice), year=2026, today=NOW.date())
    card = {r.organisation.pk: r.card for r in after}[tagged["jinan"].pk]
    assert card.score == min(score + 5, Decimal(100))
    assert any("chain-leader" in reason for reason in card.reasons)


@pytest.mark.parametrize(("bonus", "violations", "expected"), [
    (Decimal(0), 0, Decimal("100.0")), (Decimal(5), 0, Decimal("100.0")), (Decimal(5), 1, Decimal("40.0")),
])
def test_the_bonus_never_lifts_past_100_nor_past_the_violation_cap(bonus, violations, expected):
    facts = InstitutionFacts(trainees=10, finished=10, completed=10, evaluated=10, passed=10, employment_window_closed=10,
                             employed_within_6_months=10, claims=1, claims_returned=0, open_findings=0,
                             violations=violations, chain_leader_bonus=bonus)
    assert institution_scorecard(facts).score == expected
