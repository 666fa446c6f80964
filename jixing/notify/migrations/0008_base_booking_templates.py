"""Message templates for bookings of public training bases (seed 一(九) 公共实训基地共建共享)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

# code, params, SMS text (empty: not sent by SMS), email subject, email text
TEMPLATES: list[tuple[str, list[str], str, str, str]] = [
    ("JX_BASE_BOOKING_REQUESTED", ["code"], "",
     "实训基地预约{code}待审核", "外部机构提交了实训基地工位预约{code}，请登录平台审核。"),
    ("JX_BASE_BOOKING_ACCEPTED", ["code"], "",
     "实训基地预约{code}已同意", "您单位的实训基地工位预约{code}已获同意，请按约定时间使用。"),
    ("JX_BASE_BOOKING_DECLINED", ["code", "reason"], "",
     "实训基地预约{code}未获同意", "您单位的实训基地工位预约{code}未获同意。原因：{reason}"),
    ("JX_BASE_BOOKING_WITHDRAWN", ["code"], "",
     "实训基地预约{code}已撤回", "申请机构已撤回实训基地工位预约{code}。"),
]


def load(apps: Any, schema_editor: Any) -> None:
    MessageTemplate = apps.get_model("notify", "MessageTemplate")
    for code, params, sms, subject, text in TEMPLATES:
        MessageTemplate.objects.update_or_create(code=code, defaults={
            "params": params, "sms_text": sms, "email_subject": subject, "email_text": text, "active": True,
        })


class Migration(migrations.Migration):
    dependencies = [("notify", "0007_system_kind")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
