from __future__ import annotations

from django.urls import path

from . import base_views, topic_views, views

app_name = "training"
urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("projects/<int:pk>/move/<slug:verb>/", views.project_move, name="project_move"),
    path("projects/<int:pk>/classes/new/", views.class_create, name="class_create"),
    path("approvals/", views.approvals, name="approvals"),
    path("classes/", views.class_list, name="class_list"),
    path("classes/<int:pk>/", views.class_detail, name="class_detail"),
    path("classes/<int:pk>/sessions/new/", views.session_add, name="session_add"),
    path("classes/<int:pk>/enroll/", views.enroll, name="enroll"),
    path("classes/<int:pk>/roster/", views.roster_upload, name="roster_upload"),
    path("classes/<int:pk>/base-booking/", base_views.class_base_booking, name="class_base_booking"),
    path("classes/<int:pk>/close/", views.class_close, name="class_close"),
    path("classes/<int:pk>/filing/", views.class_file, name="class_file"),
    path("classes/<int:pk>/filing/<slug:decision>/", views.filing_decide, name="filing_decide"),
    path("filings/", views.filing_queue, name="filing_queue"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/roll-call/", views.roll_call, name="roll_call"),
    path("enrollments/<int:pk>/", views.enrollment_detail, name="enrollment_detail"),
    path("enrollments/<int:pk>/override/", views.enrollment_override, name="enrollment_override"),
    path("enrollments/<int:pk>/withdraw/", views.enrollment_withdraw, name="enrollment_withdraw"),
    path("teachers/", views.teacher_list, name="teacher_list"),
    path("today/", views.today, name="today"),
    path("my/", views.my_classes, name="my_classes"),
    path("sessions/<int:pk>/qr.svg", views.session_qr, name="session_qr"),
    path("check-in/<int:pk>/<str:token>/", views.check_in, name="check_in"),
    path("my/sessions/<int:pk>/", views.my_session, name="my_session"),
    path("terminals/", views.terminal_list, name="terminal_list"),
    path("terminals/<int:pk>/revoke/", views.terminal_revoke, name="terminal_revoke"),
    path("spot-checks/", views.spot_check_list, name="spot_check_list"),
    path("spot-checks/draw/", views.spot_check_draw, name="spot_check_draw"),
    path("spot-checks/<int:pk>/", views.spot_check_detail, name="spot_check_detail"),
    path("topics/", topic_views.topic_lists, name="topic_lists"),
    path("topics/lists/<int:pk>/", topic_views.topic_list, name="topic_list"),
    path("topics/<int:pk>/apply/", topic_views.topic_apply, name="topic_apply"),
    path("topics/applications/<int:pk>/", topic_views.topic_application, name="topic_application"),
    path("topics/applications/<int:pk>/score/", topic_views.topic_score, name="topic_score"),
    path("topics/applications/<int:pk>/decide/", topic_views.topic_decide, name="topic_decide"),
    path("topics/milestones/<int:pk>/", topic_views.milestone_action, name="milestone_action"),
]
