"""The menu: only the user's items, grouped by app, one active item."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_groups_the_menu_by_app_and_marks_one_item_active(client, personas):
    client.force_login(personas.bob)
    response = client.get(reverse("registry:person_detail", args=[personas.lixia_person.pk]))
    sections = {str(s["label"]): [str(i["label"]) for i in s["items"]] for s in response.context["nav_sections"]}
    assert sections["实名库"] == ["人员", "限制申领名单", "单位"]
    assert sections["政策与目标"] == ["十大行动", "目标任务", "产业链", "技能大师工作室", "专项计划", "自主参训"]
    active = [i for i in response.context["nav_items"] if i["active"]]
    assert [str(i["label"]) for i in active] == ["人员"]
    assert 'aria-current="page"' in response.content.decode()


def test_it_shows_no_registry_menu_to_a_trainee(client, personas):
    client.force_login(personas.trent)
    labels = {str(i["label"]) for i in client.get(reverse("web:home")).context["nav_items"]}
    assert "人员" not in labels and "单位" not in labels and "十大行动" not in labels


def test_every_menu_item_opens_for_the_user_it_is_shown_to(client, personas):
    """A menu item the view then refuses (403) or breaks on (500) is a bug in the menu or the view."""
    from jixing.core.testing import Personas

    checked = 0
    for name in Personas.__dataclass_fields__:
        user = getattr(personas, name)
        if not hasattr(user, "role"):
            continue
        client.force_login(user)
        for item in client.get(reverse("web:home")).context["nav_items"]:
            status = client.get(item["url"]).status_code
            assert status == 200, f"{name} ({user.role}) → {item['url']}: {status}"
            checked += 1
        client.logout()
    assert checked > 50


def test_a_school_does_not_see_the_enterprise_pay_report(client, personas):
    from jixing.registry.models import OrganisationKind

    assert personas.ivan.organisation.kind != OrganisationKind.ENTERPRISE
    client.force_login(personas.ivan)
    labels = {str(i["label"]) for i in client.get(reverse("web:home")).context["nav_items"]}
    assert "技能等级薪酬" not in labels
