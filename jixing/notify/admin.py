from __future__ import annotations

from django.contrib import admin

from .models import MessageTemplate


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ("code", "carrier_code", "active")
    search_fields = ("code", "sms_text", "email_subject")
    fields = ("code", "carrier_code", "params", "sms_text", "email_subject", "email_text", "active")
