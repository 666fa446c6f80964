"""揭榜领题 ranking: a chain-leader partner enterprise adds the dated points (seed 一(七), issue 17)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from jixing.core.testing import make_organisation
from jixing.plan import chain_actions
from jixing.plan.models import IndustrialChain
from jixing.registry.models import OrganisationKind
from jixing.training import topic_actions

from .test_topics import _apply, _score, board, expert, expert2  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def test_a_chain_leader_partner_adds_points_to_the_ranking_score(client, personas, board, expert):  # noqa: F811
    _topic_list, topic = board
    firm = make_organisation("某链主机器人公司", "370102", OrganisationKind.ENTERPRISE, seed=91)
    application = _apply(personas, topic, partner=firm)
    _score(application, expert)
    assert topic_actions.chain_leader_bonus(application) == Decimal(0)
    assert topic_actions.ranking_score(application) == topic_actions.average_score(application) == Decimal("88.00")
    chain_actions.recognise_chain_leader(by=personas.bob, chain=IndustrialChain.objects.get(code="signature-02"),
                                         organisation=firm, recognised_on=dt.date(2025, 6, 1), basis="测试文件")
    assert topic_actions.chain_leader_bonus(application) == Decimal(3)
    assert topic_actions.ranking_score(application) == Decimal("91.00")
    client.force_login(personas.alice)
    html = client.get(reverse("training:topic_application", args=[application.pk])).content.decode()
    assert "链主企业加分" in html and "91.00" in html
