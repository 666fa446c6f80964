"""Model fields for encrypted personal data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import models

from jixing.core import crypto


class EncryptedTextField(models.TextField):
    """Stores AES-GCM ciphertext; Python sees plaintext. Not searchable: pair it with a
    blind-index column (see ``crypto.blind_index``) for lookups and uniqueness."""

    def __init__(self, *args: Any, purpose: str, **kwargs: Any) -> None:
        self.purpose = purpose
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, Sequence[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs["purpose"] = self.purpose
        return name, path, args, kwargs

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value, purpose=self.purpose)

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value), purpose=self.purpose)
