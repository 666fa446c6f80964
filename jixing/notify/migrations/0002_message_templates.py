"""The message templates as approved data (SMS texts are registered with the carriers under
these codes; the carrier ids are filled in when the registration comes back)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

# code, params, SMS text (empty: not sent by SMS), email subject, email text
TEMPLATES: list[tuple[str, list[str], str, str, str]] = [
    ("JX_CLAIM_SUBMITTED", ["number"], "",
     "补贴申请{number}待县级审核", "补贴申请{number}已提交，等待您所在县（市、区）人社部门审核。请登录技兴平台处理。"),
    ("JX_CLAIM_RETURNED", ["number", "reason"], "【技兴齐鲁】您的补贴申请{number}已被退回修改，请登录平台查看原因并重新提交。",
     "补贴申请{number}已退回修改", "您的补贴申请{number}已被退回修改。退回原因：{reason}\n请登录技兴平台修改后重新提交。"),
    ("JX_CLAIM_REJECTED", ["number", "reason"], "【技兴齐鲁】您的补贴申请{number}未通过审核，请登录平台查看原因。",
     "补贴申请{number}未通过审核", "您的补贴申请{number}未通过审核。原因：{reason}"),
    ("JX_CLAIM_APPROVED", ["number"], "",
     "补贴申请{number}已审批，进入公示", "您的补贴申请{number}已审批通过，现进入公示期。公示期满无异议后拨付。"),
    ("JX_CLAIM_AWAITING_PROVINCE", ["number"], "",
     "省级重点项目补贴申请{number}待省级审批", "省级重点项目补贴申请{number}已经市级审批，等待省级审批。"),
    ("JX_SUBSIDY_PAID", ["number", "amount"], "【技兴齐鲁】您的补贴申请{number}已拨付{amount}元，请注意查收（社会保障卡或申请时填写的银行账户）。",
     "补贴{amount}元已拨付", "您的补贴申请{number}已拨付{amount}元，请注意查收。"),
    ("JX_PAYMENT_FAILED", ["number"], "【技兴齐鲁】您的补贴申请{number}拨付未成功，请登录平台核对收款账户。",
     "补贴申请{number}拨付未成功", "补贴申请{number}拨付未成功，请登录技兴平台核对收款账户信息。"),
    ("JX_RECOVERY_ORDERED", ["number", "amount", "deadline"], "【技兴齐鲁】追回通知{number}：请于{deadline}前退回补贴资金{amount}元，详情请登录平台查看。",
     "追回通知{number}", "追回通知{number}：请于{deadline}前退回补贴资金{amount}元。"),
    ("JX_RECOVERY_OVERDUE", ["number"], "【技兴齐鲁】追回通知{number}已逾期，请尽快退回补贴资金。",
     "追回通知{number}已逾期", "追回通知{number}已超过退回期限，请尽快办理。"),
    ("JX_PROJECT_SUBMITTED", ["number"], "", "培训项目{number}待审核", "培训项目{number}已提交，等待审核。"),
    ("JX_PROJECT_APPROVED", ["number"], "", "培训项目{number}已批准", "培训项目{number}已审核通过。"),
    ("JX_PROJECT_RETURNED", ["number", "reason"], "", "培训项目{number}已退回修改", "培训项目{number}已退回修改。原因：{reason}"),
    ("JX_CLASS_FILED", ["number"], "", "培训班{number}已备案待验收", "培训班{number}已备案，等待验收。"),
    ("JX_CLASS_ACCEPTED", ["number"], "", "培训班{number}已验收", "培训班{number}已通过验收。"),
    ("JX_FILING_SUBMITTED", ["organisation"], "", "评价机构备案待受理", "{organisation}提交的评价备案等待受理。"),
    ("JX_FILING_APPROVED", ["number"], "", "评价备案{number}已受理", "评价备案{number}已审核通过。"),
    ("JX_FILING_REJECTED", ["reason"], "", "评价备案未通过", "评价备案未通过。原因：{reason}"),
    ("JX_CERTIFICATE_ISSUED", ["number"], "【技兴齐鲁】您的职业技能等级证书{number}已颁发，可在平台或证书查询页面核验。",
     "证书{number}已颁发", "您的职业技能等级证书{number}已颁发。"),
    ("JX_CERTIFICATE_REVOKED", ["number"], "【技兴齐鲁】您的职业技能等级证书{number}已被撤销，详情请登录平台查看。",
     "证书{number}已撤销", "您的职业技能等级证书{number}已被撤销。"),
    ("JX_FINDING_OPENED", ["title"], "", "监管发现：{title}", "平台监管规则发现与贵机构有关的疑点：{title}。请登录技兴平台查看并说明。"),
    ("JX_EXPLANATION_REQUESTED", ["number", "due"], "", "案件{number}请于{due}前说明", "监管案件{number}需要贵机构于{due}前作出书面说明。"),
    ("JX_EXPLANATION_ANSWERED", ["number"], "", "案件{number}已收到说明", "监管案件{number}已收到机构说明，请审查。"),
    ("JX_CASE_DECIDED", ["number", "outcome"], "", "案件{number}已作出决定", "监管案件{number}已作出决定：{outcome}"),
    ("JX_SPOT_CHECK_ASSIGNED", ["number"], "", "抽查任务{number}", "您被指派抽查任务{number}。"),
    ("JX_REFERRAL_MADE", ["demand"], "【技兴齐鲁】您已被推荐至岗位“{demand}”，用人单位将与您联系。",
     "岗位{demand}有新的推荐人选", "有求职者被推荐至岗位“{demand}”，请登录技兴平台查看。"),
    ("JX_IMPORT_FINISHED", ["file", "rows", "rejected"], "", "导入{file}已完成", "导入{file}已完成：导入{rows}行，退回{rejected}行。"),
    ("JX_IMPORT_FAILED", ["file", "reason"], "", "导入{file}失败", "导入{file}失败：{reason}"),
    ("JX_EXPORT_FILE_READY", ["file", "rows"], "", "导出文件{file}已生成", "导出文件{file}已生成（{rows}行），请登录技兴平台下载。"),
    ("JX_EXPORT_READY", ["period"], "", "{period}调度通报已生成", "{period}调度通报已生成，请登录技兴平台下载。"),
    ("JX_DIGEST", ["count", "batch"], "", "{batch}：{count}条更新", "{batch}共产生{count}条与您有关的更新，请登录技兴平台消息中心查看。"),
]


def load(apps: Any, schema_editor: Any) -> None:
    MessageTemplate = apps.get_model("notify", "MessageTemplate")
    for code, params, sms, subject, text in TEMPLATES:
        MessageTemplate.objects.update_or_create(code=code, defaults={
            "params": params, "sms_text": sms, "email_subject": subject, "email_text": text, "active": True,
        })


class Migration(migrations.Migration):
    dependencies = [("notify", "0001_notifications_deliveries_preferences")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
