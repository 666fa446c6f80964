from __future__ import annotations

from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login, name="login"),
    path("login/otp/", views.otp, name="otp"),
    path("logout/", views.logout, name="logout"),
]
