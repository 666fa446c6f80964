from __future__ import annotations

from django.urls import path

from . import engineer_views, views

app_name = "evaluation"
urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("review/", views.review_queue, name="review_queue"),
    path("filings/", views.filing_list, name="filing_list"),
    path("filings/new/", views.filing_create, name="filing_create"),
    path("filings/<int:pk>/", views.filing_detail, name="filing_detail"),
    path("filings/<int:pk>/decide/", views.filing_decide, name="filing_decide"),
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/new/", views.session_create, name="session_create"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/candidates/", views.session_add_candidate, name="session_add_candidate"),
    path("sessions/<int:pk>/candidates/class/", views.session_add_class, name="session_add_class"),
    path("sessions/<int:pk>/candidates/<int:candidate_pk>/result/", views.result_record, name="result_record"),
    path("sessions/<int:pk>/import/", views.session_import, name="session_import"),
    path("sessions/<int:pk>/submit/", views.session_submit, name="session_submit"),
    path("sessions/<int:pk>/lock/", views.session_review, {"step": "lock"}, name="session_lock"),
    path("sessions/<int:pk>/return/", views.session_review, {"step": "return"}, name="session_return"),
    path("results/<int:pk>/", views.result_detail, name="result_detail"),
    path("results/<int:pk>/review/", views.result_review, name="result_review"),
    path("recognitions/", views.recognition_list, name="recognition_list"),
    path("recognitions/new/", views.recognition_create, name="recognition_create"),
    path("recognitions/<int:pk>/", views.recognition_detail, name="recognition_detail"),
    path("recognitions/<int:pk>/decide/", views.recognition_decide, name="recognition_decide"),
    path("appointments/", views.appointment_list, name="appointment_list"),
    path("roster/", views.roster_upload, name="roster_upload"),
    path("certificates/", views.certificate_list, name="certificate_list"),
    path("certificates/<int:pk>/", views.certificate_detail, name="certificate_detail"),
    path("certificates/<int:pk>/revoke/", views.certificate_revoke, name="certificate_revoke"),
    path("engineers/", engineer_views.engineer_home, name="engineer_home"),
    path("engineers/certificates/", engineer_views.engineer_certificates, name="engineer_certificates"),
    path("engineers/sessions/<int:pk>/", engineer_views.engineer_session, name="engineer_session"),
    path("engineers/sessions/<int:pk>/candidates/<int:candidate_pk>/score/", engineer_views.engineer_score,
         name="engineer_score"),
    path("engineers/sessions/<int:pk>/lock/", engineer_views.engineer_lock, name="engineer_lock"),
]
