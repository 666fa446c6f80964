"""Class filing (开班备案) templates: the filing is decided (accepted or returned) by the county,
not inspected (验收) — the earlier placeholders said 验收."""

from __future__ import annotations

from typing import Any

from django.db import migrations

TEMPLATES: list[tuple[str, list[str], str, str, str]] = [
    ("JX_CLASS_FILED", ["number"], "", "培训班{number}已开班备案，待县级审核",
     "培训班{number}已提交开班备案，请登录技兴平台审核（接受或退回）。"),
    ("JX_CLASS_ACCEPTED", ["number"], "", "培训班{number}开班备案已接受",
     "培训班{number}的开班备案已被接受，现可报名入班和考勤。"),
    ("JX_CLASS_RETURNED", ["number", "reason"], "", "培训班{number}开班备案已退回",
     "培训班{number}的开班备案已被退回。退回原因：{reason}\n请修改后在开班前重新备案。"),
]


def load(apps: Any, schema_editor: Any) -> None:
    MessageTemplate = apps.get_model("notify", "MessageTemplate")
    for code, params, sms, subject, text in TEMPLATES:
        MessageTemplate.objects.update_or_create(code=code, defaults={
            "params": params, "sms_text": sms, "email_subject": subject, "email_text": text, "active": True,
        })


class Migration(migrations.Migration):
    dependencies = [("notify", "0004_governance_templates")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
