"""Payee accounts: register a bank account for a person or an organisation."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jixing.accounts.models import Role
from jixing.core import audit
from jixing.core.masking import mask_bank_account
from jixing.registry.models import Organisation, Person

from ..models import PayeeAccount

_ACCOUNT_RE = re.compile(r"^\d{8,30}$")


def register_payee_account(
    *, by: Any, holder_name: str, bank_name: str, account_number: str,
    organisation: Organisation | None = None, person: Person | None = None,
) -> PayeeAccount:
    """A bank account for payments: an organisation's (its staff) or a person's (themself)."""
    if organisation is None and person is None:
        organisation = getattr(by, "organisation", None)
        person = getattr(by, "person", None) if organisation is None else None
    if organisation is not None:
        if getattr(by, "role", None) != Role.INSTITUTION or by.organisation_id != organisation.pk:
            raise PermissionDenied(_("Only the organisation's own staff may register its bank account."))
    elif person is not None:
        if getattr(by, "role", None) != Role.TRAINEE or by.person_id != person.pk:
            raise PermissionDenied(_("Only the person may register their own bank account."))
    else:
        raise PermissionDenied(_("Your role may not do this."))
    number = re.sub(r"[\s-]", "", account_number or "")
    errors: dict[str, str] = {}
    if not _ACCOUNT_RE.match(number):
        errors["account_number"] = _("Enter the account number: 8 to 30 digits.")
    if not (holder_name or "").strip():
        errors["holder_name"] = _("Enter the account holder's name.")
    if not (bank_name or "").strip():
        errors["bank_name"] = _("Enter the bank's name.")
    if errors:
        raise ValidationError(errors)
    owner: dict[str, Organisation | Person | None] = (
        {"organisation": organisation} if organisation is not None else {"person": person})
    existing = PayeeAccount.objects.active().filter(**owner, account_hash=PayeeAccount.hash_number(number)).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        account = PayeeAccount(**owner, holder_name=holder_name.strip()[:120], bank_name=bank_name.strip()[:120], created_by=by)
        account.set_number(number)
        account.save()
        audit.record("funds.payee_account.register", actor=by, obj=account,
                     after={"holder": account.holder_name, "bank": account.bank_name, "number": mask_bank_account(number)})
    return account
