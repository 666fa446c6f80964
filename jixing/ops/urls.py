from __future__ import annotations

from django.urls import path

from . import views

app_name = "ops"
urlpatterns = [
    path("operations/", views.operations, name="operations"),
]
