"""Certificate and filing numbers.

Structure of the 职业技能等级证书 number (证书编码), as given by the national rule
"职业技能等级证书编码规则" (人社部职业技能鉴定中心, 2020, issued with the certificate's
reference design). We could not reach the official text; the structure below was read in two
independent third-party copies (http://www.jmdrkj.cn/209234.html quoting the rule in full
with its example "Y000123XXXXXX195000001", and https://www.qqbanlv.com/wenku/12/315172.html:
"证书编号总共有22位，由第1位的大写字母和21位阿拉伯数字组成"). Treat it as verified
against secondary sources only.

    pos  1      evaluation institution category: Y = employer (用人单位, enterprise
                self-evaluation), S = social training-evaluation organisation (社会培训评价组织)
    pos  2-5    institution code given by MOHRSS for nationally filed institutions
                (0001-9999); "0000" for institutions filed with a provincial HRSS department
    pos  6-7    province code of the institution (site): GB/T 2260 first two digits (37 = 山东)
    pos  8-13   institution (site) sequence code, assigned by the provincial HRSS department
    pos 14-15   year of issue, last two digits
    pos 16      skill level code 1-5 (5 = 五级/初级工 … 1 = 一级/高级技师)
    pos 17-22   certificate sequence, assigned by the institution

Positions 1-13 are what the filing's approval assigns, so a filing's code here IS the first
13 characters (e.g. ``S000037000012``); positions 14-22 are drawn when a
certificate is issued. The national rule has no check character, so none is added.

Local conventions (not from the national rule, unverified, kept in this module):
- All filings handled here are provincial filings, so positions 2-5 are always "0000".
- Direct recognitions (破格直接认定) by an enterprise without its own filing are numbered
  under the province's reserved site sequence "000000".
- Only the five national levels carry a level digit. 学徒工 is an enterprise-internal level,
  and 特级技师 / 首席技师 are 技术职务（岗位） appointed by enterprises (中办发〔2022〕58号
  (十一)), with a separate 2-letter + 20-digit code whose letters we could not verify; this
  system therefore issues no certificate for levels 1, 7 and 8 (``level_code`` → None).

Uniqueness under concurrent issuing: the sequence comes from a CertificateCounter row per
prefix × year locked with ``select_for_update`` (PostgreSQL), plus the unique constraint on
Certificate.number as the guard that holds on every database.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction

CATEGORY_EMPLOYER = "Y"
CATEGORY_SOCIAL = "S"
PROVINCIAL_FILING_CODE = "0000"
RECOGNITION_SITE_SEQUENCE = "000000"
NUMBER_RE = re.compile(r"^[YS]\d{21}$")
FILING_CODE_RE = re.compile(r"^[YS]\d{12}$")


def level_code(national_level: int | None) -> str | None:
    """The level digit (pos 16) for a SkillLevel.national_level; None: no certificate."""
    if national_level is None or not 1 <= national_level <= 5:
        return None
    return str(national_level)


def filing_prefix(category: str, province_code: str, site_sequence: int) -> str:
    if category not in (CATEGORY_EMPLOYER, CATEGORY_SOCIAL):
        raise ValueError(f"bad category {category!r}")
    if not (len(province_code) == 2 and province_code.isdigit()):
        raise ValueError(f"bad province code {province_code!r}")
    if not 0 <= site_sequence <= 999_999:
        raise ValueError("site sequence out of range")
    return f"{category}{PROVINCIAL_FILING_CODE}{province_code}{site_sequence:06d}"


def compose_number(prefix: str, year: int, level_digit: str, sequence: int) -> str:
    if not FILING_CODE_RE.match(prefix):
        raise ValueError(f"bad institution prefix {prefix!r}")
    if not 1 <= sequence <= 999_999:
        raise ValueError("certificate sequence out of range (000001-999999)")
    if level_digit not in {"1", "2", "3", "4", "5"}:
        raise ValueError(f"bad level digit {level_digit!r}")
    return f"{prefix}{year % 100:02d}{level_digit}{sequence:06d}"


def normalise_number(value: str) -> str:
    return re.sub(r"\s+", "", value or "").upper()


def is_well_formed(number: str) -> bool:
    return bool(NUMBER_RE.match(number))


def next_sequence(key: str) -> int:
    """Draw the next value of the counter ``key`` (row-locked on PostgreSQL)."""
    from .models import CertificateCounter

    with transaction.atomic():
        CertificateCounter.objects.get_or_create(key=key)
        counter = CertificateCounter.objects.select_for_update().get(key=key)
        counter.last += 1
        counter.save(update_fields=["last"])
        return counter.last


def next_filing_prefix(category: str, province_code: str) -> str:
    return filing_prefix(category, province_code, next_sequence(f"filing:{province_code}"))


def next_certificate_number(prefix: str, *, issued_on: dt.date, level_digit: str) -> str:
    sequence = next_sequence(f"{prefix}:{issued_on.year % 100:02d}")
    return compose_number(prefix, issued_on.year, level_digit, sequence)
