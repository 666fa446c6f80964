"""Social-insurance contribution records (社保缴费记录) through the import pipeline.

Columns (official headers): 公民身份号码, 单位统一社会信用代码, 缴费月份 (YYYY-MM or YYYYMM),
缴费基数 (the contribution base, used as the wage proxy), 险种 (失业保险 / 养老保险 / 工伤保险 /
医疗保险 / 生育保险, or the 险种 codes 210 / 110 / 410 / 310 / 510) and 参保地 (the 4-digit city code
of the collecting agency; a 6-digit code ending in 00 is read as its first four digits). A file
without 险种 or 参保地 is refused as a whole, naming the missing column: only 失业保险 rows count
towards 技能提升补贴, so a file that does not say which insurance it lists cannot be guessed at. Files can have millions of rows:
the pipeline streams CSV in chunks; this importer validates each chunk with set-based
lookups and writes with ``copy_upsert`` (PostgreSQL COPY; bulk ORM elsewhere).

- Natural key person × employer × month × insurance type: the same file twice creates nothing;
  a changed base updates the row.
- Rows whose ID number matches no registered person are NOT rejected: they are kept aside in
  ``HeldContribution`` (keyed hash + encrypted number, never plaintext) and counted in the
  summary (``held``, ``held_rows``); ``rematch_insurance`` moves them over once the person is
  registered.
- Row-level reasons for malformed or future months, zero or negative bases, duplicate rows in
  the file and invalid ID numbers or credit codes.
- Contributions confirm reported placements (start month or the next) and create verified
  placements for completed trainees starting with a new employer (``actions``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jixing.accounts.models import Role, User
from jixing.imports import reasons
from jixing.imports.pipeline import Column, Counts, Importer, Row, RowError, copy_upsert, register
from jixing.registry.models import Organisation, Person
from jixing.registry.validators import normalise_uscc, parse_resident_id

from . import actions
from .models import (
    HeldBenefitPeriod,
    HeldContribution,
    InsuranceContribution,
    InsuranceType,
    UnemploymentBenefitPeriod,
)

if TYPE_CHECKING:
    from jixing.accounts.models import User

_MONTH_RE = re.compile(r"^(\d{4})\s*[-/.年]?\s*(\d{1,2})\s*月?$")
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$")  # an Excel date cell
_EARLIEST = dt.date(1990, 1, 1)  # the contribution system's records do not go further back
MAX_BASE = Decimal("1000000")
MAX_LISTED_HELD_ROWS = 1_000


def parse_month(text: str, *, today: dt.date) -> dt.date:
    """'2025-03', '202503', '2025/3', '2025年3月' or an Excel date → the first day of the month."""
    text = text.strip()
    m = _MONTH_RE.match(text) or _DATE_RE.match(text)
    if not m:
        raise ValueError(_("“%(value)s” is not a month; write it as YYYY-MM or YYYYMM.") % {"value": text[:20]})
    year, month = int(m.group(1)), int(m.group(2))
    if not 1 <= month <= 12:
        raise ValueError(_("“%(value)s” is not a month: the month must be 01 to 12.") % {"value": text[:20]})
    day = dt.date(year, month, 1)
    if day > today.replace(day=1):
        raise ValueError(_("The month %(month)s is in the future.") % {"month": day.strftime("%Y-%m")})
    if day < _EARLIEST:
        raise ValueError(_("The month %(month)s is before 1990.") % {"month": day.strftime("%Y-%m")})
    return day


_INSURANCE_TYPES = {
    "失业保险": InsuranceType.UNEMPLOYMENT, "失业": InsuranceType.UNEMPLOYMENT, "210": InsuranceType.UNEMPLOYMENT,
    "unemployment": InsuranceType.UNEMPLOYMENT,
    "养老保险": InsuranceType.PENSION, "养老": InsuranceType.PENSION, "企业职工基本养老保险": InsuranceType.PENSION,
    "110": InsuranceType.PENSION, "pension": InsuranceType.PENSION,
    "工伤保险": InsuranceType.WORK_INJURY, "工伤": InsuranceType.WORK_INJURY, "410": InsuranceType.WORK_INJURY,
    "work_injury": InsuranceType.WORK_INJURY,
    "医疗保险": InsuranceType.MEDICAL, "医疗": InsuranceType.MEDICAL, "职工基本医疗保险": InsuranceType.MEDICAL,
    "310": InsuranceType.MEDICAL, "medical": InsuranceType.MEDICAL,
    "生育保险": InsuranceType.MATERNITY, "生育": InsuranceType.MATERNITY, "510": InsuranceType.MATERNITY,
    "maternity": InsuranceType.MATERNITY,
}
_CITY_RE = re.compile(r"^(\d{4})(00)?$")


def parse_insurance_type(text: str) -> str:
    kind = _INSURANCE_TYPES.get(text.strip().lower())
    if kind is None:
        raise ValueError(_("“%(value)s” is not an insurance type: write 失业保险, 养老保险, 工伤保险, 医疗保险 or 生育保险.")
                         % {"value": text[:20]})
    return str(kind)


def parse_city(text: str) -> str:
    """参保地: the 4-digit city code of the collecting agency ('3701'; '370100' is read as '3701')."""
    m = _CITY_RE.match(text.strip())
    if not m or not 11 <= int(m.group(1)[:2]) <= 82:
        raise ValueError(_("“%(value)s” is not a city code: write the 4-digit code of the insuring city, e.g. 3701.")
                         % {"value": text[:20]})
    return m.group(1)


def parse_day(text: str, *, today: dt.date) -> dt.date:
    cleaned = text.strip().replace("/", "-").replace(".", "-")
    m = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$", cleaned) or re.match(r"^(\d{4})(\d{2})(\d{2})$", cleaned)
    if not m:
        raise ValueError(_("“%(value)s” is not a date; write it as YYYY-MM-DD.") % {"value": text[:20]})
    try:
        day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ValueError(_("“%(value)s” is not a date; write it as YYYY-MM-DD.") % {"value": text[:20]}) from None
    if day < _EARLIEST or day.year > today.year + 5:
        raise ValueError(_("The date %(day)s is out of range.") % {"day": day.isoformat()})
    return day


def parse_base(text: str) -> Decimal:
    cleaned = text.replace(",", "").replace("，", "").replace("¥", "").replace("元", "").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(_("“%(value)s” is not an amount in yuan.") % {"value": text[:20]}) from None
    if not value.is_finite():
        raise ValueError(_("“%(value)s” is not an amount in yuan.") % {"value": text[:20]})
    if value < 0:
        raise ValueError(_("The contribution base must not be negative."))
    if value == 0:
        raise ValueError(_("The contribution base must be greater than zero."))
    if value >= MAX_BASE:
        raise ValueError(_("The contribution base is implausibly large (1,000,000 yuan or more)."))
    return value.quantize(Decimal("0.01"))


@dataclass(frozen=True, slots=True)
class Item:
    row: int
    id_number: str
    id_hash: str
    uscc: str
    month: dt.date
    base: Decimal
    person_id: int | None
    employer_id: int | None
    insurance_type: str
    insured_city: str


def _key(id_number: str, uscc: str, month: dt.date, kind: str = "") -> int:
    """64-bit hash of the natural key, so the duplicate check over a million-row file stays
    small (an int per row, not three strings). Python's string hash is stable within the
    process; a collision (odds ~1e-8 at a million rows) would show up as a reported
    duplicate, never as a silent loss."""
    return hash((id_number, uscc, month.year * 100 + month.month, kind))


def _upsert_held(items: list[Item]) -> int:
    """Held rows through the ORM (the encrypted field encrypts once); returns rows created."""
    existing = {
        (h.id_number_hash, h.employer_uscc, h.month, h.insurance_type): h
        for h in HeldContribution.objects.filter(id_number_hash__in={i.id_hash for i in items})
    }
    new, changed = [], []
    now = timezone.now()
    for i in items:
        row = existing.get((i.id_hash, i.uscc, i.month, i.insurance_type))
        if row is None:
            new.append(HeldContribution(id_number=i.id_number, id_number_hash=i.id_hash, employer_uscc=i.uscc,
                                        month=i.month, base=i.base, insurance_type=i.insurance_type,
                                        insured_city=i.insured_city))
        elif row.base != i.base or row.insured_city != i.insured_city:
            row.base, row.insured_city, row.updated_at = i.base, i.insured_city, now
            changed.append(row)
    HeldContribution.objects.bulk_create(new, batch_size=1000)
    HeldContribution.objects.bulk_update(changed, ["base", "insured_city", "updated_at"], batch_size=1000)
    return len(new)


@register
class InsuranceImporter(Importer[Item]):
    kind = "insurance"
    title = gettext_lazy("social-insurance contribution records")
    roles = frozenset({Role.HRSS_OFFICER})
    columns = (
        Column("id_number", "公民身份号码", example="370102199005170011"),
        Column("employer_uscc", "单位统一社会信用代码", example="91370102MA3C4XXXXX"),
        Column("month", "缴费月份", example="2025-03"),
        Column("base", "缴费基数", example="4500.00"),
        Column("insurance_type", "险种", example="失业保险"),
        Column("insured_city", "参保地", example="3701"),
    )
    chunk_size = 10_000

    def __init__(self, *, user: User | None = None) -> None:
        super().__init__(user=user)
        self.today = timezone.localdate()
        self._seen: dict[int, int] = {}
        # A person appears once a month, an employer for thousands of rows: check each value once.
        self._ids: dict[str, str | list[str]] = {}
        self._usccs: dict[str, str | list[str]] = {}
        self._months: dict[str, dt.date | str] = {}
        self._hashes: dict[str, str] = {}
        self.held = 0
        self.held_rows: list[int] = []
        self.held_new = 0
        self.effects = {"placements_confirmed": 0, "placements_derived": 0}

    def validate_chunk(self, rows: list[Row]) -> tuple[list[Item], list[RowError]]:
        parsed: list[tuple[Row, str, str, dt.date, Decimal, str, str]] = []
        errors: list[RowError] = []
        for row in rows:
            row_errors: list[RowError] = []
            id_number = uscc = kind = city = ""
            month: dt.date | None = None
            base: Decimal | None = None
            for key in ("id_number", "employer_uscc", "month", "base", "insurance_type", "insured_city"):
                if not row[key]:
                    row_errors.append(self.error(row, key, reasons.required()))
            if row["id_number"]:
                checked_id = self._check_id(row["id_number"])
                if isinstance(checked_id, str):
                    id_number = checked_id
                else:
                    row_errors.append(self.error(row, "id_number", reasons.validator_message(checked_id)))
            if row["employer_uscc"]:
                checked_uscc = self._check_uscc(row["employer_uscc"])
                if isinstance(checked_uscc, str):
                    uscc = checked_uscc
                else:
                    row_errors.append(self.error(row, "employer_uscc", reasons.validator_message(checked_uscc)))
            if row["month"]:
                checked_month = self._check_month(row["month"])
                if isinstance(checked_month, dt.date):
                    month = checked_month
                else:
                    row_errors.append(self.error(row, "month", checked_month))
            if row["base"]:
                try:
                    base = parse_base(row["base"])
                except ValueError as exc:
                    row_errors.append(self.error(row, "base", str(exc)))
            if row["insurance_type"]:
                try:
                    kind = parse_insurance_type(row["insurance_type"])
                except ValueError as exc:
                    row_errors.append(self.error(row, "insurance_type", str(exc)))
            if row["insured_city"]:
                try:
                    city = parse_city(row["insured_city"])
                except ValueError as exc:
                    row_errors.append(self.error(row, "insured_city", str(exc)))
            if row_errors or month is None or base is None:
                errors.extend(row_errors)
                continue
            natural = _key(id_number, uscc, month, kind)
            first = self._seen.get(natural)
            if first is not None:
                errors.append(self.error(row, "", reasons.duplicate_in_file(first)))
                continue
            self._seen[natural] = row.number
            parsed.append((row, id_number, uscc, month, base, kind, city))
        hashes = {n: self._hash(n) for n in {p[1] for p in parsed}}
        persons = dict(Person.objects.filter(id_number_hash__in=set(hashes.values())).values_list("id_number_hash", "pk"))
        employers = dict(Organisation.objects.filter(uscc__in={p[2] for p in parsed}).values_list("uscc", "pk"))
        items = []
        for row, id_number, uscc, month, base, kind, city in parsed:
            person_id = persons.get(hashes[id_number])
            if person_id is None:
                self.held += 1
                if len(self.held_rows) < MAX_LISTED_HELD_ROWS:
                    self.held_rows.append(row.number)
            items.append(Item(row.number, id_number, hashes[id_number], uscc, month, base, person_id,
                              employers.get(uscc), kind, city))
        return items, errors

    _CACHE_LIMIT = 500_000

    def _check_id(self, text: str) -> str | list[str]:
        hit = self._ids.get(text)
        if hit is None:
            try:
                hit = parse_resident_id(text, today=self.today).number
            except ValidationError as exc:
                hit = list(exc.messages)
            if len(self._ids) >= self._CACHE_LIMIT:
                self._ids.clear()
            self._ids[text] = hit
        return hit

    def _hash(self, id_number: str) -> str:
        hit = self._hashes.get(id_number)
        if hit is None:
            hit = Person.hash_id_number(id_number)
            if len(self._hashes) >= self._CACHE_LIMIT:
                self._hashes.clear()
            self._hashes[id_number] = hit
        return hit

    def _check_uscc(self, text: str) -> str | list[str]:
        hit = self._usccs.get(text)
        if hit is None:
            try:
                hit = normalise_uscc(text)
            except ValidationError as exc:
                hit = list(exc.messages)
            if len(self._usccs) >= self._CACHE_LIMIT:
                self._usccs.clear()
            self._usccs[text] = hit
        return hit

    def _check_month(self, text: str) -> dt.date | str:
        hit = self._months.get(text)
        if hit is None:
            try:
                hit = parse_month(text, today=self.today)
            except ValueError as exc:
                hit = str(exc)
            if len(self._months) < 10_000:
                self._months[text] = hit
        return hit

    def predict(self, items: list[Item]) -> Counts:
        known = [i for i in items if i.person_id is not None]
        existing = {
            (person_id, uscc, month, kind): (base, city)
            for person_id, uscc, month, kind, base, city in InsuranceContribution.objects.filter(
                person_id__in={i.person_id for i in known}, month__in={i.month for i in known},
            ).values_list("person_id", "employer_uscc", "month", "insurance_type", "base", "insured_city")
        }
        counts = Counts()
        for i in known:
            found = existing.get((i.person_id, i.uscc, i.month, i.insurance_type))
            if found is None:
                counts.created += 1
            elif found != (i.base, i.insured_city):
                counts.updated += 1
            else:
                counts.unchanged += 1
        return counts

    def commit(self, items: list[Item], *, by: User | None) -> Counts:
        known = [i for i in items if i.person_id is not None]
        unknown = [i for i in items if i.person_id is None]
        counts = copy_upsert(
            InsuranceContribution,
            ((i.person_id, i.uscc, i.month, i.base, i.employer_id, i.insurance_type, i.insured_city) for i in known),
            columns=["person_id", "employer_uscc", "month", "base", "employer_id", "insurance_type", "insured_city"],
            conflict=["person_id", "employer_uscc", "month", "insurance_type"],
            update=["base", "employer_id", "insured_city"],
        )
        if unknown:
            self.held_new += _upsert_held(unknown)
        if known:
            effects = actions.after_contributions_changed({i.person_id for i in known if i.person_id})
            for key, value in effects.items():
                self.effects[key] += value
        return counts

    def preview_row(self, item: Item) -> dict[str, str]:
        from jixing.core.masking import mask_id_number

        return {
            "id_number": mask_id_number(item.id_number), "employer_uscc": item.uscc,
            "month": item.month.strftime("%Y-%m"), "base": str(item.base),
            "insurance_type": str(InsuranceType(item.insurance_type).label), "insured_city": item.insured_city,
            "person": _("registered") if item.person_id else _("not registered: kept aside"),
        }

    def summary_extra(self) -> dict[str, Any]:
        return {"held": self.held, "held_new": self.held_new, "held_rows": self.held_rows, **self.effects}


# ------------------------------------------------------------------ unemployment-benefit periods


@dataclass(frozen=True, slots=True)
class BenefitItem:
    row: int
    person_id: int | None  # None: not registered yet, held (HeldBenefitPeriod)
    starts_on: dt.date
    ends_on: dt.date
    city: str
    id_number: str = ""
    id_hash: str = ""


def _upsert_held_periods(items: list[BenefitItem]) -> int:
    """Held periods through the ORM (the encrypted field encrypts once); returns rows created."""
    existing = {(h.id_number_hash, h.starts_on): h
                for h in HeldBenefitPeriod.objects.filter(id_number_hash__in={i.id_hash for i in items},
                                                          matched_person__isnull=True)}
    new, changed = [], []
    now = timezone.now()
    for i in items:
        row = existing.get((i.id_hash, i.starts_on))
        if row is None:
            new.append(HeldBenefitPeriod(id_number=i.id_number, id_number_hash=i.id_hash, starts_on=i.starts_on,
                                         ends_on=i.ends_on, city=i.city))
        elif (row.ends_on, row.city) != (i.ends_on, i.city):
            row.ends_on, row.city, row.updated_at = i.ends_on, i.city, now
            changed.append(row)
    HeldBenefitPeriod.objects.bulk_create(new, batch_size=1000)
    HeldBenefitPeriod.objects.bulk_update(changed, ["ends_on", "city", "updated_at"], batch_size=1000)
    return len(new)


@register
class BenefitPeriodImporter(Importer[BenefitItem]):
    """Periods of drawing unemployment benefit (领取失业保险金) from the insurance agency's system.

    Columns: 公民身份号码, 领取起始日期, 领取终止日期, 参保地 (4-digit city code). Natural key
    person × start date (a corrected end date updates the row). A period that ends before it
    starts is a row error. A period of a person not registered yet is NOT refused: like a held
    contribution it is kept aside (``HeldBenefitPeriod``, the number encrypted) and counted in
    the summary (``held``, ``held_rows``), and attached when the person is registered
    (``registry.models.PERSON_REGISTERED_HOOKS``) or by ``rematch_insurance``."""

    kind = "unemployment_benefits"
    title = gettext_lazy("unemployment-benefit periods")
    roles = frozenset({Role.HRSS_OFFICER})
    columns = (
        Column("id_number", "公民身份号码", example="370102199005170011"),
        Column("starts_on", "领取起始日期", example="2025-01-01"),
        Column("ends_on", "领取终止日期", example="2025-06-30"),
        Column("city", "参保地", example="3701"),
    )

    def __init__(self, *, user: User | None = None) -> None:
        super().__init__(user=user)
        self.today = timezone.localdate()
        self._seen: dict[tuple[str, dt.date], int] = {}
        self.held = 0
        self.held_rows: list[int] = []
        self.held_new = 0

    def validate_chunk(self, rows: list[Row]) -> tuple[list[BenefitItem], list[RowError]]:
        parsed: list[tuple[Row, str, dt.date, dt.date, str]] = []
        errors: list[RowError] = []
        for row in rows:
            row_errors: list[RowError] = []
            for key in ("id_number", "starts_on", "ends_on", "city"):
                if not row[key]:
                    row_errors.append(self.error(row, key, reasons.required()))
            id_number = city = ""
            days: dict[str, dt.date] = {}
            if row["id_number"]:
                try:
                    id_number = parse_resident_id(row["id_number"], today=self.today).number
                except ValidationError as exc:
                    row_errors.append(self.error(row, "id_number", reasons.validator_message(list(exc.messages))))
            for key in ("starts_on", "ends_on"):
                if row[key]:
                    try:
                        days[key] = parse_day(row[key], today=self.today)
                    except ValueError as exc:
                        row_errors.append(self.error(row, key, str(exc)))
            if row["city"]:
                try:
                    city = parse_city(row["city"])
                except ValueError as exc:
                    row_errors.append(self.error(row, "city", str(exc)))
            if len(days) == 2 and days["ends_on"] < days["starts_on"]:
                row_errors.append(self.error(row, "ends_on", _("The period ends (%(end)s) before it starts (%(start)s).")
                                             % {"end": days["ends_on"].isoformat(), "start": days["starts_on"].isoformat()}))
            if row_errors or len(days) != 2:
                errors.extend(row_errors)
                continue
            first = self._seen.get((id_number, days["starts_on"]))
            if first is not None:
                errors.append(self.error(row, "", reasons.duplicate_in_file(first)))
                continue
            self._seen[(id_number, days["starts_on"])] = row.number
            parsed.append((row, id_number, days["starts_on"], days["ends_on"], city))
        hashes = {n: Person.hash_id_number(n) for n in {p[1] for p in parsed}}
        persons = dict(Person.objects.filter(id_number_hash__in=set(hashes.values())).values_list("id_number_hash", "pk"))
        items: list[BenefitItem] = []
        for row, id_number, starts_on, ends_on, city in parsed:
            person_id = persons.get(hashes[id_number])
            if person_id is None:
                self.held += 1
                if len(self.held_rows) < MAX_LISTED_HELD_ROWS:
                    self.held_rows.append(row.number)
                items.append(BenefitItem(row.number, None, starts_on, ends_on, city, id_number, hashes[id_number]))
                continue
            items.append(BenefitItem(row.number, person_id, starts_on, ends_on, city))
        return items, errors

    def predict(self, items: list[BenefitItem]) -> Counts:
        known = [i for i in items if i.person_id is not None]
        existing = {
            (p, s): (e, c) for p, s, e, c in UnemploymentBenefitPeriod.objects.filter(
                person_id__in={i.person_id for i in known}).values_list("person_id", "starts_on", "ends_on", "city")
        }
        counts = Counts()
        for i in known:
            found = existing.get((i.person_id, i.starts_on))
            if found is None:
                counts.created += 1
            elif found != (i.ends_on, i.city):
                counts.updated += 1
            else:
                counts.unchanged += 1
        return counts

    def commit(self, items: list[BenefitItem], *, by: User | None) -> Counts:
        unknown = [i for i in items if i.person_id is None]
        counts = copy_upsert(
            UnemploymentBenefitPeriod,
            ((i.person_id, i.starts_on, i.ends_on, i.city) for i in items if i.person_id is not None),
            columns=["person_id", "starts_on", "ends_on", "city"],
            conflict=["person_id", "starts_on"],
            update=["ends_on", "city"],
        )
        if unknown:
            self.held_new += _upsert_held_periods(unknown)
        return counts

    def preview_row(self, item: BenefitItem) -> dict[str, str]:
        from jixing.core.masking import mask_id_number

        return {"starts_on": item.starts_on.isoformat(), "ends_on": item.ends_on.isoformat(), "city": item.city,
                **({"id_number": mask_id_number(item.id_number), "person": _("not registered: kept aside")}
                   if item.person_id is None else {"person": _("registered")})}

    def summary_extra(self) -> dict[str, Any]:
        return {"held": self.held, "held_new": self.held_new, "held_rows": self.held_rows}
