"""Load every division of China and the former ID-number codes once, at migrate time.

load_reference upserts the same rows (and is the way to update them); loading them here as
well means a test database starts with them, so the per-test ``reference`` fixture compares
~7,000 rows instead of inserting them (docs/regions.md). Rows inserted here have no
simple-history row; later changes through load_reference or the admin do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from jixing.registry.divisions import current_divisions, former_codes

    Region = apps.get_model("registry", "Region")
    FormerRegionCode = apps.get_model("registry", "FormerRegionCode")
    divisions = current_divisions(Path(settings.BASE_DIR) / "reference")
    have = set(Region.objects.values_list("code", flat=True))
    Region.objects.bulk_create([
        Region(code=d.code, name=d.name, short_name=d.short_name, level=d.level, kind=d.kind, parent_id=d.parent_id)
        for d in divisions if d.code not in have
    ], batch_size=1000)
    provinces = {d.code for d in divisions if d.level == "province"}
    have_former = set(FormerRegionCode.objects.values_list("code", flat=True))
    FormerRegionCode.objects.bulk_create([
        FormerRegionCode(code=f.code, name=f.name, years=f.years,
                         province_id=f.code[:2] + "0000" if f.code[:2] + "0000" in provinces else None)
        for f in former_codes(frozenset(d.code for d in divisions)) if f.code not in have_former
    ], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0006_former_region_codes"),
    ]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
