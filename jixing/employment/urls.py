from __future__ import annotations

from django.urls import path

from . import views

app_name = "employment"
urlpatterns = [
    path("demands/", views.demand_list, name="demand_list"),
    path("demands/new/", views.demand_create, name="demand_create"),
    path("demands/<int:pk>/", views.demand_detail, name="demand_detail"),
    path("demands/<int:pk>/status/", views.demand_status, name="demand_status"),
    path("demands/<int:pk>/refer/", views.demand_refer, name="demand_refer"),
    path("referrals/", views.referral_list, name="referral_list"),
    path("referrals/<int:pk>/result/", views.referral_result, name="referral_result"),
    path("placements/", views.placement_list, name="placement_list"),
    path("placements/new/", views.placement_create, name="placement_create"),
    path("placements/<int:pk>/", views.placement_detail, name="placement_detail"),
    path("placements/<int:pk>/verify/", views.placement_verify, name="placement_verify"),
    path("placements/<int:pk>/resubmit/", views.placement_resubmit, name="placement_resubmit"),
    path("verification/", views.verification_queue, name="verification_queue"),
    path("outcomes/", views.outcomes, name="outcomes"),
    path("pay/", views.pay, name="pay"),
    path("recommended/", views.recommended, name="recommended"),
    path("insurance/", views.insurance, name="insurance"),
    path("insurance/rematch/", views.insurance_rematch, name="insurance_rematch"),
]
