"""zh-hans first, English available (every catalogue's entries: tests/test_translations.py)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse


def test_it_speaks_simplified_chinese_by_default(client, db):
    assert settings.LANGUAGE_CODE == "zh-hans"
    html = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登录" in html and "用户名" in html and "技兴齐鲁 · 乐业山东" in html


def test_it_switches_to_english(client, personas):
    client.force_login(personas.bob)
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("registry:person_list")})
    assert response.status_code == 302
    html = client.get(reverse("registry:person_list")).content.decode()
    assert '<html lang="en">' in html
    assert "Persons" in html and "ID number" in html and "Register a person" in html
    assert "登记人员" not in html and "身份证号码" not in html  # reference data (group, region names) stays Chinese
    detail = client.get(reverse("registry:person_detail", args=[personas.lixia_person.pk])).content.decode()
    assert "Basic information" in detail and "household region" in detail


def test_it_translates_a_validation_message(client, personas):
    client.force_login(personas.dave)
    response = client.post(reverse("registry:person_create"), {"id_number": "3701", "name": "x"})
    assert "身份证号码须为 18 位。" in response.content.decode()
