"""Users, roles and the scope each role is bound to (DESIGN.md "Who uses it", SECURITY.md B1)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jixing.core.fields import EncryptedTextField
from jixing.core.roles import (  # noqa: F401 (the roles live in core, below every app; re-exported)
    ADMIN_ROLES,
    ORGANISATION_ROLES,
    REGION_ROLES,
    STAFF_ROLES,
    Role,
)


class JixingUserManager(UserManager):
    def _create_user(self, username: str, email: str | None, password: str | None, **extra: Any) -> User:
        if password is not None:
            extra.setdefault("password_changed_at", timezone.now())  # A1: the password's age starts now
        return super()._create_user(username, email, password, **extra)  # type: ignore[misc]

    def create_superuser(  # type: ignore[override]
        self, username: str, email: str | None = None, password: str | None = None, **extra: Any
    ) -> User:
        """``createsuperuser`` makes a system administrator: no account holds every power (B1);
        security and audit administrators are separate accounts (see ``create_admin``)."""
        extra.setdefault("role", Role.SYSTEM_ADMIN)
        extra["is_staff"] = True
        extra["is_superuser"] = False
        return self._create_user(username, email, password, **extra)


class User(AbstractUser):
    """One role per account: no account can hold two admin roles (B1) by construction —
    ``role`` holds one value, a check constraint allows only known roles, and no account is
    a Django superuser (permissions come from the role, see ``roles.py``)."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        "registry.Region", verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT
    )
    department = models.ForeignKey(
        "registry.Department", verbose_name=_("department"), null=True, blank=True, on_delete=models.PROTECT
    )
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    person = models.OneToOneField(
        "registry.Person", verbose_name=_("person"), null=True, blank=True, on_delete=models.PROTECT
    )
    can_unmask = models.BooleanField(
        _("may view unmasked personal data"), default=False,
        help_text=_("Field permission for full ID numbers, phones, bank accounts and sensitive groups (B4)."),
    )
    is_demo = models.BooleanField(_("demo account"), default=False)
    failed_logins = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    must_change_password = models.BooleanField(
        _("must change password at next login"), default=False,
        help_text=_("Set when an administrator sets the password (A1)."),
    )
    totp_secret = EncryptedTextField(blank=True, default="", purpose="totp")
    totp_last_step = models.BigIntegerField(default=0)

    objects = JixingUserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(name="user_has_one_known_role", condition=Q(role__in=Role.values)),
            models.CheckConstraint(name="user_is_never_superuser", condition=Q(is_superuser=False)),
            models.CheckConstraint(
                name="user_region_role_has_region",
                condition=~Q(role__in=[Role.HRSS_OFFICER, Role.FINANCE_OFFICER, Role.UNION_OFFICER]) | Q(region__isnull=False),
            ),
            models.CheckConstraint(
                name="user_sector_role_has_department",
                condition=~Q(role=Role.SECTOR_OFFICER) | Q(department__isnull=False),
            ),
            models.CheckConstraint(
                name="user_org_role_has_organisation",
                condition=~Q(role__in=[Role.INSTITUTION, Role.EVALUATOR]) | Q(organisation__isnull=False),
            ),
            models.CheckConstraint(
                name="user_trainee_has_person",
                condition=~Q(role=Role.TRAINEE) | Q(person__isnull=False),
            ),
        ]

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()

    @property
    def is_admin_role(self) -> bool:
        return self.role in ADMIN_ROLES

    def set_password(self, raw_password: str | None) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def password_expired(self, *, now: dt.datetime | None = None) -> bool:
        """Periodic change (A1): older than JIXING_PASSWORD_MAX_AGE_DAYS, or set by an admin."""
        if self.must_change_password:
            return True
        if self.password_changed_at is None or not self.has_usable_password():
            return False
        age = (now or timezone.now()) - self.password_changed_at
        return age > dt.timedelta(days=settings.JIXING_PASSWORD_MAX_AGE_DAYS)


class ApiToken(models.Model):
    """Per-organisation API token for institutions' own systems. Only its hash is stored."""

    organisation = models.ForeignKey(
        "registry.Organisation", on_delete=models.PROTECT, related_name="api_tokens"
    )
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens",
                             help_text=_("The organisation account the token acts as."))
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_token(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user: User, name: str) -> tuple[ApiToken, str]:
        raw = "jx_" + secrets.token_urlsafe(32)
        assert user.organisation_id is not None
        token = cls.objects.create(
            organisation_id=user.organisation_id, user=user, name=name,
            token_hash=cls.hash_token(raw), prefix=raw[:8],
        )
        return token, raw
