from __future__ import annotations

from django.urls import path

from . import chain_views, views

app_name = "plan"
urlpatterns = [
    path("actions/", views.action_list, name="action_list"),
    path("targets/", views.target_list, name="target_list"),
    path("targets/<slug:code>/allocations/", views.target_allocations, name="target_allocations"),
    path("chains/", chain_views.chain_list, name="chain_list"),
    path("chains/<slug:code>/", chain_views.chain_detail, name="chain_detail"),
    path("studios/", chain_views.studio_list, name="studio_list"),
    path("studios/<int:pk>/", chain_views.studio_detail, name="studio_detail"),
    path("programmes/", chain_views.programme_list, name="programme_list"),
    path("self-training/", chain_views.self_training_list, name="self_training_list"),
    path("self-training/<int:pk>/", chain_views.self_training_detail, name="self_training_detail"),
    path("self-training/<int:pk>/evidence/", chain_views.self_training_evidence, name="self_training_evidence"),
]
