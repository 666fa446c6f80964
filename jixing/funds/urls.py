from __future__ import annotations

from django.urls import path

from . import views

app_name = "funds"
urlpatterns = [
    path("", views.index, name="index"),
    path("budgets/", views.budget_list, name="budget_list"),
    path("budgets/new/", views.budget_create, name="budget_create"),
    path("budgets/<int:pk>/", views.budget_detail, name="budget_detail"),
    path("budgets/<int:pk>/allocate/", views.budget_allocate, name="budget_allocate"),
    path("budgets/<int:pk>/appropriate/", views.budget_appropriate, name="budget_appropriate"),
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/new/", views.claim_create, name="claim_create"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/submit/", views.claim_submit, name="claim_submit"),
    path("claims/<int:pk>/cancel/", views.claim_cancel, name="claim_cancel"),
    path("claims/<int:pk>/payee/", views.claim_payee, name="claim_payee"),
    path("claims/<int:pk>/approve/", views.claim_approve, name="claim_approve"),
    path("claims/<int:pk>/return/", views.claim_return, name="claim_return"),
    path("claims/<int:pk>/reject/", views.claim_reject, name="claim_reject"),
    path("claims/<int:pk>/lines/<int:line_pk>/exclude/", views.line_exclude, name="line_exclude"),
    path("review/", views.review_queue, name="review_queue"),
    path("my/", views.my_subsidies, name="my_subsidies"),
    path("my/claim/", views.my_claim, name="my_claim"),
    path("my/outside-claim/", views.my_outside_claim, name="my_outside_claim"),
    path("my/living-allowance/", views.my_living_allowance_claim, name="my_living_allowance_claim"),
    path("my/studies/", views.my_study, name="my_study"),
    path("my/studies/claim/", views.my_education_claim, name="my_education_claim"),
    path("bank-accounts/", views.payee_accounts, name="payee_accounts"),
    path("payments/", views.batch_list, name="batch_list"),
    path("payments/new/", views.batch_create, name="batch_create"),
    path("payments/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("payments/<int:pk>/bank-file/", views.batch_export, name="batch_export"),
    path("payments/<int:pk>/reconcile/", views.batch_reconcile, name="batch_reconcile"),
    path("payments/issues/<int:pk>/resolve/", views.issue_resolve, name="issue_resolve"),
    path("recoveries/", views.recovery_list, name="recovery_list"),
    path("recoveries/overdue/", views.recovery_overdue, name="recovery_overdue"),
    path("recoveries/<int:pk>/", views.recovery_detail, name="recovery_detail"),
    path("recoveries/<int:pk>/instalment/", views.recovery_instalment, name="recovery_instalment"),
    path("recoveries/<int:pk>/write-off/", views.recovery_write_off, name="recovery_write_off"),
    path("rules/", views.rule_list, name="rule_list"),
    path("rules/<int:pk>/", views.rule_detail, name="rule_detail"),
    path("rules/<int:pk>/copy/", views.rule_copy, name="rule_copy"),
    path("staff-education/", views.staff_education, name="staff_education"),
    path("milestone-payments/", views.milestone_payments, name="milestone_payments"),
]
