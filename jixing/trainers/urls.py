from __future__ import annotations

from django.urls import path

from . import views

app_name = "trainers"
urlpatterns = [
    path("", views.trainer_list, name="trainer_list"),
    path("<int:pk>/", views.trainer_detail, name="trainer_detail"),
    path("competitions/", views.competition_list, name="competition_list"),
    path("competitions/<int:pk>/", views.competition_detail, name="competition_detail"),
    path("malanhua/", views.malanhua, name="malanhua"),
]
