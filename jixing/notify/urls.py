from __future__ import annotations

from django.urls import path

from . import views

app_name = "notify"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/open/", views.open_message, name="open"),
    path("read-all/", views.read_all, name="read_all"),
    path("todos/", views.todo_list, name="todos"),
    path("preferences/", views.preferences, name="preferences"),
    path("deliveries/", views.delivery_log, name="deliveries"),
    path("sms-outbox/", views.sms_outbox, name="sms_outbox"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
