from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from config.api import api
from jixing.ops import views as ops_views

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("accounts/", include("jixing.accounts.urls")),
    path("registry/", include("jixing.registry.urls")),
    path("plan/", include("jixing.plan.urls")),
    path("training/", include("jixing.training.urls")),
    path("bases/", include("jixing.bases.urls")),
    path("evaluation/", include("jixing.evaluation.urls")),
    path("trainers/", include("jixing.trainers.urls")),
    path("employment/", include("jixing.employment.urls")),
    path("funds/", include("jixing.funds.urls")),
    path("supervision/", include("jixing.supervision.urls")),
    path("stats/", include("jixing.stats.urls")),
    path("imports/", include("jixing.imports.urls")),
    path("notify/", include("jixing.notify.urls")),
    path("ops/", include("jixing.ops.urls")),
    path("healthz", ops_views.healthz, name="healthz"),
    path("readyz", ops_views.readyz, name="readyz"),
    path("", include("jixing.web.urls")),
]

handler403 = "jixing.web.views.error_403"
handler404 = "jixing.web.views.error_404"
handler500 = "jixing.web.views.error_500"

admin.site.site_header = "技兴 jixing"
admin.site.site_title = "技兴 jixing"
