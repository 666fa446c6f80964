"""Every write on accounts: atomic, keyword-only ``by``, one audit row each (SECURITY.md C1).

Security functions (unlock, second factor reset, the unmask permission, admin roles) belong
to the security administrator (B1); the checks are here, not only in the pages.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from jixing.core import audit

from .models import ADMIN_ROLES, ApiToken, Role, User


def _require_security_admin(by: User, target: User | None = None) -> None:
    if by.role != Role.SECURITY_ADMIN:
        raise PermissionDenied
    if target is not None and target.pk == by.pk:
        raise PermissionDenied  # nobody administers their own security


@transaction.atomic
def change_password(user: User, *, by: User, new_password: str) -> None:
    """The user changes their own password (validated by the form)."""
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    audit.record("password.changed", actor=by, obj=user)


@transaction.atomic
def unlock_account(user: User, *, by: User) -> None:
    _require_security_admin(by, user)
    before = {"failed_logins": user.failed_logins, "locked_until": user.locked_until.isoformat() if user.locked_until else None}
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    user.failed_logins, user.locked_until = 0, None
    audit.record("account.unlocked", actor=by, obj=user, before=before, after={"failed_logins": 0, "locked_until": None})


@transaction.atomic
def reset_second_factor(user: User, *, by: User) -> None:
    """Forget the user's authenticator; they enrol a new one at their next login."""
    _require_security_admin(by, user)
    had = bool(user.totp_secret)
    user.totp_secret = ""
    user.totp_last_step = 0
    user.save(update_fields=["totp_secret", "totp_last_step"])
    audit.record("totp.reset", actor=by, obj=user, before={"enrolled": had}, after={"enrolled": False})


@transaction.atomic
def enrol_second_factor(user: User, *, secret: str, by: User | None) -> None:
    """Save a confirmed authenticator secret (``by`` is None during a first login)."""
    user.totp_secret = secret
    user.save(update_fields=["totp_secret"])
    audit.record("totp.enrolled", actor=by, actor_label=user.username, obj=user)


@transaction.atomic
def set_unmask_permission(user: User, *, allowed: bool, by: User) -> None:
    _require_security_admin(by, user)
    if user.can_unmask == allowed:
        return
    User.objects.filter(pk=user.pk).update(can_unmask=allowed)
    audit.record(
        "account.unmask_granted" if allowed else "account.unmask_revoked",
        actor=by, obj=user, before={"can_unmask": user.can_unmask}, after={"can_unmask": allowed},
    )
    user.can_unmask = allowed


def check_role_change(user: User, *, new_role: str, by: User) -> None:
    """Admin roles are granted and withdrawn only by the security administrator, never to
    themselves; the system administrator manages business roles only (B1)."""
    touches_admin = new_role in ADMIN_ROLES or (user.pk is not None and user.role in ADMIN_ROLES)
    if touches_admin:
        _require_security_admin(by, user if user.pk else None)
    elif by.role not in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN):
        raise PermissionDenied


@transaction.atomic
def issue_api_token(*, by: User, name: str) -> tuple[ApiToken, str]:
    """A new token for the user's organisation; the raw value is returned once, only its hash is kept."""
    if by.organisation_id is None or by.role not in (Role.INSTITUTION, Role.EVALUATOR):
        raise PermissionDenied
    token, raw = ApiToken.issue(user=by, name=name)
    audit.record("api_token.created", actor=by, obj=token, detail={"prefix": token.prefix, "name": name})
    return token, raw


@transaction.atomic
def revoke_api_token(token: ApiToken, *, by: User) -> None:
    if token.revoked_at is not None:
        return
    if by.role != Role.SECURITY_ADMIN and token.organisation_id != by.organisation_id:
        raise PermissionDenied
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record("api_token.revoked", actor=by, obj=token, detail={"prefix": token.prefix})
