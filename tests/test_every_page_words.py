"""Words, not values (issue 15, build 3): every page, for every persona, in zh-hans.

Walks every page route from the URL resolver (like the authorisation matrix) as every persona —
list pages as they are, pages naming an object with the first object the persona may see — and
the admin's index and change lists for the admins, and fails on what a Chinese-speaking official
should never read:

- an English word of our own (a word of one of our msgids) left untranslated;
- a raw time: ``+00:00``, an ISO ``T`` time, ``UTC`` (times are local Asia/Shanghai, formatted);
- a bare choice code (``face``, ``qr``, ``high`` …) where its label belongs;
- developer text: ``None``, ``True``/``False``, ``[]``, ``{'``, ``<… object>``, ``x.y#12``;
- a rule code (R01 …) without the rule's name next to it.

What counts is the text a reader sees: text nodes outside script/style, and the title,
placeholder, aria-label and alt attributes. ``<code>`` marks a literal the reader copies (a
command on the system administrator's operations page, an authenticator URI) and is left out. Fixing a failure: translate the string, or show the
label / local time / name instead of the value.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import polib  # type: ignore[import-untyped]
import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.test import Client

from jixing.supervision import rules
from tests.test_authorisation_matrix import (  # noqa: F401  (world: the fixture)
    PAGE_OBJECTS,
    World,
    _full_numbers,
    _hidden_names,
    world,
)
from tests.test_url_protection import pages

ROOT = Path(settings.BASE_DIR)
# Words of our msgids that may stand in a Chinese page: names of formats, standards and products,
# and units that read the same in Chinese.
ALLOWED_WORDS = {
    "api", "csv", "excel", "xlsx", "pdf", "json", "https", "http", "url", "jixing", "ruoyi", "django",
    "wps", "sms", "ssl", "tls", "ocr", "gps", "ios", "android", "usb", "www", "utf",
}
DEVELOPER_TEXT = [
    (re.compile(r"(?<![\w-])(None|True|False)(?![\w-])"), "a Python value"),
    (re.compile(r"\[\s*\]|\{'|\{\"|'\}|<\w+ object|\bobject \(\d+\)|QuerySet"), "a Python repr"),
    (re.compile(r"\b[a-z_]+\.[a-z_]+#\d+\b"), "an internal object id"),
    (re.compile(r"\bmanage\.py\b|--json\b"), "a command line"),
]
RAW_TIME = [
    (re.compile(r"[+-]\d\d:\d\d\b(?!:)|\d{4}-\d\d-\d\dT\d\d:\d\d"), "a raw ISO/UTC time"),
    (re.compile(r"\bUTC\b"), "UTC"),
]
RULE_CODE = re.compile(r"\bR(\d\d)\b")


class _Visible(HTMLParser):
    """The text a reader sees: text nodes outside script/style and a few attributes."""

    ATTRS = ("title", "placeholder", "aria-label", "alt")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template", "code"):
            self._skip += 1
        self.parts += [value for name, value in attrs if name in self.ATTRS and value]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template", "code") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> list[str]:
    parser = _Visible()
    parser.feed(html)
    return parser.parts


def _our_words() -> set[str]:
    words: set[str] = set()
    for po in ROOT.glob("jixing/*/locale/zh_Hans/LC_MESSAGES/django.po"):
        for entry in polib.pofile(str(po)):
            text = re.sub(r"%\(\w+\)[sd]|\{\w*\}|<[^>]+>|&\w+;", " ", entry.msgid)
            words |= {w.lower() for w in re.findall(r"[A-Za-z]{3,}", text)}
    return words - ALLOWED_WORDS


def _choice_codes() -> set[str]:
    """Stored values of our choice fields whose label differs: ``face``, ``qr``, ``high`` …"""
    codes: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("jixing."):
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.Field) and field.choices:
                for value, _label in field.flatchoices:
                    if isinstance(value, str) and re.fullmatch(r"[a-z][a-z_]{1,}", value) and value != str(_label):
                        codes.add(value)
    return codes


class Checker:
    def __init__(self, usernames: set[str]) -> None:
        self.words = _our_words()
        self.codes = _choice_codes()
        self.rule_names = {cls.code: str(cls.title) for cls in rules.by_code().values()}
        self.usernames = usernames

    def problems(self, html: str) -> list[str]:
        found: list[str] = []
        parts = visible_text(html)
        for index, text in enumerate(parts):
            for word in re.findall(r"(?<![\w@./-])[A-Za-z][a-z_]{2,}(?![\w@/-])", text):
                low = word.lower()
                if low in self.usernames:
                    continue
                if "_" in word or word in self.codes:
                    if word in self.codes:
                        found.append(f"bare code {word!r} in {text[:80]!r}")
                elif low in self.words:
                    found.append(f"English {word!r} in {text[:80]!r}")
            for pattern, what in DEVELOPER_TEXT + RAW_TIME:
                if pattern.search(text):
                    found.append(f"{what} in {text[:80]!r}")
            for match in RULE_CODE.finditer(text):
                name = self.rule_names.get(f"R{match.group(1)}")
                near = " ".join(parts[max(0, index - 2):index + 3])  # a table row: code, then name
                if name and name not in near:
                    found.append(f"rule code R{match.group(1)} without its name in {text[:80]!r}")
        return found


def _first_visible(route: str, user) -> int | None:  # type: ignore[no-untyped-def]
    pk = PAGE_OBJECTS[route](user).order_by("pk").values_list("pk", flat=True).first()
    return pk


def _url(route: str, pk: int | None) -> str:
    first = [True]

    def fill(match: re.Match[str]) -> str:
        if first[0] and match.group(1) in ("int", None) and pk is not None:
            first[0] = False
            return str(pk)
        return {"int": "1", "slug": "x", "str": "x"}.get(match.group(1) or "str", "1")

    return "/" + re.sub(r"<(?:(\w+):)?\w+>", fill, route)


def _read(client: Client, url: str) -> str | None:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    if response.status_code != 200 or "html" not in response.get("Content-Type", "") or not hasattr(response, "content"):
        return None
    return response.content.decode()


def test_the_checker_catches_what_the_issue_names() -> None:
    checker = Checker(set())
    bad = ("<td>班级 58</td><td>2026-11-29 23:55:00+00:00</td><td>face</td><td>None</td>"
           "<td>{'a': 1}</td><td>accounts.user#11</td><td>规则 R01 线索</td><td>Ready</td>")
    problems = " | ".join(checker.problems(bad))
    for expected in ("raw ISO/UTC time", "bare code 'face'", "Python value", "Python repr", "internal object id",
                     "R01 without its name", "English 'Ready'"):
        assert expected in problems
    good = f"<td>2026-11-30 07:55</td><td>人脸</td><td>R01 {checker.rule_names['R01']}</td><script>None</script>"
    assert checker.problems(good) == []


@pytest.mark.django_db
def test_every_page_speaks_chinese_to_every_persona_and_names_no_person_outside_their_scope(
    world: World,  # noqa: F811
) -> None:
    """One walk, two checks on each page it opens: the words above, and (the authorisation
    matrix's check, SECURITY.md B3) that no list page names a person outside the persona's
    person scope or shows a full ID number. Both used to walk the same persona × list page
    pairs of the same world, each on its own."""
    checker = Checker({name.lower() for name in world.users})
    failures: list[str] = []
    leaks: list[str] = []
    opened = listed = 0
    routes = [page for page in pages() if page.access != ("public",) or "<" not in page.route]
    for name, user in world.users.items():
        client = Client()
        client.force_login(user)
        hidden = _hidden_names(world, user)
        seen: set[str] = set()
        for page in routes:
            if "<" in page.route:
                if page.name not in PAGE_OBJECTS:
                    continue
                pk = _first_visible(page.name, user)
                if pk is None:
                    continue
                url = _url(page.route, pk)
            else:
                url = "/" + page.route
            html = _read(client, url)
            if html is None:
                continue
            opened += 1
            for problem in checker.problems(html):
                key = f"{page.name}: {problem}"
                if key not in seen:
                    seen.add(key)
                    failures.append(f"{name} → {url} {key}")
            if "<" not in page.route and page.access != ("public",):
                listed += 1
                leaks += [f"{name} → {url}: {person}" for person in hidden if person in html]
                if _full_numbers(world, html):
                    leaks.append(f"{name} → {url}: a full ID number")
    assert opened > 300 and listed > 0, (opened, listed)
    assert leaks == [], "Persons named outside the scope: " + "; ".join(leaks)
    assert failures == [], f"{len(failures)} problems:\n" + "\n".join(failures)


class _AdminLabels(HTMLParser):
    """The admin's labels of our models: captions and links of the app list, column headers,
    filter titles and headings (the cells hold data: codes of departments, actions … are data)."""

    LABELS = ("caption", "th", "h1", "h2", "h3", "label")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._depth = 0
        self._body = 0  # inside a change list's <tbody>, a <th> is the row's first (data) cell

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tbody":
            self._body += 1
        elif tag in self.LABELS and not (tag == "th" and self._body):
            self._depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody" and self._body:
            self._body -= 1
        elif tag in self.LABELS and self._depth and not (tag == "th" and self._body):
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._depth and data.strip():
            self.parts.append(data.strip())


# Django's own admin chrome that its zh-hans catalogue lacks (screen-reader headers): not ours.
DJANGO_CHROME = {"Model name", "Add link", "Change or view list link"}


@pytest.mark.django_db
def test_the_admin_names_our_models_and_fields_in_chinese(world: World) -> None:  # noqa: F811
    from django.contrib import admin

    checker = Checker({name.lower() for name in world.users})
    failures: list[str] = []
    urls = ["/admin/"] + [f"/admin/{model._meta.app_label}/{model._meta.model_name}/" for model in admin.site._registry]
    for name in ("sam", "sue", "audrey"):
        client = Client()
        client.force_login(world.users[name])
        for url in urls:
            html = _read(client, url)
            if html is None:
                continue
            parser = _AdminLabels()
            parser.feed(html)
            labels = "".join(f"<p>{part}</p>" for part in parser.parts if part not in DJANGO_CHROME)
            failures += [f"{url}: {problem}" for problem in checker.problems(labels)]
    assert failures == [], f"{len(set(failures))} problems:\n" + "\n".join(sorted(set(failures)))
