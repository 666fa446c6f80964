"""The ten fields of the national 数字技术工程师培育项目 (reference data, editable in the admin).

Source: the project "围绕人工智能、物联网、大数据、云计算、数字化管理、智能制造、工业互联网、虚拟现实、
区块链、集成电路等数字技术技能领域" (2021–2030), as published by an accredited training body,
https://www.fjut.edu.cn/2023/1018/c561a223657/page.htm (read 2026-12-02). The occupation names are
the 职业分类大典 names of those fields; their 大典 codes are left blank (unverified) until checked
against the official catalogue. See docs/digital_engineers.md.
"""

from __future__ import annotations

from django.db import migrations

SOURCE = ("数字技术工程师培育项目领域（人社部 专业技术人才知识更新工程，2021—2030）；"
          "https://www.fjut.edu.cn/2023/1018/c561a223657/page.htm（2026-12-02 查阅）；大典编码未核实")

FIELDS = [
    ("artificial-intelligence", "人工智能工程技术人员"),
    ("internet-of-things", "物联网工程技术人员"),
    ("big-data", "大数据工程技术人员"),
    ("cloud-computing", "云计算工程技术人员"),
    ("digital-management", "数字化管理师"),
    ("intelligent-manufacturing", "智能制造工程技术人员"),
    ("industrial-internet", "工业互联网工程技术人员"),
    ("virtual-reality", "虚拟现实工程技术人员"),
    ("blockchain", "区块链工程技术人员"),
    ("integrated-circuits", "集成电路工程技术人员"),
]


def load(apps, schema_editor):
    DigitalField = apps.get_model("evaluation", "DigitalField")
    for key, name in FIELDS:
        DigitalField.objects.update_or_create(key=key, defaults={"name": name, "source": SOURCE})


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0008_digital_engineer_ladder")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
