"""Row-error reasons shared by importers, so every import says the same thing the same way.

Reasons never echo a full ID number or bank account (SECURITY.md C4).
"""

from __future__ import annotations

from django.utils.translation import gettext as _


def required() -> str:
    return _("This column is required.")


def too_long(limit: int) -> str:
    return _("Too long: at most %(limit)d characters.") % {"limit": limit}


def duplicate_in_file(first_row: int) -> str:
    return _("Same as row %(row)d of this file; only the first occurrence is imported.") % {"row": first_row}


def unknown_region(code: str) -> str:
    return _("“%(code)s” is not a region code of Shandong (GB/T 2260, 6 digits).") % {"code": code[:12]}


def region_not_county(code: str, name: str) -> str:
    return _("“%(code)s” is %(name)s, not a county-level region; give the county, district or county-level "
             "city code.") % {"code": code[:12], "name": name}


def outside_scope() -> str:
    return _("Outside your region: you may only import records of your own region and the regions below it.")


def unknown_choice(value: str, what: str) -> str:
    """``what``: the column header or a translated noun."""
    return _("Unknown %(what)s “%(value)s”.") % {"what": what, "value": value[:40]}


def name_letters_only() -> str:
    return _("A name may contain only letters; parts of minority or foreign names are joined with “·”.")


def registered_elsewhere() -> str:
    return _("This person is registered by another region; ask that region or the province to change the record.")


def protected_category() -> str:
    """Stands in for a sensitive target group (disability, correction …) in previews (B4)."""
    return _("(protected category)")


def imported_evidence(kind: str) -> str:
    return _("imported (%(kind)s)") % {"kind": kind}


def validator_message(messages: list[str]) -> str:
    """The first message of a Django ValidationError (validators translate their own)."""
    return str(messages[0]) if messages else _("Invalid value.")
