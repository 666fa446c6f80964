"""Identity numbers: GB 11643 resident ID and GB 32100 unified social credit code.

python-stdnum does the arithmetic. Two known over-strict checks of python-stdnum 2.2 are
avoided on purpose (reference/README.md): ``cn.ric.validate`` rejects real people whose
county code is newer than their birth (e.g. 370116, created 2019), so we validate length,
format, birth date and check digit but not birthplace history; ``cn.uscc.validate`` rejects
legal codes registered by authority ``Y`` (其他), so we check the alphabet and position 18.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import uscc

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_RE = re.compile(rf"^[159Y][{_USCC_ALPHABET}]\d{{6}}[{_USCC_ALPHABET}]{{10}}$")
_PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
_ID_NUMBER_RE = re.compile(r"[0-9]{17}[0-9X]", re.ASCII)
_ID_SEPARATORS = re.compile(r"[\s\-]")


class Sex:
    MALE = "M"
    FEMALE = "F"


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: dt.date
    sex: str  # Sex.MALE / Sex.FEMALE


def normalise_id_number(value: str) -> str:
    """The one normaliser of resident ID numbers, used at every door (forms, API, imports,
    lookups): Unicode NFKC (full-width ０-９ and superscript ¹²³ become 0-9, ｘ becomes x),
    spaces and hyphens dropped, x upper-cased; after that only the ASCII digits 0-9 and a final
    X are accepted. Digits of other scripts (Arabic-Indic ٠-٩, Devanagari …) are refused, not
    converted: Python's ``isdigit()``/``int()`` would accept them and store a second spelling
    of one person. Raises ``ValidationError`` without echoing the number (SECURITY.md C4).
    """
    if value and len(value) == 18 and _ID_NUMBER_RE.fullmatch(value):
        return value  # already normal (NFKC leaves ASCII digits and X as they are)
    number = _ID_SEPARATORS.sub("", unicodedata.normalize("NFKC", value or "")).upper()
    if len(number) != 18:
        raise ValidationError(_("The ID number must have 18 characters."), code="length")
    if not _ID_NUMBER_RE.fullmatch(number):
        raise ValidationError(_("The ID number may contain only the digits 0–9 and a final X."), code="format")
    return number


def id_number_or_none(value: str) -> str | None:
    """``normalise_id_number`` for lookups and bulk readers: None instead of an error."""
    try:
        return normalise_id_number(value)
    except ValidationError:
        return None


def parse_resident_id(value: str, *, today: dt.date | None = None) -> ResidentId:
    """Validate a GB 11643-1999 number; return it normalised with birth date and sex.

    Error messages never echo the number (SECURITY.md C4).
    """
    # python-stdnum's date and check-digit arithmetic (ric.get_birth_date, ric.calc_check_digit)
    # inline, without its cleaning of an already normal number (a roster has tens of thousands).
    number = normalise_id_number(value)
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(_("The birth date inside the ID number is not a real date."), code="birth_date") from None
    if birth > (today or dt.date.today()):
        raise ValidationError(_("The birth date inside the ID number is in the future."), code="birth_date")
    if birth.year < 1900:
        raise ValidationError(_("The birth date inside the ID number is before 1900."), code="birth_date")
    checksum = (1 - 2 * int(number[:17], 13)) % 11
    if ("X" if checksum == 10 else str(checksum)) != number[17]:
        raise ValidationError(_("The check digit of the ID number is wrong."), code="checksum")
    sex = Sex.MALE if int(number[16]) % 2 else Sex.FEMALE
    return ResidentId(number=number, birth_date=birth, sex=sex)


def validate_resident_id(value: str) -> None:
    parse_resident_id(value)


def normalise_uscc(value: str) -> str:
    code = uscc.compact(value or "").upper()
    if len(code) != 18:
        raise ValidationError(_("The unified social credit code must have 18 characters."), code="length")
    if not _USCC_RE.match(code):
        raise ValidationError(_("The unified social credit code has characters not allowed at their position."), code="format")
    if uscc.calc_check_digit(code[:17]) != code[17]:
        raise ValidationError(_("The check character of the unified social credit code is wrong."), code="checksum")
    return code


def validate_uscc(value: str) -> None:
    normalise_uscc(value)


def normalise_phone(value: str) -> str:
    phone = re.sub(r"[\s-]", "", value or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if not _PHONE_RE.match(phone):
        raise ValidationError(_("The mobile number must be 11 digits starting with 13–19."), code="phone")
    return phone
