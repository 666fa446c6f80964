from __future__ import annotations

from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("welcome/", views.landing, name="landing"),
    path("exports/", views.export_list, name="exports"),
    path("exports/new/", views.export_start, name="export_start"),
    path("exports/<int:pk>/", views.export_detail, name="export"),
    path("exports/<int:pk>/file/", views.export_download, name="export_download"),
]
