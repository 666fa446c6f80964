"""Region scope is written in one place: ``jixing/core/access.py`` (``within_region``,
``code_within``, ``scope_q``, ``Scope.region_q``). A hand-written prefix filter elsewhere
(``county__code__startswith=…``) drifts from the rule — the province prefix, a city's
``3701`` — so this test fails on one. Serial numbers by prefix (class and claim numbers) are
written once, in ``jixing/core/numbering.py``; a ``…__startswith`` elsewhere on a code that is
not a region's must say so with the comment ``# not a region code`` on its line.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "jixing"
EXEMPT = "# not a region code"
# A startswith lookup on a region code: Region's own ``code``, a FK's ``…__code``, a code
# column (``registered_in``) or a FK's raw ``…_id`` to a region.
HAND_WRITTEN = re.compile(r"(?:code|region|county|city|registered_in|region_id|county_id|city_id)__startswith")


def _own_sources() -> list[Path]:
    return [
        path for path in sorted(PACKAGE.rglob("*.py"))
        if not {"tests", "migrations"} & set(path.relative_to(PACKAGE).parts)
        and path.relative_to(PACKAGE).parts[0] != "core"
    ]


def hand_written_filters(text: str) -> list[tuple[int, str]]:
    return [
        (number, line.strip()) for number, line in enumerate(text.splitlines(), start=1)
        if HAND_WRITTEN.search(line) and EXEMPT not in line
    ]


def test_the_scanner_sees_each_form() -> None:
    sample = (
        'qs.filter(county__code__startswith=prefix)\n'
        'Q(**{f"{prefix}county__code__startswith": scope.region_prefix})\n'
        'Region.objects.filter(code__startswith="3701")\n'
        'qs.filter(registered_in__startswith=p)\n'
        'qs.filter(within_region("county", prefix))\n'
        'Klass.objects.filter(code__startswith=prefix)  # not a region code\n'
        'qs.filter(name__startswith=q)\n'
    )
    assert [n for n, _line in hand_written_filters(sample)] == [1, 2, 3, 4]


def test_no_hand_written_region_prefix_filter_outside_core() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line}"
        for path in _own_sources()
        for number, line in hand_written_filters(path.read_text(encoding="utf-8"))
    ]
    assert not found, "write region filters with jixing.core.access (within_region / code_within / scope_q):\n" + "\n".join(found)
