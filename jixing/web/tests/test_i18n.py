"""zh-hans first, English available; every message of the foundation's catalogues translated."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

JIXING = Path(__file__).resolve().parents[2]
CATALOGUES = ["web", "registry", "plan", "accounts", "core"]


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


def _po_entries(po: Path) -> list[dict[str, str]]:
    """msgctxt/msgid/msgid_plural/msgstr… of each entry of a .po file (header left out)."""
    entries = []
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        entry: dict[str, str] = {}
        key = ""
        for line in block.splitlines():
            if line.startswith("#"):
                entry["flags"] = entry.get("flags", "") + line
                continue
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) "(.*)"$', line)
            if match:
                key = match.group(1)
                entry[key] = match.group(2)
            elif line.startswith('"') and key:
                entry[key] += line[1:-1]
        if entry.get("msgid"):
            entries.append(entry)
    return entries


@pytest.mark.parametrize("app", CATALOGUES)
def test_it_has_every_message_translated_and_compiled(app):
    po = JIXING / app / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    assert po.exists() and mo.exists(), f"run makemessages/compilemessages for {app}"
    with mo.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    problems = []
    for entry in _po_entries(po):
        strings = [v for k, v in entry.items() if k.startswith("msgstr")]
        msgid = entry["msgid"].encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
        if "fuzzy" in entry.get("flags", "") or not all(strings):
            problems.append(("untranslated", msgid))
        elif "msgctxt" not in entry and "msgid_plural" not in entry and strings[0] != entry["msgid"] \
                and compiled.gettext(msgid) == msgid:
            problems.append(("not compiled", msgid))
    assert problems == []
