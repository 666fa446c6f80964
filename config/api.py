"""The public API: django-ninja under /api/v1/, schema at /api/v1/openapi.json.

Every router is authenticated by default (session or organisation API token);
each endpoint then checks roles and data scope itself (SECURITY.md B2, B3).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from jixing.accounts.api_auth import ApiTokenAuth, StaffSessionAuth
from jixing.core.api_contract import JixingAPI, harden_operations, install_number_guard, schema_for_signed_in_callers
from jixing.core.api_errors import install_error_handlers


def _token_user(request: HttpRequest) -> bool:
    return bool(ApiTokenAuth().authenticate(request, request.headers.get("X-API-Token")))


api = JixingAPI(
    title="jixing API",
    version="1",
    urls_namespace="api",
    auth=[ApiTokenAuth(), StaffSessionAuth()],
    docs_url="/docs" if settings.JIXING_API_DOCS else None,
    docs_decorator=schema_for_signed_in_callers(_token_user),
)
install_error_handlers(api)
install_number_guard(api)

# Each app owns its router; order here is the order in the schema.
from jixing.accounts.api import router as accounts_router  # noqa: E402
from jixing.bases.api import router as bases_router  # noqa: E402
from jixing.employment.api import router as employment_router  # noqa: E402
from jixing.evaluation.api import router as evaluation_router  # noqa: E402
from jixing.funds.api import router as funds_router  # noqa: E402
from jixing.imports.api import router as imports_router  # noqa: E402
from jixing.notify.api import router as notify_router  # noqa: E402
from jixing.plan.api import router as plan_router  # noqa: E402
from jixing.registry.api import router as registry_router  # noqa: E402
from jixing.stats.api import router as stats_router  # noqa: E402
from jixing.supervision.api import router as supervision_router  # noqa: E402
from jixing.trainers.api import router as trainers_router  # noqa: E402
from jixing.training.api import router as training_router  # noqa: E402

api.add_router("/registry/", registry_router)
api.add_router("/plan/", plan_router)
api.add_router("/training/", training_router)
api.add_router("/bases/", bases_router)
api.add_router("/evaluation/", evaluation_router)
api.add_router("/trainers/", trainers_router)
api.add_router("/employment/", employment_router)
api.add_router("/funds/", funds_router)
api.add_router("/supervision/", supervision_router)
api.add_router("/stats/", stats_router)
api.add_router("/imports/", imports_router)
api.add_router("/accounts/", accounts_router)
api.add_router("/notify/", notify_router)

# Every operation: non-JSON bodies → 415, ids beyond 64 bits → 404 (core/api_contract.py).
harden_operations(api)
