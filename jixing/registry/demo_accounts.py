"""One demo account per role, with a password generated per installation.

The accounts are flagged ``is_demo`` and their passwords are printed by ``demo_accounts``
and written to var/demo-accounts.txt: no fixed password ships with the code (A1).
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings

from jixing.accounts.models import ADMIN_ROLES, Role, User
from jixing.core.access import within_region
from jixing.core.demo import DemoContext
from jixing.registry.models import Department, Organisation, OrganisationKind, Person

DEMO_ACCOUNTS: list[tuple[str, str, str | None, dict[str, Any]]] = [
    # username, role, region, extra
    ("province", Role.HRSS_OFFICER, "370000", {}),
    ("jinan", Role.HRSS_OFFICER, "370100", {}),
    ("qingdao", Role.HRSS_OFFICER, "370200", {}),
    ("lixia", Role.HRSS_OFFICER, "370102", {}),
    ("civil", Role.SECTOR_OFFICER, "370000", {"department": "civil"}),
    ("finance", Role.FINANCE_OFFICER, "370100", {}),
    # the trade union reviews 求学圆梦: Lixia's officer at county level, Jinan's approves
    ("union-lixia", Role.UNION_OFFICER, "370102", {}),
    ("union-jinan", Role.UNION_OFFICER, "370100", {}),
    ("school", Role.INSTITUTION, None, {"organisation_kind": OrganisationKind.PRIVATE_INSTITUTION}),
    ("enterprise", Role.INSTITUTION, None, {"organisation_kind": OrganisationKind.ENTERPRISE}),
    ("evaluator", Role.EVALUATOR, None, {"organisation_kind": OrganisationKind.EVALUATION_INSTITUTION}),
    ("trainee", Role.TRAINEE, None, {}),
    ("auditor", Role.AUDITOR, None, {}),
    ("sysadmin", Role.SYSTEM_ADMIN, None, {}),
    ("secadmin", Role.SECURITY_ADMIN, None, {}),
]


def _password() -> str:
    return f"Demo-{secrets.token_urlsafe(6)}-{secrets.randbelow(90) + 10}!"


def seed(ctx: DemoContext) -> None:
    lines = []
    for username, role, region, extra in DEMO_ACCOUNTS:
        fields: dict = {"role": role, "region_id": region, "is_demo": True}
        if "department" in extra:
            fields["department"] = Department.objects.get(code=extra["department"])
        if "organisation_kind" in extra:
            fields["organisation"] = Organisation.objects.filter(
                within_region("county", "370100"), kind=extra["organisation_kind"]
            ).order_by("id").first()
        if role == Role.TRAINEE:
            fields["person"] = Person.objects.filter(within_region("current_region", "370100")).order_by("id").first()
        if role in ADMIN_ROLES:
            fields["is_staff"] = True  # permissions come from the role; nobody is a superuser (B1)
        password = _password()
        User.objects.create_user(username=username, password=password, **fields)
        lines.append(f"{username}\t{password}\t{role}")
    path = settings.VAR_DIR / "demo-accounts.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)
    ctx.counts["demo_accounts"] = len(lines)
