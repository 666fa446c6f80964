from __future__ import annotations

from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("run/", views.run_now, name="run"),
    path("findings/", views.finding_list, name="findings"),
    path("findings/<int:pk>/", views.finding_detail, name="finding"),
    path("findings/<int:pk>/clear/", views.finding_clear, name="finding_clear"),
    path("findings/<int:pk>/explain/", views.finding_explain, name="finding_explain"),
    path("findings/<int:pk>/add-to-case/", views.finding_add_to_case, name="finding_add_to_case"),
    path("cases/", views.case_list, name="cases"),
    path("cases/new/", views.case_open, name="case_open"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/step/<slug:step>/", views.case_step, name="case_step"),
    path("cases/<int:pk>/explain/", views.case_explain, name="case_explain"),
    path("explanations/<int:pk>/attachment/", views.attachment, name="attachment"),
    path("mine/", views.my_findings, name="mine"),
    path("rules/", views.rule_list, name="rules"),
    path("rules/<str:code>/", views.rule_edit, name="rule_edit"),
    path("rule-editors/<int:user_id>/", views.rule_editor_grant, name="rule_editor"),
]
