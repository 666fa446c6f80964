from __future__ import annotations

from django.urls import path

from . import views

app_name = "plan"
urlpatterns = [
    path("actions/", views.action_list, name="action_list"),
    path("targets/", views.target_list, name="target_list"),
    path("targets/<slug:code>/allocations/", views.target_allocations, name="target_allocations"),
]
