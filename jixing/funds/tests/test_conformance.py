"""Every funds page declares its roles (B2), and
the funds read endpoints keep to their OpenAPI schema under generated input."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, get_resolver

from jixing.core.permissions import ACCESS_ATTR
from jixing.funds.tests import factories as f
from jixing.web.tests.conformance import check_generated_reads


def test_it_declares_roles_on_every_page() -> None:
    funds = get_resolver().url_patterns
    patterns = [p for p in funds if getattr(p, "namespace", None) == "funds"][0].url_patterns
    undecorated = [p.name for p in patterns if isinstance(p, URLPattern) and not hasattr(p.callback, ACCESS_ATTR)]
    assert patterns and undecorated == []
    assert all(getattr(p.callback, ACCESS_ATTR) != ("public",) for p in patterns)


FUNDS_READS = ["/api/v1/funds/budgets", "/api/v1/funds/budgets/{budget_id}", "/api/v1/funds/claims",
               "/api/v1/funds/claims/{claim_id}", "/api/v1/funds/review-queue", "/api/v1/funds/recoveries"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", FUNDS_READS)
def test_it_answers_generated_reads_as_documented(client, personas, keep_test_connection, path) -> None:
    f.claim_in(f.funded_class(personas, trainees=1), "submitted")
    check_generated_reads(client, personas.bob, path)
