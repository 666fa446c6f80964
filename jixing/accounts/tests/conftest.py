from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Login throttles and OTP attempt counters live in the cache: start each test clean."""
    cache.clear()
    yield
    cache.clear()
