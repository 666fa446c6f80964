"""Journey: list → filter → sort → export on three lists (persons, claims, the audit log), the
workbook opened with python-calamine and checked for cell types and masking; screenshots in
/tmp/jixing-screens."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from jixing.core.models import AuditEvent
from jixing.core.testing import make_person
from jixing.funds.models import ClaimStatus
from jixing.funds.tests import factories as f
from jixing.web.tests.browser import login, screenshot

pytestmark = pytest.mark.browser


def _export(page, tmp_path: Path, name: str) -> list[list[object]]:
    page.click("form.export-form button[type=submit]")
    page.wait_for_selector("#export-download")
    screenshot(page, f"lists-{name}-export")
    with page.expect_download() as info:
        page.click("#export-download")
    target = tmp_path / f"{name}.xlsx"
    info.value.save_as(target)
    return CalamineWorkbook.from_path(str(target)).get_sheet_by_index(0).to_python(skip_empty_area=False)


def _data(rows: list[list[object]], first_header: str) -> tuple[list[object], list[list[object]]]:
    at = next(i for i, r in enumerate(rows) if r and r[0] == first_header)
    return rows[at], [r for r in rows[at + 1:] if any(c not in ("", None) for c in r)]


def test_it_filters_sorts_and_exports_persons_masked_then_unmasked(page, live_server, personas, tmp_path) -> None:
    make_person("阿历下", "370102", seq=61)
    personas.bob.can_unmask = True
    personas.bob.save()
    login(page, live_server, personas.bob)
    page.goto(f"{live_server.url}/registry/persons/")
    page.select_option("#id_region", "370102")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/registry/persons/?*region=370102*")
    page.click("th.sortable a:has-text('姓名')")
    page.wait_for_url("**sort=name*")
    names = page.locator("table.data tbody tr td:first-child a").all_inner_texts()
    assert names == sorted(names) and "王市中" not in names
    screenshot(page, "lists-persons-sorted")
    rows = _export(page, tmp_path, "persons")
    assert "历下区" in str(rows[1][0]) and "姓名" in str(rows[1][0])  # the filter, sort included, in words
    header, data = _data(rows, "姓名")
    assert [r[0] for r in data] == sorted(names)
    lixia = next(r for r in data if r[0] == "李历下")
    assert lixia[1] == "370102********0133"  # masked by default
    assert lixia[3] == 1990 and isinstance(lixia[4], float)  # the birth year (never the date) as a number
    # unmasked with a reason: full numbers, audited with the reason
    page.goto(f"{live_server.url}/registry/persons/?region=370102&sort=name")
    page.click("details.unmask-export summary")
    page.check("input[name=unmask]")
    page.fill("input[name=reason]", "核对第3批代发名单")
    rows = _export(page, tmp_path, "persons-unmasked")
    _header, data = _data(rows, "姓名")
    assert next(r for r in data if r[0] == "李历下")[1] == personas.lixia_person.id_number
    assert AuditEvent.objects.filter(event="export.unmasked", detail__reason="核对第3批代发名单").exists()


def test_it_filters_sorts_and_exports_claims_with_money_as_numbers(page, live_server, personas, tmp_path) -> None:
    w = f.funded_class(personas, trainees=2)
    f.claim_in(w, ClaimStatus.SUBMITTED)
    w2 = f.another_funded_class(w, trainees=1)
    f.claim_in(w2, ClaimStatus.DRAFT, enrollments=w2.enrollments)
    login(page, live_server, personas.ivan)
    page.goto(f"{live_server.url}/funds/claims/")
    page.select_option("#status", ClaimStatus.SUBMITTED)
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**status=submitted*")
    page.click("th.sortable a:has-text('金额')")
    page.wait_for_url("**sort=amount*")
    assert page.locator("table.data tbody tr").count() == 1
    screenshot(page, "lists-claims-filtered")
    rows = _export(page, tmp_path, "claims")
    assert "已提交" in str(rows[1][0])
    header, data = _data(rows, "申领编号")
    assert len(data) == 1
    amount = data[0][header.index("金额（元）")]
    assert isinstance(amount, float) and amount > 0
    assert isinstance(data[0][header.index("创建时间")], dt.datetime)


def test_it_filters_sorts_and_exports_the_audit_log_in_words(page, live_server, personas, tmp_path) -> None:
    login(page, live_server, personas.bob)  # a login to find
    page.context.clear_cookies()
    login(page, live_server, personas.audrey)
    page.goto(f"{live_server.url}/accounts/audit/")
    page.fill("#id_event", "login.")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**event=login.*")
    assert "登录成功" in page.content() and "login.succeeded" not in page.locator("table.data").inner_text()
    page.click("th.sortable a:has-text('用户')")
    page.wait_for_url("**sort=actor*")
    screenshot(page, "lists-audit-sorted")
    rows = _export(page, tmp_path, "audit")
    header, data = _data(rows, "时间")
    assert {r[header.index("用户")] for r in data} >= {"bob", "audrey"}
    actors = [r[header.index("用户")] for r in data]
    assert actors == sorted(actors)
    assert all(isinstance(r[0], dt.datetime) for r in data)
    assert "登录成功" in {r[header.index("事件")] for r in data}
