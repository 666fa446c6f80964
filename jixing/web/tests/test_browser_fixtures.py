"""The browser fixtures skip without Chromium locally but fail in CI (CI=true)."""

from __future__ import annotations

import pytest
from _pytest.outcomes import Failed, Skipped

from jixing.web.tests import browser


def test_it_skips_without_chromium_outside_ci(monkeypatch):
    monkeypatch.setattr(browser, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(Skipped):
        browser._require_chromium()


def test_it_fails_without_chromium_in_ci(monkeypatch):
    monkeypatch.setattr(browser, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(Failed):
        browser._require_chromium()


def test_it_accepts_an_installed_chromium(monkeypatch, tmp_path):
    fake = tmp_path / "chromium"
    fake.write_text("")
    monkeypatch.setattr(browser, "CHROMIUM", str(fake))
    monkeypatch.setenv("CI", "true")
    browser._require_chromium()
