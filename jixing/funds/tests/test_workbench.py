"""Workbench tiles of funds for each role."""

from __future__ import annotations

import pytest

from jixing.funds.models import ClaimStatus
from jixing.funds.tests import factories as f

pytestmark = pytest.mark.django_db


def test_it_shows_each_role_its_funds_tile(personas, client) -> None:
    w = f.funded_class(personas, trainees=2)
    f.claim_in(w, ClaimStatus.SUBMITTED)
    f.claim_in(f.another_funded_class(w), ClaimStatus.PAYABLE)
    expectations = {
        "dave": ("待审核的补贴申领", "/funds/review/"),
        "grace": ("待支付申领", "/funds/payments/"),
        "ivan": ("待完成的补贴申领", "/funds/claims/"),
    }
    for who, (label, url) in expectations.items():
        client.force_login(getattr(personas, who))
        html = client.get("/").content.decode()
        assert label in html and f'href="{url}"' in html, who
    person = w.enrollments[0].person
    client.force_login(f.person_user(person))
    assert "我的补贴" in client.get("/").content.decode()
