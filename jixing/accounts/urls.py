from __future__ import annotations

from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login, name="login"),
    path("login/otp/", views.otp, name="otp"),
    path("login/enrol/", views.enrol, name="enrol"),
    path("logout/", views.logout, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("second-factor/", views.second_factor, name="totp"),
    path("audit/", views.audit_log, name="audit_log"),
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
]
