"""Django model permissions come from the role, not from per-user grants (SECURITY.md B1).

The three admin roles are kept apart (三员分立, GB/T 22239-2019 8.1.4.2):
- the system administrator manages accounts and reference data, and never sees the audit log;
- the security administrator manages accounts' security (unlock, second factor, the
  field permission ``can_unmask``, admin roles) and reads security events;
- the audit administrator reads everything, including the audit log, and writes nothing.
Business roles get no Django admin permissions: they work through the pages and the API.

Other apps may add models the system administrator maintains as reference data by
appending ``"app_label.modelname"`` to ``REFERENCE_MODELS`` (e.g. in their ``AppConfig.ready``).
"""

from __future__ import annotations

from functools import cache

from django.apps import apps

from .models import Role

# Reference data: editable in the admin by the system administrator, with history.
REFERENCE_MODELS: set[str] = {
    "registry.region",
    "registry.department",
    "registry.occupation",
    "registry.skilllevel",
    "registry.targetgroup",
    "registry.organisation",
    "plan.action",
    "plan.target",
    "plan.targetallocation",
    "plan.fundsource",
}
# Readable (not editable) by the system administrator.
SYSTEM_ADMIN_READS: set[str] = {
    "registry.person",
    "registry.persongroup",
    "accounts.apitoken",
    "core.statuschange",
}
# The audit log: never for the system administrator (B1).
AUDIT_LOG = "core.auditevent"
# Event-name prefixes that count as security events (what the security administrator reads).
SECURITY_EVENT_PREFIXES = (
    "login.", "logout", "session.", "password.", "totp.", "account.", "api_token.", "authorization.", "audit.",
)


def _perm(label: str, action: str) -> str:
    app_label, model_name = label.split(".")
    return f"{app_label}.{action}_{model_name}"


def _all_model_labels() -> list[str]:
    return [m._meta.label_lower for m in apps.get_models(include_auto_created=False)]


def _history_label(label: str) -> str | None:
    model = apps.get_model(label)
    history = getattr(model._meta, "simple_history_manager_attribute", None)
    if history is None:
        return None
    return getattr(model, history).model._meta.label_lower


@cache
def permissions_for_role(role: str) -> frozenset[str]:
    perms: set[str] = set()
    if role == Role.AUDITOR:
        perms = {_perm(label, "view") for label in _all_model_labels()}
    elif role == Role.SYSTEM_ADMIN:
        for label in sorted(REFERENCE_MODELS):
            perms |= {_perm(label, action) for action in ("view", "add", "change")}
            history = _history_label(label)
            if history:
                perms.add(_perm(history, "view"))
        perms |= {_perm(label, "view") for label in SYSTEM_ADMIN_READS}
        perms |= {_perm("accounts.user", action) for action in ("view", "add", "change")}
    elif role == Role.SECURITY_ADMIN:
        perms = {
            _perm("accounts.user", "view"), _perm("accounts.user", "change"),
            _perm("accounts.apitoken", "view"), _perm("accounts.apitoken", "change"),
            _perm(AUDIT_LOG, "view"),
        }
    perms.discard(_perm(AUDIT_LOG, "add"))
    perms.discard(_perm(AUDIT_LOG, "change"))
    perms.discard(_perm(AUDIT_LOG, "delete"))
    if role != Role.AUDITOR and role != Role.SECURITY_ADMIN:
        perms.discard(_perm(AUDIT_LOG, "view"))
    return frozenset(perms)


def is_security_event(event: str) -> bool:
    return event.startswith(SECURITY_EVENT_PREFIXES)


# Role groups used by the navigation and views of several apps.
OFFICERS = frozenset({Role.HRSS_OFFICER, Role.SECTOR_OFFICER, Role.FINANCE_OFFICER})
READERS = OFFICERS | {Role.AUDITOR}
ORGS = frozenset({Role.INSTITUTION, Role.EVALUATOR})
EVERYONE = frozenset(Role.values)
