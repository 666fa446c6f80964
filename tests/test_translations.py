"""The apps' translation catalogues stay consistent with each other and with their compiled .mo.

Django merges every app's catalogue into one per language: when two apps translate the same
(msgctxt, msgid) differently, the app listed first in INSTALLED_APPS wins everywhere, and the
other app shows a translation meant for something else. A clash is fixed by using one wording
in both apps, or, where the meanings differ, by giving one use a context (pgettext /
``{% translate "x" context "y" %}``) or a more precise English msgid.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import polib
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
PO_FILES = sorted(ROOT.glob("jixing/*/locale/*/LC_MESSAGES/django.po"))

Key = tuple[str | None, str]  # (msgctxt, msgid)


def _app(po_path: Path) -> str:
    return po_path.relative_to(ROOT / "jixing").parts[0]


def _language(po_path: Path) -> str:
    return po_path.parent.parent.name


def _label(po_path: Path) -> str:
    return str(po_path.relative_to(ROOT))


def _key_text(key: Key) -> str:
    msgctxt, msgid = key
    return f"{msgid!r}" if msgctxt is None else f"{msgid!r} (context {msgctxt!r})"


def _translation(entry: polib.POEntry | polib.MOEntry) -> str | tuple[str, ...]:
    if entry.msgid_plural:
        return tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
    return entry.msgstr


def _is_translated(entry: polib.POEntry) -> bool:
    if entry.msgid_plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def _live_entries(po: polib.POFile) -> list[polib.POEntry]:
    """Entries the code uses: not obsolete, and not the header (msgid "")."""
    return [e for e in po if not e.obsolete and e.msgid]


def _app_rank(app: str) -> int:
    name = f"jixing.{app}"
    return settings.INSTALLED_APPS.index(name) if name in settings.INSTALLED_APPS else len(settings.INSTALLED_APPS)


def test_catalogues_were_found() -> None:
    assert len(PO_FILES) >= 10, f"expected every app's django.po, found {[_label(p) for p in PO_FILES]}"


def test_no_msgid_is_translated_differently_by_two_apps() -> None:
    seen: dict[tuple[str, Key], dict[str, str | tuple[str, ...]]] = defaultdict(dict)
    for path in PO_FILES:
        for entry in _live_entries(polib.pofile(str(path))):
            if _is_translated(entry) and not entry.fuzzy:
                seen[(_language(path), (entry.msgctxt, entry.msgid))][_app(path)] = _translation(entry)
    clashes = []
    for (language, key), by_app in sorted(seen.items(), key=lambda item: (item[0][0], str(item[0][1]))):
        if len(set(by_app.values())) > 1:
            apps = sorted(by_app, key=_app_rank)
            detail = ", ".join(f"{app}: {by_app[app]!r}" for app in apps)
            clashes.append(f"[{language}] {_key_text(key)} — {detail} ({apps[0]} wins in every app)")
    assert not clashes, (
        f"{len(clashes)} msgid(s) are translated differently by two apps; use one wording, or give one use a "
        "context (pgettext / {% translate ... context ... %}) or a more precise msgid:\n" + "\n".join(clashes)
    )


@pytest.mark.parametrize("po_path", PO_FILES, ids=_label)
def test_every_entry_is_translated_and_not_fuzzy(po_path: Path) -> None:
    po = polib.pofile(str(po_path))
    problems = []
    for entry in _live_entries(po):
        if entry.fuzzy:
            problems.append(f"fuzzy: {_key_text((entry.msgctxt, entry.msgid))} -> {_translation(entry)!r}")
        elif not _is_translated(entry):
            problems.append(f"untranslated: {_key_text((entry.msgctxt, entry.msgid))}")
    assert not problems, f"{_label(po_path)}:\n" + "\n".join(problems)


@pytest.mark.parametrize("po_path", PO_FILES, ids=_label)
def test_compiled_mo_matches_po(po_path: Path) -> None:
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{_label(po_path)} has no compiled {mo_path.name}; run compilemessages"
    expected = {
        (e.msgctxt, e.msgid): _translation(e) for e in _live_entries(polib.pofile(str(po_path)))
        if _is_translated(e) and not e.fuzzy
    }
    compiled = {(e.msgctxt, e.msgid): _translation(e) for e in polib.mofile(str(mo_path)) if e.msgid}
    missing = sorted(_key_text(k) for k in expected.keys() - compiled.keys())
    stale = sorted(_key_text(k) for k in compiled.keys() - expected.keys())
    differing = sorted(
        f"{_key_text(k)}: .po {expected[k]!r}, .mo {compiled[k]!r}"
        for k in expected.keys() & compiled.keys() if expected[k] != compiled[k]
    )
    assert not (missing or stale or differing), (
        f"{_label(mo_path)} is out of step with its .po; run compilemessages in jixing/{_app(po_path)}\n"
        + "".join(f"not compiled: {m}\n" for m in missing)
        + "".join(f"no longer in .po: {s}\n" for s in stale)
        + "".join(f"different: {d}\n" for d in differing)
    )
