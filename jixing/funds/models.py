"""Subsidy funds (issue 5; seed 二(五) 资金保障 and 二(六) 谁使用、谁负责).

- Budgets by fund source × year × region (province → city → county) × optional action.
- A double-entry, append-only ledger: every movement of money is a ``Posting`` whose
  ``PostingLine`` amounts sum to zero (debit positive, credit negative). Budget accounts
  (available, committed, paid, receivable, written off) are debit-normal; the treasury
  account of a fund source is credit-normal. Every account's balance on its normal side is
  ≥ 0 (a database check on the cached balance, recomputed by ``verify_ledger``).
- Versioned subsidy rule tables per city (鲁人社字〔2025〕37号 leaves the amounts to cities).
- Claims with lines (person × subsidy item × class or certificate, unique while live),
  reviewed county → city (→ province), publicly noticed, then paid exactly once.
- Payment batches and orders with idempotency keys; bank return files reconciled.
- Recovery orders (追回) for fraud found by supervision (seed 二(六)).
- Enterprises' staff education fund reports (中办发〔2022〕58号 §(十八): 60% to frontline workers).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jixing.core import crypto
from jixing.core.access import scope_for, union_prefix, within_region
from jixing.core.fields import EncryptedTextField
from jixing.core.masking import mask_bank_account
from jixing.core.models import ArchivableModel, ArchivableQuerySet, TimeStampedModel

MONEY: dict[str, Any] = {"max_digits": 16, "decimal_places": 2}
ZERO = Decimal("0.00")


class LedgerImmutable(PermissionError):
    """Raised on any attempt to change or remove a ledger row (corrections are reversals)."""


def _region_scope_q(user: Any, field: str) -> Q:
    """Q for officers' region subtree over a Region FK ``field``; organisations and persons
    are handled by the caller."""
    scope = scope_for(user)
    if scope.everything:
        return Q()
    if scope.region_prefix and not scope.department_id:
        return scope.region_q(field)
    return Q(pk__in=[])


# ====================================================================== budgets


class BudgetQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> BudgetQuerySet:
        return self.filter(_region_scope_q(user, "region"))


class Budget(TimeStampedModel):
    """Money of one fund source for one year in one region (optionally earmarked for one action).

    Its balances live in its ledger accounts; ``parent`` is the budget it was allocated from.
    """

    fund_source = models.ForeignKey("plan.FundSource", verbose_name=_("fund source"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("year"))
    region = models.ForeignKey("registry.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    action = models.ForeignKey(
        "plan.Action", verbose_name=_("action"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("allocated from"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = BudgetQuerySet.as_manager()

    class Meta:
        ordering = ["year", "region_id", "fund_source_id", "action_id"]
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        constraints = [
            models.UniqueConstraint(
                fields=["fund_source", "year", "region", "action"], condition=Q(action__isnull=False),
                name="budget_once_per_source_year_region_action",
            ),
            models.UniqueConstraint(
                fields=["fund_source", "year", "region"], condition=Q(action__isnull=True),
                name="budget_once_per_source_year_region",
            ),
            models.CheckConstraint(name="budget_year_range", condition=Q(year__gte=2000) & Q(year__lte=2100)),
        ]

    def __str__(self) -> str:
        label = f"{self.year} {self.region} {self.fund_source}"
        if self.action_id:
            label += f" · {self.action}"
        return label

    def balance(self, kind: str) -> Decimal:
        for account in self.accounts.all():
            if account.kind == kind:
                return account.balance
        return ZERO


class Allocation(TimeStampedModel):
    """Money moved into a budget: from the treasury (``source`` empty: an appropriation) or
    from the parent budget (allocation down the region tree)."""

    source = models.ForeignKey(
        Budget, verbose_name=_("from budget"), null=True, blank=True, on_delete=models.PROTECT, related_name="allocations_out"
    )
    target = models.ForeignKey(Budget, verbose_name=_("to budget"), on_delete=models.PROTECT, related_name="allocations_in")
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    document = models.CharField(_("document number"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [models.CheckConstraint(name="allocation_amount_positive", condition=Q(amount__gt=0))]

    def __str__(self) -> str:
        return f"{self.source or _('treasury')} → {self.target}: {self.amount}"


# ====================================================================== ledger


class AccountKind(models.TextChoices):
    TREASURY = "treasury", _("treasury funding")
    AVAILABLE = "available", _("available")
    COMMITTED = "committed", _("committed")
    PAID = "paid", _("paid")
    RECEIVABLE = "receivable", _("recovery receivable")
    WRITTEN_OFF = "written_off", _("written off")


BUDGET_ACCOUNT_KINDS = (
    AccountKind.AVAILABLE, AccountKind.COMMITTED, AccountKind.PAID, AccountKind.RECEIVABLE, AccountKind.WRITTEN_OFF,
)
CREDIT_NORMAL_KINDS = frozenset({AccountKind.TREASURY})


class Account(models.Model):
    """A ledger account. ``balance`` is the balance on the account's normal side, kept in step
    with its lines by ``ledger.post`` under a row lock; it may never go below zero."""

    kind = models.CharField(_("kind"), max_length=20, choices=AccountKind.choices)
    budget = models.ForeignKey(Budget, null=True, blank=True, on_delete=models.PROTECT, related_name="accounts")
    fund_source = models.ForeignKey("plan.FundSource", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    balance = models.DecimalField(_("balance"), default=ZERO, **MONEY)

    class Meta:
        ordering = ["id"]
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            models.UniqueConstraint(fields=["budget", "kind"], condition=Q(budget__isnull=False), name="account_once_per_budget_kind"),
            models.UniqueConstraint(
                fields=["fund_source"], condition=Q(kind="treasury"), name="account_one_treasury_per_source"
            ),
            models.CheckConstraint(name="account_balance_not_negative", condition=Q(balance__gte=0)),
            models.CheckConstraint(
                name="account_owner_matches_kind",
                condition=(Q(kind="treasury") & Q(budget__isnull=True) & Q(fund_source__isnull=False))
                | (~Q(kind="treasury") & Q(budget__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        owner = self.budget if self.budget_id else self.fund_source
        return f"{owner} · {self.get_kind_display()}"

    @property
    def sign(self) -> int:
        """+1 if a debit raises the balance, -1 if a credit does."""
        return -1 if self.kind in CREDIT_NORMAL_KINDS else 1


class PostingKind(models.TextChoices):
    APPROPRIATION = "appropriation", _("appropriation from the treasury")
    ALLOCATION = "allocation", _("allocation to a lower region")
    COMMITMENT = "commitment", _("commitment for an approved claim")
    RELEASE = "release", _("release of a commitment")
    PAYMENT = "payment", _("payment")
    PAYMENT_FAILED = "payment_failed", _("failed payment returned")
    RECOVERY_RAISED = "recovery_raised", _("recovery raised")
    RECOVERY_RECEIVED = "recovery_received", _("recovered money received")
    RECOVERY_WRITTEN_OFF = "recovery_written_off", _("recovery written off")
    REVERSAL = "reversal", _("reversal")


class ReferenceType(models.TextChoices):
    ALLOCATION = "allocation", _("allocation")
    CLAIM = "claim", _("claim")
    PAYMENT_ORDER = "payment_order", _("payment order")
    RECOVERY_ORDER = "recovery_order", _("recovery order")
    RECOVERY_INSTALMENT = "recovery_instalment", _("recovery instalment")
    POSTING = "posting", _("posting")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        raise LedgerImmutable("Ledger rows are append-only; post a reversal instead.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise LedgerImmutable("Ledger rows are append-only; post a reversal instead.")


class AppendOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise LedgerImmutable("Ledger rows are append-only; post a reversal instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise LedgerImmutable("Ledger rows are append-only; post a reversal instead.")


class PostingQuerySet(AppendOnlyQuerySet):
    def visible_to(self, user: Any) -> PostingQuerySet:
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.region_prefix and not scope.department_id:
            return self.filter(scope.region_q("lines__account__budget__region")).distinct()
        return self.none()


class Posting(AppendOnlyModel):
    """One balanced movement of money. Lines sum to zero (checked in ``ledger.post`` and, on
    PostgreSQL, by a deferred constraint trigger at commit); rows are never updated or deleted."""

    kind = models.CharField(_("kind"), max_length=30, choices=PostingKind.choices)
    reference_type = models.CharField(_("caused by"), max_length=30, choices=ReferenceType.choices)
    reference_id = models.CharField(_("reference"), max_length=40)
    reverses = models.OneToOneField(
        "self", verbose_name=_("reverses"), null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    posted_at = models.DateTimeField(_("posted at"), auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    objects = PostingQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        indexes = [models.Index(fields=["reference_type", "reference_id"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} ({self.get_reference_type_display()} {self.reference_id})"


class PostingLine(AppendOnlyModel):
    posting = models.ForeignKey(Posting, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    amount = models.DecimalField(_("amount (debit +, credit −)"), **MONEY)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("posting line")
        verbose_name_plural = _("posting lines")
        constraints = [models.CheckConstraint(name="posting_line_not_zero", condition=~Q(amount=0))]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.amount}"


# ====================================================================== subsidy rules


class SubsidyItem(models.TextChoices):
    VOCATIONAL_TRAINING = "vocational_training", _("vocational training subsidy (职业培训补贴)")
    SKILL_UPGRADE = "skill_upgrade", _("skill upgrading subsidy (技能提升补贴)")
    APPRENTICESHIP = "apprenticeship", _("new enterprise apprenticeship subsidy (企业新型学徒制补贴)")
    ENTREPRENEURSHIP = "entrepreneurship", _("entrepreneurship training subsidy (创业培训补贴)")
    LIVING_ALLOWANCE = "living_allowance", _("living allowance (生活费补贴)")
    EDUCATION = "education", _("education subsidy (求学圆梦)")
    EVALUATION = "evaluation", _("skill evaluation subsidy (技能评价补贴)")


class PayeeKind(models.TextChoices):
    INSTITUTION = "institution", _("training institution")
    ENTERPRISE = "enterprise", _("enterprise")
    PERSON = "person", pgettext_lazy("party kind", "person")


class CertificateType(models.TextChoices):
    SKILL_LEVEL = "skill_level", _("vocational skill level certificate (职业技能等级证书)")
    SPECIAL_ABILITY = "special_ability", _("special vocational ability certificate (专项职业能力证书)")
    TRAINING = "training", _("training completion certificate (培训合格证明)")


class UpliftKind(models.TextChoices):
    SHORTAGE = "shortage", _("occupation on the city's shortage list")
    TARGET_GROUP = "target_group", _("target group")
    EMPLOYED_6M = "employed_6m", _("employed within 6 months of finishing")


class RuleTableQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> RuleTableQuerySet:
        # Subsidy standards are published policy: every signed-in user may read them.
        if getattr(user, "is_authenticated", False):
            return self
        return self.none()


class InsuranceMonthsRule(TimeStampedModel):
    """技能提升补贴: months of unemployment-insurance contributions required on the certificate's
    issue date, from ``valid_from`` on, for one city (blank: the national rule every city follows
    unless it has its own row). Rows are added, never edited: the history stays."""

    city = models.CharField(_("city code (blank: national)"), max_length=4, blank=True, default="")
    valid_from = models.DateField(_("valid from"))
    months = models.PositiveSmallIntegerField(_("months required"))
    basis = models.CharField(_("basis (document)"), max_length=200)
    verified = models.BooleanField(_("source text verified"), default=False)

    class Meta:
        ordering = ["city", "valid_from"]
        verbose_name = _("unemployment-insurance months rule")
        verbose_name_plural = _("unemployment-insurance months rules")
        constraints = [models.UniqueConstraint(fields=["city", "valid_from"], name="insurance_months_rule_once")]

    def __str__(self) -> str:
        return f"{self.city or '全国'} {self.valid_from} {self.months}"


class SubsidyRuleTable(TimeStampedModel):
    """One dated version of a city's subsidy standards (鲁人社字〔2025〕37号: 各市 set amounts).

    A version is valid from ``valid_from`` until the next version's ``valid_from``. Once a
    claim line has used it (``first_used_at``), it is never edited: publish a new version.
    """

    city = models.ForeignKey("registry.Region", verbose_name=_("city"), on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(_("version"))
    valid_from = models.DateField(_("valid from"))
    name = models.CharField(_("name"), max_length=150)
    basis = models.CharField(_("basis (document)"), max_length=200, blank=True)
    public_notice_days = models.PositiveSmallIntegerField(_("public notice days (公示)"), default=7)
    # 求学圆梦 (trade-union notices 2025, docs/education_subsidy.md): persons newly enrolled on or
    # after this day are funded; the amount is the EDUCATION rate, capped at tuition only if set.
    education_enrolled_from = models.DateField(
        _("求学圆梦: enrolled on or after"), default=dt.date(2024, 9, 1),
        help_text=_("Newly enrolled students from this day are funded (2024-09-01 in the 2025 notices)."),
    )
    education_tuition_cap = models.BooleanField(
        _("求学圆梦: cap at the tuition paid"), default=False,
        help_text=_("The 2025 notices pay a fixed amount; tick only if the city's rules cap it at the tuition."),
    )
    # Issue 13 (money counts evidence): declared attendance (roll-call, unsigned uploads) counts
    # towards a claim line's rate for at most this share of the class's sessions; beyond it the
    # sessions need a clean spot check. 20 % is an assumption (docs/rules/attendance_evidence.md).
    declared_attendance_share = models.DecimalField(
        _("declared attendance share"), max_digits=4, decimal_places=3, default=Decimal("0.200"),
        help_text=_("Share of a class's sessions for which declared (not system-captured) attendance counts."),
    )
    shortage_occupations = models.ManyToManyField(
        "registry.Occupation", verbose_name=_("shortage occupations (紧缺职业)"), blank=True, related_name="+"
    )
    first_used_at = models.DateTimeField(_("first used at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = RuleTableQuerySet.as_manager()

    class Meta:
        ordering = ["city_id", "-valid_from"]
        verbose_name = _("subsidy rule table")
        verbose_name_plural = _("subsidy rule tables")
        constraints = [
            models.UniqueConstraint(fields=["city", "version"], name="rule_table_version_once_per_city"),
            models.UniqueConstraint(fields=["city", "valid_from"], name="rule_table_start_once_per_city"),
            models.CheckConstraint(name="rule_table_notice_days_range", condition=Q(public_notice_days__lte=60)),
            models.CheckConstraint(name="rule_table_declared_share_range",
                                   condition=Q(declared_attendance_share__gte=0) & Q(declared_attendance_share__lte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.city} v{self.version} ({self.valid_from:%Y-%m-%d})"

    @property
    def is_used(self) -> bool:
        return self.first_used_at is not None

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Safety net under the actions: a used version is frozen (only first_used_at is set once).
        if not self._state.adding and self.pk:
            stored = type(self).objects.filter(pk=self.pk).values_list("first_used_at", flat=True).first()
            if stored is not None:
                raise PermissionError("This rule version has been used by claims; publish a new version instead.")
        super().save(*args, **kwargs)


class _FrozenWhenTableUsed(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._table_used():
            raise PermissionError("This rule version has been used by claims; publish a new version instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self._table_used():
            raise PermissionError("This rule version has been used by claims; publish a new version instead.")
        return super().delete(*args, **kwargs)

    def _table_used(self) -> bool:
        return SubsidyRuleTable.objects.filter(pk=self.table_id, first_used_at__isnull=False).exists()  # type: ignore[attr-defined]


class SubsidyRate(_FrozenWhenTableUsed):
    """A base amount. Blank criteria match anything; the most specific matching row wins."""

    table = models.ForeignKey(SubsidyRuleTable, on_delete=models.CASCADE, related_name="rates")
    item = models.CharField(_("subsidy item"), max_length=30, choices=SubsidyItem.choices)
    payee_kind = models.CharField(_("payee"), max_length=20, choices=PayeeKind.choices, blank=True)
    certificate_type = models.CharField(_("certificate type"), max_length=20, choices=CertificateType.choices, blank=True)
    level = models.ForeignKey("registry.SkillLevel", verbose_name=_("skill level"), null=True, blank=True, on_delete=models.PROTECT)
    occupation = models.ForeignKey(
        "registry.Occupation", verbose_name=_("occupation"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target_group = models.ForeignKey(
        "registry.TargetGroup", verbose_name=_("target group"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(_("amount (yuan per person)"), **MONEY)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["table_id", "item", "id"]
        verbose_name = _("subsidy rate")
        verbose_name_plural = _("subsidy rates")
        constraints = [models.CheckConstraint(name="rate_amount_not_negative", condition=Q(amount__gte=0))]

    def __str__(self) -> str:
        return f"{self.get_item_display()} {self.amount}"


class SubsidyUplift(_FrozenWhenTableUsed):
    """An uplift on the base amount: a percentage and/or a fixed amount."""

    table = models.ForeignKey(SubsidyRuleTable, on_delete=models.CASCADE, related_name="uplifts")
    kind = models.CharField(_("kind"), max_length=20, choices=UpliftKind.choices)
    item = models.CharField(_("subsidy item"), max_length=30, choices=SubsidyItem.choices, blank=True)
    target_group = models.ForeignKey(
        "registry.TargetGroup", verbose_name=_("target group"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    percent = models.DecimalField(_("percent of base"), max_digits=5, decimal_places=2, default=Decimal("0"))
    fixed_amount = models.DecimalField(_("fixed amount (yuan)"), default=ZERO, **MONEY)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["table_id", "kind", "id"]
        verbose_name = _("subsidy uplift")
        verbose_name_plural = _("subsidy uplifts")
        constraints = [
            models.CheckConstraint(
                name="uplift_values_range",
                condition=Q(percent__gte=0) & Q(percent__lte=200) & Q(fixed_amount__gte=0),
            ),
            models.CheckConstraint(
                name="uplift_group_when_group_kind",
                condition=~Q(kind="target_group") | Q(target_group__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} +{self.percent}% +{self.fixed_amount}"


# ====================================================================== payees


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


# ====================================================================== studies (求学圆梦)


class StudyLevel(models.TextChoices):
    COLLEGE = "college", _("junior college (专科)")
    BACHELOR = "bachelor", _("bachelor's degree (本科)")


class StudyMode(models.TextChoices):
    ADULT_EXAM = "adult_exam", _("adult college entrance exam (成人高考)")
    OPEN_UNIVERSITY = "open_university", _("open university (开放教育)")
    SELF_STUDY = "self_study", _("self-study exam (自学考试)")
    ONLINE = "online", _("online education (网络教育)")


class StudyRecordQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> StudyRecordQuerySet:
        union = union_prefix(user)
        if union is not None:
            return self.filter(within_region("person__current_region", union))
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.person_id:
            return self.filter(person_id=scope.person_id)
        if scope.region_prefix and not scope.department_id:
            return self.filter(scope.region_q("person__current_region"))
        return self.none()


class StudyRecord(TimeStampedModel):
    """A frontline worker's academic study (学历提升), the ground of a 求学圆梦 claim
    (鲁人社字〔2025〕87号: 每年补贴不少于1万名一线职工（含农民工）学历与能力提升). A person records
    their own, with the 学信网 学籍在线验证报告 that proves enrolment; the claim is judged on the
    enrolment date, the employer and post, and the contributions (docs/education_subsidy.md)."""

    person = models.ForeignKey(
        "registry.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="study_records"
    )
    school = models.CharField(_("school"), max_length=120)
    programme = models.CharField(_("programme (专业)"), max_length=120)
    level = models.CharField(pgettext_lazy("study", "level"), max_length=20, choices=StudyLevel.choices)
    mode = models.CharField(_("study mode"), max_length=20, choices=StudyMode.choices)
    student_number = models.CharField(_("student number"), max_length=40, blank=True)
    enrolled_on = models.DateField(_("enrolled on"))
    graduated_on = models.DateField(_("graduated on"), null=True, blank=True)
    tuition_paid = models.DecimalField(_("tuition paid (yuan)"), **MONEY)
    employer = models.ForeignKey(
        "registry.Organisation", verbose_name=_("employer"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    frontline_post = models.CharField(_("frontline post (一线岗位)"), max_length=60, blank=True)
    chsi_report_number = models.CharField(_("学信网 enrolment verification report number"), max_length=20, blank=True)
    chsi_verification_code = models.CharField(_("学信网 online verification code"), max_length=16, blank=True)
    evidence_note = models.CharField(_("evidence note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = StudyRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-enrolled_on", "-id"]
        verbose_name = _("study record")
        verbose_name_plural = _("study records")
        constraints = [
            models.UniqueConstraint(fields=["person", "school", "programme", "level"], name="study_record_once_per_programme"),
            models.CheckConstraint(name="study_record_tuition_not_negative", condition=Q(tuition_paid__gte=0)),
            models.CheckConstraint(
                name="study_record_graduated_after_enrolled",
                condition=Q(graduated_on__isnull=True) | Q(graduated_on__gte=models.F("enrolled_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} · {self.programme} ({self.get_level_display()})"


# ====================================================================== claims


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted, awaiting county review")
    COUNTY_REVIEWED = "county_reviewed", _("county reviewed, awaiting city approval")
    CITY_APPROVED = "city_approved", _("city approved, awaiting province approval")
    PUBLIC_NOTICE = "public_notice", _("in public notice (公示)")
    PAYABLE = "payable", _("payable")
    PAYING = "paying", _("payment order issued")
    PAID = "paid", _("paid")
    RETURNED = "returned", _("returned for changes")
    REJECTED = "rejected", pgettext_lazy("claim status", "rejected")
    CANCELLED = "cancelled", pgettext_lazy("claim status", "withdrawn")


# Statuses in which the claim's amount is committed in its budget.
COMMITTED_STATUSES = frozenset({
    ClaimStatus.CITY_APPROVED, ClaimStatus.PUBLIC_NOTICE, ClaimStatus.PAYABLE, ClaimStatus.PAYING,
})
REVIEW_STATUSES = frozenset({ClaimStatus.SUBMITTED, ClaimStatus.COUNTY_REVIEWED, ClaimStatus.CITY_APPROVED})


class ClaimQuerySet(ArchivableQuerySet):
    def visible_to(self, user: Any) -> ClaimQuerySet:
        union = union_prefix(user)
        if union is not None:  # the trade union reviews the 求学圆梦 claims of its region
            return self.filter(within_region("county", union), subsidy_item=SubsidyItem.EDUCATION)
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.organisation_id:
            return self.filter(organisation_id=scope.organisation_id)
        if scope.person_id:
            return self.filter(Q(person_id=scope.person_id) | Q(lines__person_id=scope.person_id)).distinct()
        if scope.department_id:
            q = Q(action__number__in=scope.action_numbers)
            if scope.region_prefix and scope.region_prefix != "37":
                q &= scope.region_q("county")
            return self.filter(q)
        if scope.region_prefix:
            return self.filter(scope.region_q("county"))
        return self.none()


class Claim(ArchivableModel):
    """A subsidy claim by an institution or enterprise (for its completed trainees) or by a
    person (技能提升补贴 for their own certificate, 求学圆梦 for their own study). Amounts come only from the rule engine."""

    number = models.CharField(_("claim number"), max_length=30, unique=True)
    subsidy_item = models.CharField(_("subsidy item"), max_length=30, choices=SubsidyItem.choices)
    payee_kind = models.CharField(_("payee"), max_length=20, choices=PayeeKind.choices)
    organisation = models.ForeignKey(
        "registry.Organisation", verbose_name=_("claimant organisation"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="subsidy_claims",
    )
    person = models.ForeignKey(
        "registry.Person", verbose_name=_("claimant person"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="subsidy_claims",
    )
    project = models.ForeignKey(
        "training.TrainingProject", verbose_name=_("training project"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="subsidy_claims",
    )
    county = models.ForeignKey("registry.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")
    fund_source = models.ForeignKey("plan.FundSource", verbose_name=_("fund source"), on_delete=models.PROTECT)
    action = models.ForeignKey("plan.Action", verbose_name=_("action"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    rule_table = models.ForeignKey(SubsidyRuleTable, verbose_name=_("rule version"), on_delete=models.PROTECT, related_name="claims")
    amount = models.DecimalField(_("amount (yuan)"), default=ZERO, **MONEY)
    status = models.CharField(_("status"), max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT)
    requires_province = models.BooleanField(_("needs province approval"), default=False)
    payee_account = models.ForeignKey(
        PayeeAccount, verbose_name=_("payee bank account"), null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    budget = models.ForeignKey(Budget, verbose_name=_("budget"), null=True, blank=True, on_delete=models.PROTECT, related_name="claims")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    county_reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    county_reviewed_at = models.DateTimeField(null=True, blank=True)
    city_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    city_approved_at = models.DateTimeField(null=True, blank=True)
    province_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    province_approved_at = models.DateTimeField(null=True, blank=True)
    notice_starts_on = models.DateField(_("public notice from"), null=True, blank=True)
    notice_ends_on = models.DateField(_("public notice until"), null=True, blank=True)
    last_reason = models.TextField(_("last return or rejection reason"), blank=True)

    objects = ClaimQuerySet.as_manager()

    TRANSITIONS = {
        (ClaimStatus.DRAFT, ClaimStatus.SUBMITTED),
        (ClaimStatus.RETURNED, ClaimStatus.SUBMITTED),
        (ClaimStatus.DRAFT, ClaimStatus.CANCELLED),
        (ClaimStatus.RETURNED, ClaimStatus.CANCELLED),
        (ClaimStatus.SUBMITTED, ClaimStatus.COUNTY_REVIEWED),
        (ClaimStatus.SUBMITTED, ClaimStatus.RETURNED),
        (ClaimStatus.SUBMITTED, ClaimStatus.REJECTED),
        (ClaimStatus.COUNTY_REVIEWED, ClaimStatus.CITY_APPROVED),
        (ClaimStatus.COUNTY_REVIEWED, ClaimStatus.PUBLIC_NOTICE),
        (ClaimStatus.COUNTY_REVIEWED, ClaimStatus.RETURNED),
        (ClaimStatus.COUNTY_REVIEWED, ClaimStatus.REJECTED),
        (ClaimStatus.CITY_APPROVED, ClaimStatus.PUBLIC_NOTICE),
        (ClaimStatus.CITY_APPROVED, ClaimStatus.RETURNED),
        (ClaimStatus.CITY_APPROVED, ClaimStatus.REJECTED),
        (ClaimStatus.PUBLIC_NOTICE, ClaimStatus.PAYABLE),
        (ClaimStatus.PUBLIC_NOTICE, ClaimStatus.REJECTED),
        (ClaimStatus.PAYABLE, ClaimStatus.PAYING),
        (ClaimStatus.PAYING, ClaimStatus.PAID),
        (ClaimStatus.PAYING, ClaimStatus.PAYABLE),
    }

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("subsidy claim")
        verbose_name_plural = _("subsidy claims")
        constraints = [
            models.CheckConstraint(name="living_allowance_paid_to_the_person",
                                   condition=~Q(subsidy_item="living_allowance") | Q(payee_kind="person")),
            models.CheckConstraint(
                name="claim_has_one_claimant",
                condition=(Q(organisation__isnull=False) & Q(person__isnull=True))
                | (Q(organisation__isnull=True) & Q(person__isnull=False)),
            ),
            models.CheckConstraint(name="claim_amount_not_negative", condition=Q(amount__gte=0)),
            models.CheckConstraint(
                name="claim_committed_has_budget",
                condition=~Q(status__in=["city_approved", "paid", "payable", "paying", "public_notice"]) | Q(budget__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["status", "county"])]

    def __str__(self) -> str:
        return f"{self.number} {self.get_subsidy_item_display()}"

    @property
    def claimant(self) -> Any:
        return self.organisation if self.organisation_id else self.person

    @property
    def is_editable(self) -> bool:
        return self.status in (ClaimStatus.DRAFT, ClaimStatus.RETURNED)


class LineStatus(models.TextChoices):
    LIVE = "live", _("included")
    EXCLUDED = "excluded", _("excluded")


class ClaimLineQuerySet(models.QuerySet):
    def live(self) -> ClaimLineQuerySet:
        return self.filter(status=LineStatus.LIVE)

    def visible_to(self, user: Any) -> ClaimLineQuerySet:
        scope = scope_for(user)
        if scope.person_id:
            return self.filter(person_id=scope.person_id)
        return self.filter(claim__in=Claim.objects.visible_to(user))


class ClaimLine(TimeStampedModel):
    """One person's subsidy in a claim, with the rule engine's reasoning and the checks run.

    A person may be claimed for once per subsidy item and class (or certificate), across
    every fund source, while the line is live (SECURITY.md G2).
    """

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="lines")
    person = models.ForeignKey("registry.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="subsidy_lines")
    subsidy_item = models.CharField(_("subsidy item"), max_length=30, choices=SubsidyItem.choices)
    enrollment = models.ForeignKey(
        "training.Enrollment", verbose_name=_("enrollment"), null=True, blank=True, on_delete=models.PROTECT, related_name="subsidy_lines"
    )
    training_class = models.ForeignKey(
        "training.TrainingClass", verbose_name=_("class"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    certificate = models.ForeignKey(
        "evaluation.Certificate", verbose_name=_("certificate"), null=True, blank=True, on_delete=models.PROTECT, related_name="subsidy_lines"
    )
    outside_certificate = models.ForeignKey(
        "evaluation.OutsideCertificate", verbose_name=_("certificate from the national register"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="subsidy_lines",
    )
    # 技能提升补贴: months of unemployment insurance found on the certificate date (shown to reviewers)
    insured_months = models.PositiveSmallIntegerField(_("unemployment-insurance months found"), null=True, blank=True)
    study = models.ForeignKey(
        StudyRecord, verbose_name=_("study record"), null=True, blank=True, on_delete=models.PROTECT, related_name="subsidy_lines"
    )
    # 求学圆梦 is paid once per person per 学历层次 (专科/本科): copied from the study record so a
    # database constraint can hold it across every study record and claim.
    study_level = models.CharField(pgettext_lazy("study", "level"), max_length=20, choices=StudyLevel.choices, blank=True)
    occupation = models.ForeignKey("registry.Occupation", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey("registry.SkillLevel", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("subsidy year"))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    reasons = models.JSONField(_("how the amount was computed"), default=list)
    checks = models.JSONField(_("checks"), default=list)
    employed_within_6_months = models.BooleanField(_("employed within 6 months"), null=True, blank=True)
    rule_table = models.ForeignKey(
        SubsidyRuleTable, verbose_name=_("rule version"), null=True, blank=True, on_delete=models.PROTECT, related_name="lines"
    )
    status = models.CharField(_("status"), max_length=10, choices=LineStatus.choices, default=LineStatus.LIVE)
    excluded_reason = models.CharField(_("exclusion reason"), max_length=300, blank=True)

    objects = ClaimLineQuerySet.as_manager()

    class Meta:
        ordering = ["claim_id", "id"]
        verbose_name = _("claim line")
        verbose_name_plural = _("claim lines")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "subsidy_item", "training_class"],
                condition=Q(status="live") & Q(training_class__isnull=False),
                name="claim_line_once_per_person_item_class",
            ),
            models.UniqueConstraint(
                fields=["person", "subsidy_item", "certificate"],
                condition=Q(status="live") & Q(certificate__isnull=False),
                name="claim_line_once_per_person_item_certificate",
            ),
            models.UniqueConstraint(
                fields=["person", "subsidy_item", "outside_certificate"],
                condition=Q(status="live") & Q(outside_certificate__isnull=False),
                name="claim_line_once_per_person_item_outside_certificate",
            ),
            # A study record is claimed once for 求学圆梦 while the line is live, under any fund.
            models.UniqueConstraint(
                fields=["study", "subsidy_item"], condition=Q(status="live") & Q(study__isnull=False),
                name="claim_line_once_per_study_item",
            ),
            models.UniqueConstraint(
                fields=["person", "subsidy_item", "study_level"], condition=Q(status="live") & ~Q(study_level=""),
                name="claim_line_once_per_person_study_level",
            ),
            models.CheckConstraint(
                name="claim_line_study_level_with_study", condition=Q(study_level="") | Q(study__isnull=False),
            ),
            models.CheckConstraint(name="claim_line_amount_not_negative", condition=Q(amount__gte=0)),
            models.CheckConstraint(
                name="claim_line_has_class_certificate_or_study",
                condition=Q(training_class__isnull=False) | Q(certificate__isnull=False) | Q(study__isnull=False)
                | Q(outside_certificate__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["person", "year"])]

    def __str__(self) -> str:
        return f"{self.claim.number} · {self.person.name} · {self.amount}"


class RiskApproval(models.Model):
    """A claim decided (county review, city or province approval) while a high-severity
    supervision finding touching it was open: the reviewer's written reason and what was open."""

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="risk_approvals")
    stage = models.CharField(_("stage"), max_length=20, choices=ClaimStatus.choices)
    reason = models.TextField(_("reason"))
    high_findings = models.PositiveIntegerField(_("open high-severity findings"))
    risks = models.JSONField(_("open risks at the time"), default=list)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("approval despite open risk")
        verbose_name_plural = _("approvals despite open risk")
        constraints = [models.CheckConstraint(name="risk_approval_has_reason", condition=~Q(reason=""))]

    def __str__(self) -> str:
        return f"{self.claim_id} {self.stage}"


# ====================================================================== payments


class BatchStatus(models.TextChoices):
    OPEN = "open", _("open")
    EXPORTED = "exported", _("bank file exported")
    RECONCILED = "reconciled", _("reconciled")
    MISMATCH = "mismatch", _("reconciliation mismatch")


class PaymentBatchQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> PaymentBatchQuerySet:
        return self.filter(_region_scope_q(user, "region"))


class PaymentBatch(TimeStampedModel):
    number = models.CharField(_("batch number"), max_length=30, unique=True)
    region = models.ForeignKey("registry.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=BatchStatus.choices, default=BatchStatus.OPEN)
    total_amount = models.DecimalField(_("total (yuan)"), default=ZERO, **MONEY)
    order_count = models.PositiveIntegerField(_("orders"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    exported_at = models.DateTimeField(_("exported at"), null=True, blank=True)
    exported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    file_sha256 = models.CharField(_("bank file SHA-256"), max_length=64, blank=True)
    # The caller's key for creating this batch: the same key again returns this batch.
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, unique=True, null=True, blank=True)

    objects = PaymentBatchQuerySet.as_manager()

    TRANSITIONS = {
        (BatchStatus.OPEN, BatchStatus.EXPORTED),
        (BatchStatus.EXPORTED, BatchStatus.RECONCILED),
        (BatchStatus.EXPORTED, BatchStatus.MISMATCH),
        (BatchStatus.MISMATCH, BatchStatus.RECONCILED),
    }

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("payment batch")
        verbose_name_plural = _("payment batches")
        constraints = [models.CheckConstraint(name="batch_total_not_negative", condition=Q(total_amount__gte=0))]

    def __str__(self) -> str:
        return self.number


class OrderStatus(models.TextChoices):
    ISSUED = "issued", _("issued")
    SUCCEEDED = "succeeded", _("paid by the bank")
    FAILED = "failed", _("failed")


class PaymentOrderQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> PaymentOrderQuerySet:
        return self.filter(claim__in=Claim.objects.visible_to(user))


class PaymentOrder(TimeStampedModel):
    """One payment of one claim. The idempotency key makes a retried request return the same
    order; a live (issued or succeeded) order per claim is unique in the database (G2)."""

    number = models.CharField(_("order number"), max_length=30, unique=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, unique=True)
    batch = models.ForeignKey(PaymentBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="payment_orders")
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    payee_name = models.CharField(_("payee"), max_length=120)
    payee_account = models.ForeignKey(PayeeAccount, on_delete=models.PROTECT, related_name="payment_orders")
    status = models.CharField(_("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.ISSUED)
    posting = models.OneToOneField(Posting, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    failure_posting = models.OneToOneField(Posting, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    bank_reference = models.CharField(_("bank reference"), max_length=64, blank=True)
    returned_at = models.DateTimeField(_("bank result at"), null=True, blank=True)
    failure_reason = models.CharField(_("failure reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = PaymentOrderQuerySet.as_manager()

    TRANSITIONS = {
        (OrderStatus.ISSUED, OrderStatus.SUCCEEDED),
        (OrderStatus.ISSUED, OrderStatus.FAILED),
    }

    class Meta:
        ordering = ["id"]
        verbose_name = _("payment order")
        verbose_name_plural = _("payment orders")
        constraints = [
            models.UniqueConstraint(
                fields=["claim"], condition=Q(status__in=["issued", "succeeded"]), name="payment_order_one_live_per_claim"
            ),
            models.CheckConstraint(name="payment_order_amount_positive", condition=Q(amount__gt=0)),
        ]

    def __str__(self) -> str:
        return self.number


class BankReturn(TimeStampedModel):
    """One bank return file read against a batch (G5). The same file twice is read once."""

    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="returns")
    file_name = models.CharField(_("file"), max_length=200)
    file_sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    matched = models.PositiveIntegerField(_("matched"), default=0)
    issue_count = models.PositiveIntegerField(_("mismatches"), default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("bank return file")
        verbose_name_plural = _("bank return files")
        constraints = [models.UniqueConstraint(fields=["batch", "file_sha256"], name="bank_return_once_per_file")]


class IssueKind(models.TextChoices):
    UNKNOWN_ORDER = "unknown_order", _("unknown order")
    DUPLICATE_ORDER = "duplicate_order", _("duplicate order")
    AMOUNT_DIFFERS = "amount_differs", _("amount differs")
    FAILED_PAYMENT = "failed_payment", _("failed payment")
    BAD_ROW = "bad_row", _("unreadable row")


class ReconciliationIssueQuerySet(models.QuerySet):
    def open(self) -> ReconciliationIssueQuerySet:
        return self.filter(resolved_at__isnull=True)

    def visible_to(self, user: Any) -> ReconciliationIssueQuerySet:
        return self.filter(batch__in=PaymentBatch.objects.visible_to(user))


class ReconciliationIssue(TimeStampedModel):
    """A mismatch between a batch and the bank's return file; an open one blocks the next batch."""

    bank_return = models.ForeignKey(BankReturn, on_delete=models.PROTECT, related_name="issues")
    batch = models.ForeignKey(PaymentBatch, on_delete=models.PROTECT, related_name="issues")
    kind = models.CharField(_("kind"), max_length=20, choices=IssueKind.choices)
    row_number = models.PositiveIntegerField(_("row"))
    order = models.ForeignKey(PaymentOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="issues")
    order_number = models.CharField(_("order number in file"), max_length=60, blank=True)
    expected_amount = models.DecimalField(_("expected amount"), null=True, blank=True, **MONEY)
    returned_amount = models.DecimalField(_("amount in file"), null=True, blank=True, **MONEY)
    detail = models.CharField(_("detail"), max_length=300)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    resolution = models.CharField(_("resolution"), max_length=300, blank=True)

    objects = ReconciliationIssueQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("reconciliation issue")
        verbose_name_plural = _("reconciliation issues")


# ====================================================================== recoveries


class RecoveryStatus(models.TextChoices):
    OPEN = "open", _("open")
    PARTIALLY_RECEIVED = "partially_received", _("partially received")
    RECEIVED = "received", _("received")
    OVERDUE = "overdue", _("overdue")
    WRITTEN_OFF = "written_off", _("written off")


OPEN_RECOVERY_STATUSES = frozenset({RecoveryStatus.OPEN, RecoveryStatus.PARTIALLY_RECEIVED, RecoveryStatus.OVERDUE})


class RecoveryOrderQuerySet(ArchivableQuerySet):
    def visible_to(self, user: Any) -> RecoveryOrderQuerySet:
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.organisation_id:
            return self.filter(payer_organisation_id=scope.organisation_id)
        if scope.person_id:
            return self.filter(payer_person_id=scope.person_id)
        if scope.region_prefix and not scope.department_id:
            return self.filter(scope.region_q("county"))
        return self.none()

    def outstanding(self) -> RecoveryOrderQuerySet:
        return self.filter(status__in=list(OPEN_RECOVERY_STATUSES))

    def overdue_on(self, day: dt.date) -> RecoveryOrderQuerySet:
        return self.outstanding().filter(deadline__lt=day)


class RecoveryOrder(ArchivableModel):
    """Money to be recovered from a payer (追回补贴资金, seed 二(六)); split into parts per
    paid claim so that received money flows back into each claim's budget."""

    number = models.CharField(_("recovery number"), max_length=30, unique=True)
    payer_organisation = models.ForeignKey(
        "registry.Organisation", verbose_name=_("payer organisation"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="recovery_orders",
    )
    payer_person = models.ForeignKey(
        "registry.Person", verbose_name=_("payer person"), null=True, blank=True, on_delete=models.PROTECT, related_name="recovery_orders"
    )
    claim = models.ForeignKey(Claim, verbose_name=_("claim"), null=True, blank=True, on_delete=models.PROTECT, related_name="recovery_orders")
    county = models.ForeignKey("registry.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount to recover (yuan)"), **MONEY)
    received_amount = models.DecimalField(_("received (yuan)"), default=ZERO, **MONEY)
    written_off_amount = models.DecimalField(_("written off (yuan)"), default=ZERO, **MONEY)
    reason = models.TextField(_("reason"))
    deadline = models.DateField(_("deadline"))
    case_ref = models.CharField(_("supervision case"), max_length=60, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=RecoveryStatus.choices, default=RecoveryStatus.OPEN)
    write_off_reason = models.TextField(_("write-off reason"), blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = RecoveryOrderQuerySet.as_manager()

    TRANSITIONS = {
        (RecoveryStatus.OPEN, RecoveryStatus.PARTIALLY_RECEIVED),
        (RecoveryStatus.OPEN, RecoveryStatus.RECEIVED),
        (RecoveryStatus.OPEN, RecoveryStatus.OVERDUE),
        (RecoveryStatus.OPEN, RecoveryStatus.WRITTEN_OFF),
        (RecoveryStatus.PARTIALLY_RECEIVED, RecoveryStatus.RECEIVED),
        (RecoveryStatus.PARTIALLY_RECEIVED, RecoveryStatus.OVERDUE),
        (RecoveryStatus.PARTIALLY_RECEIVED, RecoveryStatus.WRITTEN_OFF),
        (RecoveryStatus.OVERDUE, RecoveryStatus.RECEIVED),
        (RecoveryStatus.OVERDUE, RecoveryStatus.WRITTEN_OFF),
    }

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("recovery order")
        verbose_name_plural = _("recovery orders")
        constraints = [
            models.CheckConstraint(
                name="recovery_one_payer",
                condition=(Q(payer_organisation__isnull=False) & Q(payer_person__isnull=True))
                | (Q(payer_organisation__isnull=True) & Q(payer_person__isnull=False)),
            ),
            models.CheckConstraint(name="recovery_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="recovery_settled_within_amount",
                condition=Q(received_amount__gte=0) & Q(written_off_amount__gte=0)
                & Q(amount__gte=models.F("received_amount") + models.F("written_off_amount")),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def payer(self) -> Any:
        return self.payer_organisation if self.payer_organisation_id else self.payer_person

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.received_amount - self.written_off_amount


class RecoveryPart(models.Model):
    """The share of a recovery charged to one paid claim (and so to that claim's budget)."""

    recovery = models.ForeignKey(RecoveryOrder, on_delete=models.PROTECT, related_name="parts")
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="recovery_parts")
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(**MONEY)
    received = models.DecimalField(default=ZERO, **MONEY)
    written_off = models.DecimalField(default=ZERO, **MONEY)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                name="recovery_part_within_amount",
                condition=Q(amount__gt=0) & Q(received__gte=0) & Q(written_off__gte=0)
                & Q(amount__gte=models.F("received") + models.F("written_off")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recovery_id}/{self.claim_id}: {self.amount}"

    @property
    def outstanding(self) -> Decimal:
        return self.amount - self.received - self.written_off


class RecoveryInstalment(TimeStampedModel):
    recovery = models.ForeignKey(RecoveryOrder, on_delete=models.PROTECT, related_name="instalments")
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    received_on = models.DateField(_("received on"))
    reference = models.CharField(_("bank reference"), max_length=64, blank=True)
    posting = models.OneToOneField(Posting, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["received_on", "id"]
        verbose_name = _("recovery instalment")
        verbose_name_plural = _("recovery instalments")
        constraints = [models.CheckConstraint(name="instalment_amount_positive", condition=Q(amount__gt=0))]


# ====================================================================== staff education funds


# 中办发〔2022〕58号 §(十八): "60%以上用于一线职工教育和培训" (subsidy_rules.md 2.5 [V]).
FRONTLINE_MIN_SHARE = Decimal("0.60")


class StaffEducationReportQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> StaffEducationReportQuerySet:
        scope = scope_for(user)
        if scope.everything:
            return self
        if scope.organisation_id:
            return self.filter(enterprise_id=scope.organisation_id)
        if scope.region_prefix and not scope.department_id:
            return self.filter(scope.region_q("enterprise__county"))
        return self.none()


class StaffEducationReport(TimeStampedModel):
    """An enterprise's yearly report on its staff education fund (企业职工教育经费, seed 二(五)).

    8% of payroll is only the corporate-income-tax deduction ceiling (财税〔2018〕51号), not a
    required extraction rate, so no extraction rate is enforced here (subsidy_rules.md 2.5).
    """

    enterprise = models.ForeignKey(
        "registry.Organisation", verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="staff_education_reports"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    payroll_total = models.DecimalField(_("total payroll (yuan)"), null=True, blank=True, **MONEY)
    extracted = models.DecimalField(_("extracted (yuan)"), **MONEY)
    spent = models.DecimalField(_("spent (yuan)"), **MONEY)
    spent_frontline = models.DecimalField(_("spent on frontline workers (yuan)"), **MONEY)
    note = models.CharField(_("note"), max_length=300, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = StaffEducationReportQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "enterprise_id"]
        verbose_name = _("staff education fund report")
        verbose_name_plural = _("staff education fund reports")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="staff_education_once_per_year"),
            models.CheckConstraint(
                name="staff_education_amounts_valid",
                condition=Q(extracted__gte=0) & Q(spent__gte=0) & Q(spent_frontline__gte=0)
                & Q(spent_frontline__lte=models.F("spent")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year}"

    @property
    def frontline_share(self) -> Decimal | None:
        if not self.spent:
            return None
        return (self.spent_frontline / self.spent).quantize(Decimal("0.0001"))

    @property
    def below_frontline_minimum(self) -> bool:
        share = self.frontline_share
        return share is not None and share < FRONTLINE_MIN_SHARE
