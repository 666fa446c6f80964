from __future__ import annotations

from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("persons/", views.person_list, name="person_list"),
    path("persons/new/", views.person_create, name="person_create"),
    path("persons/<int:pk>/", views.person_detail, name="person_detail"),
    path("persons/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("persons/<int:pk>/unmask/", views.person_unmask, name="person_unmask"),
    path("persons/<int:pk>/archive/", views.person_archive, name="person_archive"),
    path("restrictions/", views.restriction_list, name="restriction_list"),
    path("restrictions/<int:pk>/lift/", views.restriction_lift, name="restriction_lift"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation_edit"),
]
