"""Templates of the county-reviewed claim (to the city reviewers), of the spot-check assignment (now published by training's draw, with the class and
the week) and of the day-before class reminder (SMS to consenting trainees)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

# code, params, SMS text (empty: not sent by SMS), email subject, email text
TEMPLATES: list[tuple[str, list[str], str, str, str]] = [
    ("JX_SPOT_CHECK_ASSIGNED", ["class", "week"], "",
     "抽查任务：培训班{class}（{week}当周）", "您被指派抽查培训班{class}（{week}当周）。请在本周内到培训现场核查到课情况，并在技兴平台“抽查”页面登记。"),
    ("JX_CLAIM_COUNTY_REVIEWED", ["number"], "",
     "补贴申请{number}待市级审批", "补贴申请{number}已通过县级审核，等待您所在市人社部门（或工会）审批。请登录技兴平台处理。"),
    ("JX_CLASS_STARTS_TOMORROW", ["number", "class_name", "start"],
     "【技兴齐鲁】您报名的培训班{number}将于明天（{start}）开班，请按时到达培训地点并完成签到。",
     "培训班{number}明天开班", "培训班{number}（{class_name}）将于明天（{start}）开班，请按时到达培训地点并完成签到。"),
]
PREVIOUS = {"JX_SPOT_CHECK_ASSIGNED": (["number"], "", "抽查任务{number}", "您被指派抽查任务{number}。")}


def load(apps: Any, schema_editor: Any) -> None:
    MessageTemplate = apps.get_model("notify", "MessageTemplate")
    for code, params, sms, subject, text in TEMPLATES:
        MessageTemplate.objects.update_or_create(code=code, defaults={
            "params": params, "sms_text": sms, "email_subject": subject, "email_text": text, "active": True,
        })


def unload(apps: Any, schema_editor: Any) -> None:
    MessageTemplate = apps.get_model("notify", "MessageTemplate")
    MessageTemplate.objects.filter(code__in=["JX_CLASS_STARTS_TOMORROW", "JX_CLAIM_COUNTY_REVIEWED"]).delete()
    for code, (params, sms, subject, text) in PREVIOUS.items():
        MessageTemplate.objects.filter(code=code).update(params=params, sms_text=sms, email_subject=subject,
                                                         email_text=text)


class Migration(migrations.Migration):
    dependencies = [("notify", "0002_message_templates")]
    operations = [migrations.RunPython(load, unload)]
