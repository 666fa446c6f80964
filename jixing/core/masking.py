"""Masked display of personal data (SECURITY.md E3)."""

from __future__ import annotations


def mask_id_number(value: str | None) -> str:
    """First 6 + last 4: 370102********1234."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """138****5678."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_bank_account(value: str | None) -> str:
    """Last 4 digits only: **** **** 1234."""
    if not value:
        return ""
    return "**** " + value[-4:]


def mask_name(value: str | None) -> str:
    """张** for public pages (certificate verification)."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)
