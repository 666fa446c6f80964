"""Reference data (regions, departments, occupations, skill levels, target groups) and the
real-name registry of persons and organisations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from jixing.core import crypto
from jixing.core.access import code_within, scope_for
from jixing.core.actor import Actor, Viewer
from jixing.core.fields import EncryptedTextField
from jixing.core.masking import mask_id_number, mask_phone
from jixing.core.models import ArchivableModel, ArchivableQuerySet

from .validators import Sex, id_number_or_none, normalise_phone, parse_resident_id


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("province")
    CITY = "city", _("city")
    COUNTY = "county", _("county")


# The province this system serves. The region table holds every division of China (a
# migrant's 户籍 may be anywhere); lists of places where training, posts and budgets happen
# are Shandong's.
HOME_PROVINCE = "370000"
HOME_PREFIX = HOME_PROVINCE[:2]


class RegionQuerySet(models.QuerySet):
    def home(self) -> RegionQuerySet:
        """Shandong's divisions only."""
        return self.filter(code_within("code", HOME_PREFIX))


class Region(models.Model):
    """GB/T 2260 division of China; the code is the key so scope filters need no join."""

    code = models.CharField(_("code"), max_length=6, primary_key=True)
    name = models.CharField(_("name"), max_length=50)
    short_name = models.CharField(_("short name"), max_length=20, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices)
    kind = models.CharField(_("kind"), max_length=10, blank=True, help_text=_("市辖区 / 县级市 / 县"))
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    history = HistoricalRecords()

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name

    @property
    def city_code(self) -> str:
        return self.code[:4] + "00"

    @property
    def province_code(self) -> str:
        return self.code[:2] + "0000"


class FormerRegionCode(models.Model):
    """A GB/T 2260 code no longer current but still carried in the first six digits of resident
    ID numbers issued before it changed (e.g. 110103 崇文区, merged in 2010). Reference only: an
    ID number is valid whatever its region code (GB 11643 checks date and check digit); this
    table names where an old number was issued. Loaded from python-stdnum's ``cn/loc.dat``."""

    code = models.CharField(_("code"), max_length=6, primary_key=True)
    name = models.CharField(_("name"), max_length=50)
    years = models.CharField(_("years in use"), max_length=20, blank=True, help_text=_("e.g. [1983-2010]"))
    province = models.ForeignKey(Region, verbose_name=_("province"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["code"]
        verbose_name = _("former region code")
        verbose_name_plural = _("former region codes")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Department(models.Model):
    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=60)
    short_name = models.CharField(_("short name"), max_length=30)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self) -> str:
        return self.short_name


class Occupation(models.Model):
    """An occupation of the 职业分类大典. ``key`` is internal; the 大典 code stays blank
    until verified (reference/occupations.csv)."""

    key = models.SlugField(_("key"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=60)
    code = models.CharField(_("大典 code"), max_length=12, blank=True)
    verified = models.BooleanField(_("code verified"), default=False)
    basis = models.TextField(_("basis"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("occupation")
        verbose_name_plural = _("occupations")
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=~Q(code=""), name="occupation_code_unique_when_set")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})" if self.code else self.name


class SkillLevel(models.Model):
    """The new eight-level ladder (新八级工), 学徒工 (1) … 首席技师 (8), with the national
    five-level code where one exists (中办发〔2022〕58号 (十一))."""

    order = models.PositiveSmallIntegerField(_("order"), primary_key=True)
    name = models.CharField(_("name"), max_length=20)
    name_en = models.CharField(_("English name"), max_length=40)
    national_level = models.PositiveSmallIntegerField(_("national level"), null=True, blank=True)
    national_label = models.CharField(_("national label"), max_length=20, blank=True)
    source = models.TextField(pgettext_lazy("citation", "source"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["order"]
        verbose_name = _("skill level")
        verbose_name_plural = _("skill levels")

    def __str__(self) -> str:
        return self.name


class TargetGroup(models.Model):
    """重点群体 named in the seed (section 一(六) etc.). ``sensitive`` groups (disability,
    community correction, prisoners) are shown only with the unmask permission (B4)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    sensitive = models.BooleanField(_("sensitive"), default=False)
    excludes_subsidy = models.BooleanField(
        _("excludes subsidised training"), default=False,
        help_text=_("e.g. pensioners and full-time students are not eligible trainees."),
    )
    source = models.CharField(pgettext_lazy("citation", "source"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")
        constraints = [
            # sensitive memberships are sealed (no group key in the clear), so a group that must be
            # found by SQL (supervision R06: groups that exclude subsidised training) is not sensitive
            models.CheckConstraint(name="target_group_sensitive_not_excluding",
                                   condition=~(Q(sensitive=True) & Q(excludes_subsidy=True))),
        ]

    def __str__(self) -> str:
        return self.name


class Education(models.TextChoices):
    PRIMARY = "primary", _("primary school or below")
    JUNIOR = "junior", _("junior secondary")
    SENIOR = "senior", _("senior secondary / vocational")
    COLLEGE = "college", _("junior college")
    BACHELOR = "bachelor", _("bachelor")
    POSTGRADUATE = "postgraduate", _("postgraduate")


class EmploymentStatus(models.TextChoices):
    EMPLOYED = "employed", _("employed")
    UNEMPLOYED = "unemployed", _("registered unemployed")
    FLEXIBLE = "flexible", _("flexible employment")
    SELF_EMPLOYED = "self_employed", _("self-employed / business owner")
    STUDENT = "student", _("student")
    RETIRED = "retired", _("retired")
    UNKNOWN = "unknown", _("unknown")


class PersonQuerySet(ArchivableQuerySet):
    def visible_to(self, user: Viewer) -> PersonQuerySet:
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.person_id:
            return self.filter(pk=scope.person_id)
        q = Q(pk__in=[])
        if scope.region_prefix and not scope.department_id:
            q |= scope.region_q("current_region") | scope.region_q("household_region")
        for extend in PERSON_SCOPE_EXTENSIONS:
            q |= extend(scope)
        return self.filter(q)

    def with_id_number(self, id_number: str) -> PersonQuerySet:
        return self.filter(id_number_hash=Person.hash_id_number(id_number))


# Other apps add the persons a scope reaches through them (e.g. an institution's trainees):
# each entry maps a Scope to a Q over Person.
PERSON_SCOPE_EXTENSIONS: list[Any] = []

# Other apps attach what waited for a person's registration (held insurance rows and benefit
# periods of an ID number not registered yet): each entry is called as ``hook(persons, by)``
# inside the transaction that registers them (``person_registered``).
PERSON_REGISTERED_HOOKS: list[Any] = []


def person_registered(persons: list[Person], by: Actor | None) -> None:
    """Tell the registered hooks about newly registered persons (same transaction)."""
    if persons:
        for hook in PERSON_REGISTERED_HOOKS:
            hook(persons, by)


class Person(ArchivableModel):
    """A real-name person keyed by a resident ID number; the number and phone are stored
    encrypted and found through keyed hashes (SECURITY.md D1)."""

    id_number = EncryptedTextField(_("ID number"), purpose="id_number")
    id_number_hash = models.CharField(max_length=64, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=50, db_index=True)
    birth_date = models.DateField(_("birth date"), editable=False)
    sex = models.CharField(_("sex"), max_length=1, choices=[(Sex.MALE, _("male")), (Sex.FEMALE, _("female"))], editable=False)
    phone = EncryptedTextField(_("mobile number"), purpose="phone", blank=True, default="")
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    household_region = models.ForeignKey(
        Region, verbose_name=_("household region"), on_delete=models.PROTECT, related_name="+"
    )
    current_region = models.ForeignKey(
        Region, verbose_name=_("current region"), on_delete=models.PROTECT, related_name="+"
    )
    education = models.CharField(_("education"), max_length=20, choices=Education.choices, blank=True)
    employment_status = models.CharField(
        _("employment status"), max_length=20, choices=EmploymentStatus.choices, default=EmploymentStatus.UNKNOWN
    )
    groups: models.ManyToManyField[TargetGroup, PersonGroup] = models.ManyToManyField(
        TargetGroup, through="PersonGroup", related_name="persons", blank=True
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")

    def __str__(self) -> str:
        return f"{self.name} {self.masked_id_number}"

    @staticmethod
    def hash_id_number(value: str) -> str:
        """The blind index of a number as any door spells it (full-width, spaced …): the one
        normaliser first, so every spelling of one number finds one person."""
        return crypto.blind_index(id_number_or_none(value) or value.strip().upper(), purpose="id_number")

    @staticmethod
    def hash_phone(value: str) -> str:
        return crypto.blind_index(value, purpose="phone")

    def set_id_number(self, value: str) -> None:
        parsed = parse_resident_id(value)
        self.id_number = parsed.number
        self.id_number_hash = self.hash_id_number(parsed.number)
        self.birth_date = parsed.birth_date
        self.sex = parsed.sex

    def set_phone(self, value: str) -> None:
        phone = normalise_phone(value) if value else ""
        self.phone = phone
        self.phone_hash = self.hash_phone(phone) if phone else ""

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def birth_year(self) -> int:
        """What may stand beside a masked ID number: the masked digits are the birth date
        (docs/security.md, "Masking rule"), so month and day appear only after an unmask."""
        return self.birth_date.year
    def restriction_on(self, day: dt.date) -> PersonRestriction | None:
        """The restriction in force on ``day`` (blacklist or case decision), if any."""
        return self.restrictions.in_force_on(day).order_by("starts_on", "id").first()

    def is_blocked_on(self, day: dt.date) -> bool:
        """A blacklisted person, or one under a case decision, may not claim subsidies (seed 二(六))."""
        return self.restriction_on(day) is not None

    def age_on(self, day: dt.date) -> int:
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


class PersonGroup(ArchivableModel):
    """Membership of a target group, valid over a period, with its evidence.

    A sensitive group (disability, community correction, prisoners …) is never stored in the
    clear: such a row has no ``group`` foreign key; its group code is encrypted in
    ``sealed_group`` and a keyed hash of (person, code, start) in ``sealed_key`` keeps it unique.
    ``save()`` seals automatically; bulk writers call ``seal()`` first. The evidence text is
    encrypted for every row. Read the group with ``group_code`` / ``target_group()``.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    group = models.ForeignKey(TargetGroup, on_delete=models.PROTECT, related_name="memberships", null=True, blank=True)
    sealed_group = EncryptedTextField(_("sensitive group (encrypted)"), purpose="person_group", blank=True, default="")
    sealed_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    evidence = EncryptedTextField(pgettext_lazy("target group", "evidence"), purpose="person_group_evidence",
                                  blank=True, default="")

    class Meta:
        verbose_name = _("target-group membership")
        verbose_name_plural = _("target-group memberships")
        constraints = [
            models.UniqueConstraint(fields=["person", "group", "valid_from"], name="person_group_once_per_start"),
            models.UniqueConstraint(fields=["sealed_key"], condition=~Q(sealed_key=""), name="person_group_sealed_once"),
            models.CheckConstraint(
                name="person_group_period_ordered",
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
            ),
            models.CheckConstraint(
                name="person_group_open_or_sealed",
                condition=(Q(group__isnull=False) & Q(sealed_group="") & Q(sealed_key=""))
                | (Q(group__isnull=True) & ~Q(sealed_group="") & ~Q(sealed_key="")),
            ),
        ]

    @staticmethod
    def sealed_key_for(person_id: int, code: str, valid_from: dt.date) -> str:
        return crypto.blind_index(f"{person_id}|{code}|{valid_from.isoformat()}", purpose="person_group")

    def seal(self, groups: dict[int, TargetGroup] | None = None) -> PersonGroup:
        """Move a sensitive group out of the clear (idempotent; ``groups`` by id saves queries)."""
        if self.group_id is None:
            return self
        group = groups[self.group_id] if groups is not None else self.group
        if group is not None and group.sensitive:
            self.sealed_group = group.code
            self.sealed_key = self.sealed_key_for(self.person_id, group.code, self.valid_from)
            self.group = None
        return self

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.seal()
        super().save(*args, **kwargs)

    @property
    def is_sealed(self) -> bool:
        return self.group_id is None

    @property
    def group_code(self) -> str:
        return self.sealed_group if self.group is None else self.group.code

    def target_group(self, by_code: dict[str, TargetGroup] | None = None) -> TargetGroup:
        if self.group is not None:
            return self.group
        if by_code is not None:
            return by_code[self.sealed_group]
        return TargetGroup.objects.get(code=self.sealed_group)

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def live_memberships(person_ids: list[int]) -> list[tuple[PersonGroup, TargetGroup]]:
    """The persons' unarchived memberships with their groups, sealed ones decrypted: the one
    way readers (eligibility, subsidy rules) get group codes. Two queries."""
    groups = TargetGroup.objects.in_bulk()
    by_code = {g.code: g for g in groups.values()}
    rows = (PersonGroup.objects.filter(person_id__in=person_ids, archived_at__isnull=True)
            .only("id", "person_id", "group_id", "sealed_group", "valid_from", "valid_to"))
    return [(m, groups[m.group_id] if m.group_id is not None else by_code[m.sealed_group]) for m in rows]


class OrganisationKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("enterprise")
    VOCATIONAL_COLLEGE = "vocational_college", _("vocational college")
    TECHNICAL_SCHOOL = "technical_school", _("technical school")
    PRIVATE_INSTITUTION = "private_institution", _("private training institution")
    PUBLIC_TRAINING_BASE = "public_training_base", _("public training base")
    MASTER_STUDIO = "master_studio", _("skill master studio")
    EVALUATION_INSTITUTION = "evaluation_institution", _("evaluation institution")
    HR_SERVICE_AGENCY = "hr_service_agency", _("HR service agency")


class OrganisationStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    SUSPENDED = "suspended", _("suspended")
    BLACKLISTED = "blacklisted", _("blacklisted")


class OrganisationQuerySet(ArchivableQuerySet):
    def visible_to(self, user: Viewer) -> OrganisationQuerySet:
        """Organisations are public-sector partners: officers see their region's, an
        organisation sees itself; sector officers see the province's."""
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.organisation_id:
            return self.filter(pk=scope.organisation_id)
        if scope.region_prefix:
            return self.filter(scope.region_q("county"))
        return self.none()


class Organisation(ArchivableModel):
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=120, db_index=True)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices)
    county = models.ForeignKey(Region, verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_chain_leader = models.BooleanField(_("chain leader (链主企业)"), default=False)
    is_specialised = models.BooleanField(_("specialised and innovative (专精特新)"), default=False)
    is_single_champion = models.BooleanField(_("single champion (单项冠军)"), default=False)
    # Seed 二(二): enterprise self-evaluation is for 规模以上 enterprises; the statistics bureau's
    # yearly list of enterprises above designated size (规上企业名录) is the evidence (evaluation.rules).
    above_size_list_year = models.PositiveSmallIntegerField(
        _("latest year in the list of enterprises above designated size (规上企业)"), null=True, blank=True)
    enrolled_students = models.PositiveIntegerField(_("enrolled students"), null=True, blank=True)
    teacher_count = models.PositiveIntegerField(_("number of teachers"), default=0)
    capacity = models.PositiveIntegerField(_("training capacity (trainees at once)"), default=0)
    status = models.CharField(_("status"), max_length=20, choices=OrganisationStatus.choices, default=OrganisationStatus.ACTIVE)
    status_until = models.DateField(_("status until"), null=True, blank=True)
    status_reason = models.CharField(_("status reason"), max_length=300, blank=True)
    history = HistoricalRecords()

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                name="organisation_college_has_students",
                condition=~Q(kind__in=["vocational_college", "technical_school"]) | Q(enrolled_students__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_blocked_on(self, day: dt.date) -> bool:
        """Suspended or blacklisted organisations may not start projects or claim (seed 二(六))."""
        if self.status == OrganisationStatus.ACTIVE:
            return False
        return self.status_until is None or day <= self.status_until


class RestrictionKind(models.TextChoices):
    BLACKLIST = "blacklist", _("blacklisted (失信联合惩戒 / 黑名单)")
    CASE_DECISION = "case_decision", _("case decision in force (案件处理决定)")


class RestrictionOrigin(models.TextChoices):
    OFFICER = "officer", _("recorded by an officer")
    CASE = "case", _("measure of a supervision case")


class PersonRestrictionQuerySet(models.QuerySet):
    def in_force_on(self, day: dt.date) -> PersonRestrictionQuerySet:
        return self.filter(lifted_at__isnull=True, starts_on__lte=day).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))

    def visible_to(self, user: Viewer) -> PersonRestrictionQuerySet:
        """Restrictions of the persons the user may see (the person's scope is the row's)."""
        return self.filter(person__in=Person.objects.visible_to(user).values("pk"))


class PersonRestriction(models.Model):
    """A person barred from subsidies for a period: blacklisted, or under a decision of a
    supervision case about them (seed 二(六): 骗取补贴的 … 依法查处). Kept in the registry, below
    funds and supervision, so funds reads it without importing supervision; supervision and
    officers write it through ``registry.actions.restrict_person``."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="restrictions")
    kind = models.CharField(_("restriction"), max_length=20, choices=RestrictionKind.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    reason = models.TextField(_("reason"))
    reference = models.CharField(_("document or case number"), max_length=100, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    origin = models.CharField(_("recorded as"), max_length=10, choices=RestrictionOrigin.choices,
                              default=RestrictionOrigin.OFFICER)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    lift_reason = models.TextField(_("reason for lifting"), blank=True)

    objects = PersonRestrictionQuerySet.as_manager()

    class Meta:
        ordering = ["person_id", "starts_on", "id"]
        verbose_name = _("person restriction")
        verbose_name_plural = _("person restrictions")
        constraints = [
            models.CheckConstraint(name="restriction_ends_after_start",
                                   condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on"))),
            models.CheckConstraint(name="restriction_has_reason", condition=~Q(reason="")),
            # Lifted: when, by whom and why, all three or none.
            models.CheckConstraint(
                name="restriction_lift_complete",
                condition=(Q(lifted_at__isnull=True) & Q(lifted_by__isnull=True) & Q(lift_reason=""))
                | (Q(lifted_at__isnull=False) & Q(lifted_by__isnull=False) & ~Q(lift_reason="")),
            ),
            models.CheckConstraint(name="restriction_origin_valid", condition=Q(origin__in=["officer", "case"])),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} {self.starts_on}"

    @property
    def is_lifted(self) -> bool:
        return self.lifted_at is not None

    def in_force_on(self, day: dt.date) -> bool:
        return (self.lifted_at is None and self.starts_on <= day
                and (self.ends_on is None or day <= self.ends_on))

    def describe(self) -> str:
        """What a refusal shows: which restriction, since when, until when, by which document."""
        until = self.ends_on.isoformat() if self.ends_on else "—"
        text = f"{self.get_kind_display()} {self.starts_on.isoformat()}～{until}"
        if self.reference:
            text = f"{text} {self.reference}"
        return f"{text}：{self.reason[:80]}"
