"""Funds API under /api/v1/funds/: budgets, claims and their review, payment orders with
idempotency keys, recoveries, rule computation, staff education statistics.

Authentication is global (session with CSRF, or an organisation's ``X-API-Token``); each
endpoint checks roles with ``require_api_roles`` and reads through ``visible_to``. Input
schemas list their fields: a body with ``amount``/``status``/``budget`` on a claim changes
nothing (B5). Conflicts (a paid claim, a reused idempotency key) answer 409.

Each topic module registers its endpoints on ``router`` when imported; the imports below keep
the order the endpoints had in one module (the OpenAPI document and route matching follow it).
"""

from __future__ import annotations

# isort: off
from . import budgets, claims, persons, payments, recoveries, rule_tables, staff_education  # noqa: F401
from . import milestones  # noqa: F401  (issue 16: new endpoints go after the old ones)
from . import self_training  # noqa: F401  (issue 17)
# isort: on
from .common import router

__all__ = ["router"]


def _keep_operation_ids() -> None:
    """Endpoints keep the OpenAPI operation ids they had while the API was one module
    (``jixing_funds_api_<function>``), so clients generated from the schema do not churn."""
    for path_view in router.path_operations.values():
        for operation in path_view.operations:
            operation.operation_id = operation.operation_id or f"jixing_funds_api_{operation.view_func.__name__}"


_keep_operation_ids()
