from __future__ import annotations

from django.urls import path

from . import intake_views, quality_views, views

app_name = "stats"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("records/", views.records, name="records"),
    path("reports/", views.reports, name="reports"),
    path("reports/generate/", views.generate_report, name="generate_report"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("reports/<int:pk>/download/", views.report_download, name="report_download"),
    path("scorecards/", views.institution_scorecards, name="scorecards"),
    path("scorecards/evaluators/", views.evaluator_scorecards, name="evaluators"),
    path("scorecards/<int:organisation_id>/propose/", views.propose, name="propose"),
    path("selections/", views.selections, name="selections"),
    path("selections/<int:pk>/decide/", views.decide, name="decide"),
    path("institutions/<int:organisation_id>/", views.institution_profile, name="profile"),
    path("intake/", intake_views.intake, name="intake"),
    path("intake/<int:pk>/", intake_views.intake_record, name="intake_record"),
    path("quality/", quality_views.quality_queue, name="quality_queue"),
    path("quality/thresholds/", quality_views.quality_thresholds, name="quality_thresholds"),
    path("quality/projects/<int:pk>/", quality_views.quality_project, name="quality_project"),
    path("quality/projects/<int:pk>/decide/", quality_views.quality_decide, name="quality_decide"),
]
