"""Message templates for 揭榜领题 (awards, rejections, milestones) and project quality review."""

from __future__ import annotations

from typing import Any

from django.db import migrations

# code, params, SMS text (empty: not sent by SMS), email subject, email text
TEMPLATES: list[tuple[str, list[str], str, str, str]] = [
    ("JX_TOPIC_AWARDED", ["number", "topic", "amount", "project"], "",
     "揭榜申报{number}已中榜", "您单位对课题{topic}的揭榜申报{number}已中榜，核定经费{amount}元，省级重点项目{project}已设立，请按里程碑报告进展。"),
    ("JX_TOPIC_REJECTED", ["number", "reason"], "",
     "揭榜申报{number}未中榜", "您单位的揭榜申报{number}未中榜。原因：{reason}"),
    ("JX_MILESTONE_REPORTED", ["number"], "",
     "省级重点项目里程碑{number}待验收", "省级重点项目里程碑{number}已报告，等待省级验收。"),
    ("JX_MILESTONE_ACCEPTED", ["number", "amount"], "",
     "里程碑{number}已通过验收", "省级重点项目里程碑{number}已通过验收，核定拨付{amount}元。"),
    ("JX_MILESTONE_FAILED", ["number", "amount", "reason"], "",
     "里程碑{number}未通过验收", "省级重点项目里程碑{number}未通过验收，核定拨付{amount}元。原因：{reason}"),
    ("JX_PROJECT_QUALITY_ADJUST", ["number", "reason"], "",
     "培训项目{number}已按质效评估调整", "培训项目{number}经质效评估已调整。原因：{reason}"),
    ("JX_PROJECT_QUALITY_SUSPEND", ["number", "reason"], "【技兴齐鲁】培训项目{number}经质效评估已暂停新开班和新报名，请登录平台查看原因。",
     "培训项目{number}已暂停", "培训项目{number}经质效评估已暂停：不得新开班、新增学员；已结业学员的补贴申请照常办理。原因：{reason}"),
    ("JX_PROJECT_QUALITY_REINSTATE", ["number", "reason"], "",
     "培训项目{number}已恢复", "培训项目{number}经复核已恢复。说明：{reason}"),
    ("JX_PROJECT_QUALITY_TERMINATE", ["number", "reason"], "【技兴齐鲁】培训项目{number}经质效评估已终止，请登录平台查看原因。",
     "培训项目{number}已终止", "培训项目{number}经质效评估已终止。原因：{reason}"),
]


def load(apps: Any, schema_editor: Any) -> None:
    MessageTemplate = apps.get_model("notify", "MessageTemplate")
    for code, params, sms, subject, text in TEMPLATES:
        MessageTemplate.objects.update_or_create(code=code, defaults={
            "params": params, "sms_text": sms, "email_subject": subject, "email_text": text, "active": True,
        })


class Migration(migrations.Migration):
    dependencies = [("notify", "0003_spot_check_and_class_start_templates")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
