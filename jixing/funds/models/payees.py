"""Payee accounts (bank accounts of persons and organisations), encrypted at rest."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jixing.core import crypto
from jixing.core.access import scope_for
from jixing.core.fields import EncryptedTextField
from jixing.core.masking import mask_bank_account
from jixing.core.models import ArchivableModel, ArchivableQuerySet


class PayeeAccountQuerySet(ArchivableQuerySet):
    def visible_to(self, user: Any) -> PayeeAccountQuerySet:
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.organisation_id:
            return self.filter(organisation_id=scope.organisation_id)
        if scope.person_id:
            return self.filter(person_id=scope.person_id)
        if scope.region_prefix and not scope.department_id:
            return self.filter(
                scope.region_q("organisation__county")
                | scope.region_q("person__current_region")
            )
        return self.none()


class AccountKindOfPayee(models.TextChoices):
    BANK = "bank", _("bank account")
    # 社会保障卡金融账户: "审核通过的补贴将发放至社保卡金融账户" — the only account a person is paid to.
    SOCIAL_SECURITY_CARD = "social_security_card", _("social security card financial account (社保卡金融账户)")


class AccountSource(models.TextChoices):
    OWNER = "owner", _("the account holder")
    CARD_BANK_FILE = "card_bank_file", _("HRSS officer, from the card bank's file")


class PayeeAccount(ArchivableModel):
    """A payee's bank account: the number encrypted at rest, a keyed hash for dedupe (D1),
    shown masked (``**** 1234``) except in the bank file sent to the bank."""

    organisation = models.ForeignKey(
        "registry.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="payee_accounts"
    )
    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="payee_accounts")
    holder_name = models.CharField(_("account holder"), max_length=120)
    bank_name = models.CharField(_("bank"), max_length=120)
    account_number = EncryptedTextField(_("account number"), purpose="bank_account")
    account_hash = models.CharField(max_length=64, editable=False, db_index=True)
    kind = models.CharField(_("account kind"), max_length=30, choices=AccountKindOfPayee.choices,
                            default=AccountKindOfPayee.BANK)
    source = models.CharField(_("registered by"), max_length=20, choices=AccountSource.choices,
                              default=AccountSource.OWNER)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = PayeeAccountQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("payee bank account")
        verbose_name_plural = _("payee bank accounts")
        constraints = [
            models.CheckConstraint(
                name="payee_account_one_owner",
                condition=(Q(organisation__isnull=False) & Q(person__isnull=True))
                | (Q(organisation__isnull=True) & Q(person__isnull=False)),
            ),
            models.UniqueConstraint(
                fields=["organisation", "account_hash"], condition=Q(archived_at__isnull=True),
                name="payee_account_once_per_organisation",
            ),
            models.UniqueConstraint(
                fields=["person", "account_hash"], condition=Q(archived_at__isnull=True),
                name="payee_account_once_per_person",
            ),
            models.CheckConstraint(name="card_account_belongs_to_a_person",
                                   condition=~Q(kind="social_security_card") | Q(person__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.holder_name} {self.bank_name} {self.masked_number}"

    @staticmethod
    def hash_number(number: str) -> str:
        return crypto.blind_index(number, purpose="bank_account")

    def set_number(self, number: str) -> None:
        self.account_number = number
        self.account_hash = self.hash_number(number)

    @property
    def masked_number(self) -> str:
        return mask_bank_account(self.account_number)
