"""The workbench: one page for every role, assembled from the apps' cards."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.urls import reverse

from jixing.plan.models import Target
from jixing.web import workbench
from jixing.web.workbench import WorkbenchCard, cards_for

pytestmark = pytest.mark.django_db

ROLES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "ivan", "judy", "trent", "audrey", "sam", "sue"]


@pytest.mark.parametrize("who", ROLES)
def test_it_opens_a_workbench_for_every_role(client, personas, who):
    user = getattr(personas, who)
    client.force_login(user)
    response = client.get(reverse("web:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "工作台" in html
    for person in (personas.lixia_person, personas.shizhong_person, personas.qingdao_person):
        assert person.id_number not in html


def test_it_shows_the_province_every_target_with_its_quote_and_counts(client, personas):
    client.force_login(personas.alice)
    response = client.get(reverse("web:home"))
    html = response.content.decode()
    for target in Target.objects.all():
        assert target.seed_quote in html
        assert target.name in html
    assert "1,500,000" in html
    counts = next(c for c in response.context["stat_cards"] if c.template == "registry/cards/counts.html").data["counts"]
    assert (counts.persons, counts.organisations) == (3, 2)


@pytest.mark.parametrize(("who", "persons", "organisations"), [("bob", 2, 2), ("dave", 1, 1), ("carol", 1, 0)])
def test_it_counts_only_the_officers_region(client, personas, who, persons, organisations):
    client.force_login(getattr(personas, who))
    response = client.get(reverse("web:home"))
    counts = next(c for c in response.context["stat_cards"] if c.template == "registry/cards/counts.html").data["counts"]
    assert (counts.persons, counts.organisations) == (persons, organisations)


def test_it_shows_an_institution_its_own_organisation(client, personas):
    client.force_login(personas.ivan)
    html = client.get(reverse("web:home")).content.decode()
    assert personas.institution.name in html and personas.institution.uscc in html
    assert personas.evaluation_body.name not in html
    assert "行动目标任务" not in html


def test_it_shows_a_trainee_their_own_masked_record(client, personas):
    client.force_login(personas.trent)
    html = client.get(reverse("web:home")).content.decode()
    assert personas.lixia_person.masked_id_number in html
    assert personas.lixia_person.id_number not in html
    assert personas.shizhong_person.name not in html


def test_it_points_administrators_to_the_admin_site(client, personas):
    client.force_login(personas.sam)
    html = client.get(reverse("web:home")).content.decode()
    assert reverse("admin:index") in html
    assert "登记人员" not in html


def test_it_shows_cards_by_role_and_hides_cards_with_nothing_to_show(monkeypatch):
    cards = (
        WorkbenchCard(template="a.html", roles=frozenset({"trainee"}), order=2, context=lambda r: {"n": 1}),
        WorkbenchCard(template="b.html", roles=frozenset({"trainee"}), order=1, context=lambda r: None),
        WorkbenchCard(template="c.html", roles=frozenset({"auditor"}), order=0),
        WorkbenchCard(template="d.html", roles=frozenset({"trainee"}), order=3, size="stat"),
    )
    monkeypatch.setattr(workbench, "all_cards", lambda: cards)
    shown = cards_for(SimpleNamespace(user=SimpleNamespace(role="trainee")))
    assert [(c.template, c.size, c.data) for c in shown] == [("a.html", "wide", {"n": 1}), ("d.html", "stat", {})]


def test_it_discovers_the_cards_of_the_apps():
    templates = {card.template for card in workbench.all_cards()}
    assert {"registry/cards/counts.html", "plan/cards/targets.html", "web/cards/admin.html"} <= templates
