"""Journey (issue 15, build 4): a teacher (institution staff) and a county officer on a 390×844
phone. The class list, a class, its session and the roll call, and the county officer's claim
review queue: no page wider than the screen, tables as cards, the menu button reaches them.
Screenshots in /tmp/jixing-screens (phone-teacher-*, phone-county-*)."""

from __future__ import annotations

import datetime as dt

import pytest

from jixing.core.testing import make_person
from jixing.funds.models import ClaimStatus
from jixing.funds.tests import factories as f
from jixing.web.tests.browser import login, screenshot

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def teacher(personas):
    """The institution's teacher, made here: the funds factories' own (seq 5000 + n, born
    1990-05-17) collides with a persona's ID number when their counter reaches 13."""
    from jixing.training.models import Teacher

    return Teacher.objects.create(organisation=personas.institution,
                                  person=make_person("孔老师", "370102", birth=dt.date(1979, 2, 3), seq=977))


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def _wide_tables(page) -> list[str]:
    """Tables wider than the screen, or scrolling sideways inside their box (a table squeezed
    into a scroll area hides columns just as an overflowing page does)."""
    return page.evaluate("""() => [...document.querySelectorAll('main table, .content table')]
        .filter(t => t.offsetParent && (t.getBoundingClientRect().width > window.innerWidth + 1
                                        || t.scrollWidth > t.clientWidth + 1))
        .map(t => (t.closest('section, .card')?.querySelector('h2')?.textContent || t.className)
                  + ' ' + t.scrollWidth + '/' + t.clientWidth + 'px')""")


def _check(page, name: str) -> None:
    page.wait_for_load_state()
    screenshot(page, name)
    overflow = _overflow(page)
    assert overflow <= 0, f"{name}: {overflow}px wider than the phone"
    assert _wide_tables(page) == [], f"{name}: tables wider than the phone"
    cells = page.locator("table.responsive td[data-label]").count()
    assert cells or not page.locator("table.responsive tbody tr td:not(.empty)").count(), f"{name}: cards without labels"


def test_a_teacher_runs_a_class_and_its_roll_call_on_a_phone(page, live_server, personas) -> None:
    w = f.funded_class(personas, trainees=4)
    session = f._sessions(w.klass)[0]
    page.set_viewport_size(PHONE)
    login(page, live_server, personas.ivan)
    page.click("#menu-toggle")
    assert page.locator("#sidebar").is_visible()
    page.locator("#sidebar a[href='/training/classes/']").first.click()
    _check(page, "phone-teacher-classes")
    page.goto(f"{live_server.url}/training/classes/{w.klass.pk}/")
    _check(page, "phone-teacher-class")
    page.goto(f"{live_server.url}/training/sessions/{session.pk}/")  # the session with its roll-call form
    _check(page, "phone-teacher-session")
    # the roll call's controls are on the screen, not beyond its right edge
    for box in page.locator("main input, main select, main button").evaluate_all(
            "els => els.filter(e => e.offsetParent).map(e => e.getBoundingClientRect().right)"):
        assert box <= PHONE["width"] + 1


def test_a_county_officer_reviews_claims_on_a_phone(page, live_server, personas) -> None:
    w = f.funded_class(personas, trainees=3)
    claim = f.claim_in(w, ClaimStatus.SUBMITTED)
    page.set_viewport_size(PHONE)
    login(page, live_server, personas.dave)
    page.click("#menu-toggle")
    page.locator("#sidebar a[href='/funds/review/']").first.click()
    _check(page, "phone-county-review-queue")
    assert page.locator(f"text={claim.number}").first.is_visible()
    page.locator(f"text={claim.number}").first.click()
    page.wait_for_url(f"{live_server.url}/funds/claims/{claim.pk}/")
    _check(page, "phone-county-claim")
