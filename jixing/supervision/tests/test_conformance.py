"""Every supervision page declares its roles; every message has a compiled zh-hans translation;
every registered rule has valid parameter ranges and an explanation that renders."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixing.core.permissions import ACCESS_ATTR
from jixing.supervision import rules, urls

LOCALE = Path(__file__).resolve().parents[1] / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_it_declares_roles_on_every_page() -> None:
    assert [p.name for p in urls.urlpatterns if not getattr(p.callback, ACCESS_ATTR, None)] == []


def test_it_has_every_message_translated_and_compiled() -> None:
    with (LOCALE / "django.mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    text = (LOCALE / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in text.split("\n\n", 1)[1]
    assert '\nmsgstr ""\n\n' not in text.split("\n\n", 1)[1]
    assert compiled.gettext("Supervision rules") == "监管规则"
    assert compiled.pgettext("severity", "high") == "高"


@pytest.mark.parametrize("code", list(rules.by_code()))
def test_it_registers_rules_with_sound_parameters(code) -> None:
    rule = rules.get(code)
    assert rules.REGISTRY[rule.kind] is rule
    for p in rule.params:
        assert p.minimum <= p.default <= p.maximum, p.name
        assert p.clean(p.default) == p.default
        with pytest.raises(ValueError):
            p.clean(p.maximum + 1)
    assert isinstance(rule.explain({}), str)  # an explanation renders even from empty evidence


@pytest.mark.parametrize(("raw", "ok"), [("10", True), ("2", False), ("501", False), ("abc", False), ("3.5", False),
                                         ("nan", False), ("500", True)])
def test_it_validates_parameter_values(raw, ok) -> None:
    param = rules.get("R03").params[0]  # min_trainees 3..500
    cleaned, errors = rules.clean_params((param,), {"min_trainees": raw})
    assert (not errors) is ok
    if ok:
        assert cleaned["min_trainees"] == int(raw)


def test_it_refuses_unknown_parameters() -> None:
    _cleaned, errors = rules.clean_params(rules.get("R01").params, {"min_overlap_minutes": "10", "status": "x"})
    assert list(errors) == ["status"]


@given(st.integers(min_value=-10_000, max_value=10_000))
def test_it_accepts_exactly_the_declared_range(value) -> None:
    for rule in rules.by_code().values():
        for p in rule.params:
            inside = p.minimum <= value <= p.maximum
            try:
                assert p.clean(str(value)) == value and inside
            except ValueError:
                assert not inside


@pytest.mark.parametrize(("a", "b", "km"), [
    ((36.6512, 117.1201), (36.0671, 120.3826), 299),  # Jinan – Qingdao
    ((36.6512, 117.1201), (36.6512, 117.1201), 0),
    ((0.0, 0.0), (0.0, 1.0), 111),
])
def test_it_measures_great_circle_distances(a, b, km) -> None:
    from jixing.supervision.rules.r05_far_check_in import haversine_m

    assert round(haversine_m(*a, *b) / 1000) == km


@given(st.floats(min_value=30, max_value=45), st.floats(min_value=110, max_value=125),
       st.floats(min_value=-0.2, max_value=0.2), st.floats(min_value=-0.2, max_value=0.2),
       st.integers(min_value=100, max_value=20_000))
def test_it_never_drops_a_far_check_in_in_the_sql_box(lat, lon, dlat, dlon, limit) -> None:
    """The SQL prefilter keeps every point outside the box; every point farther than the limit
    must lie outside it, or R05 would miss it."""
    from jixing.supervision.rules.r05_far_check_in import box_half_degrees, haversine_m

    box = box_half_degrees(limit)
    if haversine_m(lat, lon, lat + dlat, lon + dlon) > limit:
        assert abs(dlat) >= box or abs(dlon) >= box
