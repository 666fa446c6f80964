"""Templates of the system events: an account locked (security administrators) and a scheduled
job failed (system administrators)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

TEMPLATES: list[tuple[str, list[str], str, str, str]] = [
    ("JX_ACCOUNT_LOCKED", ["username", "until"], "", "账号{username}因多次登录失败已锁定",
     "账号{username}因连续多次登录失败已被锁定至{until}。如非本人操作，请核查是否存在撞库或暴力破解。"),
    ("JX_JOB_FAILED", ["job", "error"], "", "定时任务{job}运行失败",
     "定时任务{job}运行失败：{error}\n请登录技兴平台“运行状态”页面查看输出并处理。"),
]


def load(apps: Any, schema_editor: Any) -> None:
    MessageTemplate = apps.get_model("notify", "MessageTemplate")
    for code, params, sms, subject, text in TEMPLATES:
        MessageTemplate.objects.update_or_create(code=code, defaults={
            "params": params, "sms_text": sms, "email_subject": subject, "email_text": text, "active": True,
        })


class Migration(migrations.Migration):
    dependencies = [("notify", "0005_class_filing_templates")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
