"""Journey: a trainee on a 390×844 phone opens the menu and every item in it; no page is wider
than the screen. Screenshots in /tmp/jixing-screens."""

from __future__ import annotations

import pytest

from jixing.web.tests.browser import login, screenshot

pytestmark = pytest.mark.browser


def _overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_it_reaches_every_trainee_menu_item_on_a_phone(page, live_server, personas) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, personas.trent)
    assert page.locator("#sidebar").is_hidden()
    page.click("#menu-toggle")
    assert page.locator("#sidebar").is_visible()
    screenshot(page, "phone-trainee-menu")
    links = page.locator("#sidebar a").evaluate_all("links => links.map(a => [a.textContent.trim(), a.getAttribute('href')])")
    assert len(links) >= 5
    labels = [label for label, _ in links]
    assert "修改密码" in labels
    for label, href in links:
        page.goto(live_server.url + "/")
        page.click("#menu-toggle")
        page.locator("#sidebar a", has_text=label).first.click()
        page.wait_for_load_state()
        assert page.url.endswith(href) or href in page.url, (label, href, page.url)
        assert page.locator("#sidebar").is_hidden()
        overflow = _overflow(page)
        screenshot(page, f"phone-trainee-{href.strip('/').replace('/', '-') or 'home'}")
        assert overflow <= 0, f"{label} ({href}) is {overflow}px wider than the phone"
