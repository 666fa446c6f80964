from __future__ import annotations

from django.urls import path

from . import views

app_name = "stats"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("records/", views.records, name="records"),
    path("reports/", views.reports, name="reports"),
    path("reports/generate/", views.generate_report, name="generate_report"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("reports/<int:pk>/download/", views.report_download, name="report_download"),
]
