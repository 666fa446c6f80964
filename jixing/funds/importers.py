"""社会保障卡 financial accounts from the card bank's file, imported by an HRSS officer.

Columns: 公民身份号码, 姓名, 社保卡银行账号 (the card's financial account number), 开户银行.
Each row marks (or adds) the person's account as their social security card account; a person
is paid 技能提升补贴 and 生活费补贴 only to it. A row is refused when the person is not
registered, the name does not match, the account number is not 8 to 30 digits, or the person
is outside the officer's region. Account numbers are stored encrypted and shown masked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jixing.accounts.models import Role
from jixing.core.access import scope_for
from jixing.core.masking import mask_bank_account, mask_id_number
from jixing.imports import reasons
from jixing.imports.pipeline import Column, Counts, Importer, Row, RowError, register
from jixing.registry.models import Person
from jixing.registry.validators import parse_resident_id

from . import actions
from .models import AccountKindOfPayee, AccountSource, PayeeAccount

if TYPE_CHECKING:
    from jixing.accounts.models import User

_ACCOUNT_RE = re.compile(r"^\d{8,30}$")


@dataclass(frozen=True)
class CardItem:
    row: int
    person: Person
    number: str
    bank: str


@register
class CardAccountImporter(Importer[CardItem]):
    kind = "card_accounts"
    title = gettext_lazy("social security card accounts (card bank's file)")
    roles = frozenset({Role.HRSS_OFFICER})
    columns = (
        Column("id_number", "公民身份号码", example="370102199001011234"),
        Column("name", "姓名", example="张三"),
        Column("account_number", "社保卡银行账号", example="6217000011112222333"),
        Column("bank", "开户银行", example="中国工商银行济南分行"),
    )

    def __init__(self, *, user: User | None = None) -> None:
        super().__init__(user=user)
        self.today = timezone.localdate()
        self._seen: dict[str, int] = {}

    def validate_chunk(self, rows: list[Row]) -> tuple[list[CardItem], list[RowError]]:
        items: list[CardItem] = []
        errors: list[RowError] = []
        for row in rows:
            row_errors = [self.error(row, k, reasons.required()) for k in ("id_number", "name", "account_number", "bank")
                          if not row[k]]
            id_number = ""
            if row["id_number"]:
                try:
                    id_number = parse_resident_id(row["id_number"], today=self.today).number
                except ValidationError as exc:
                    row_errors.append(self.error(row, "id_number", reasons.validator_message(list(exc.messages))))
            number = re.sub(r"[\s-]", "", row["account_number"] or "")
            if row["account_number"] and not _ACCOUNT_RE.match(number):
                row_errors.append(self.error(row, "account_number", _("Enter the account number: 8 to 30 digits.")))
            if row_errors:
                errors.extend(row_errors)
                continue
            person = Person.objects.filter(id_number_hash=Person.hash_id_number(id_number)).first()
            if person is None:
                errors.append(self.error(row, "id_number", _("No registered person has this ID number.")))
                continue
            scope = scope_for(self.user) if self.user is not None else None
            if scope is not None and not scope.everything and not (
                    scope.region_prefix and person.current_region_id.startswith(scope.region_prefix)):
                errors.append(self.error(row, "id_number", _("The person is outside your region.")))
                continue
            if person.name != row["name"].strip():
                errors.append(self.error(row, "name", _("The name does not match the registered person with this ID number.")))
                continue
            first = self._seen.get(id_number)
            if first is not None:
                errors.append(self.error(row, "", reasons.duplicate_in_file(first)))
                continue
            self._seen[id_number] = row.number
            items.append(CardItem(row.number, person, number, row["bank"].strip()[:120]))
        return items, errors

    def predict(self, items: list[CardItem]) -> Counts:
        counts = Counts()
        for i in items:
            found = PayeeAccount.objects.active().filter(person=i.person, account_hash=PayeeAccount.hash_number(i.number)).first()
            if found is None:
                counts.created += 1
            elif found.kind != AccountKindOfPayee.SOCIAL_SECURITY_CARD:
                counts.updated += 1
            else:
                counts.unchanged += 1
        return counts

    def commit(self, items: list[CardItem], *, by: Any) -> Counts:
        counts = self.predict(items)
        for i in items:
            actions.register_card_account(by=by, person=i.person, bank_name=i.bank, account_number=i.number,
                                          source=AccountSource.CARD_BANK_FILE)
        return counts

    def preview_row(self, item: CardItem) -> dict[str, str]:
        return {"id_number": mask_id_number(item.person.id_number), "name": item.person.name,
                "account_number": mask_bank_account(item.number), "bank": item.bank}
