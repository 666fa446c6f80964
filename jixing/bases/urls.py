from __future__ import annotations

from django.urls import path

from . import school_views, views

app_name = "bases"
urlpatterns = [
    path("", views.base_list, name="base_list"),
    path("<int:pk>/", views.base_detail, name="base_detail"),
    path("facilities/new/", views.facility_create, name="facility_create"),
    path("facilities/<int:pk>/edit/", views.facility_edit, name="facility_edit"),
    path("facilities/<int:pk>/book/", views.booking_request, name="booking_request"),
    path("bookings/", views.booking_list, name="booking_list"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking_detail"),
    path("bookings/<int:pk>/<slug:verb>/", views.booking_move, name="booking_move"),
    path("utilisation/", views.utilisation_panel, name="utilisation_panel"),
    path("schools/<int:pk>/", school_views.school_detail, name="school_detail"),
    path("schools/<int:pk>/designate/", school_views.designate, name="designate"),
    path("organisations/<int:pk>/panel/", school_views.organisation_panel, name="organisation_panel"),
    path("programmes/new/", school_views.programme_edit, name="programme_create"),
    path("programmes/<int:pk>/edit/", school_views.programme_edit, name="programme_edit"),
]
