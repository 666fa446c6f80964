from __future__ import annotations

from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.job_list, name="jobs"),
    path("new/<slug:kind>/", views.upload, name="upload"),
    path("template/<slug:kind>.xlsx", views.template, name="template"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/commit/", views.commit, name="commit"),
    path("jobs/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("jobs/<int:pk>/errors.xlsx", views.error_file, name="errors"),
]
