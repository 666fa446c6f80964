"""Funds forms. Every field is listed explicitly (SECURITY.md B5): amounts of claims are never
a form field, and a POST with extra fields (``amount``, ``status``, ``budget``) changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jixing.core.access import code_within, within_region
from jixing.core.formdates import DateRangeMixin
from jixing.plan.models import Action, FundSource
from jixing.registry.models import Organisation, OrganisationKind, Region, RegionLevel

from .models import OrderStatus, PayeeAccount, StudyLevel, StudyMode, SubsidyItem

if TYPE_CHECKING:
    from collections.abc import Sequence

    from django_stubs_ext import StrOrPromise


def _year_choices() -> list[tuple[int, int]]:
    this = timezone.localdate().year
    return [(y, y) for y in range(2025, max(2027, this + 1) + 1)]


class BudgetForm(forms.Form):
    fund_source = forms.ModelChoiceField(label=_("fund source"), queryset=FundSource.objects.order_by("id"))
    year = forms.TypedChoiceField(label=_("year"), coerce=int, choices=_year_choices)
    region = forms.ModelChoiceField(label=_("region"), queryset=Region.objects.none())
    action = forms.ModelChoiceField(label=_("action (optional)"), queryset=Action.objects.order_by("number"), required=False,
                                    empty_label=_("all actions"))
    amount = forms.DecimalField(label=_("appropriation (yuan)"), max_digits=16, decimal_places=2, min_value=0)
    document = forms.CharField(label=_("document number"), max_length=100, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Region]", self.fields["region"]).queryset = (
            Region.objects.filter(code_within("code", user.region_id or "")).order_by("code"))


class AllocationForm(forms.Form):
    region = forms.ModelChoiceField(label=_("to region"), queryset=Region.objects.none())
    amount = forms.DecimalField(label=_("amount (yuan)"), max_digits=16, decimal_places=2, min_value=0)
    document = forms.CharField(label=_("document number"), max_length=100, required=False)

    def __init__(self, *args: Any, parent_region: Region, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Region]", self.fields["region"]).queryset = (
            Region.objects.filter(parent=parent_region).order_by("code"))


class AppropriationForm(forms.Form):
    amount = forms.DecimalField(label=_("amount (yuan)"), max_digits=16, decimal_places=2, min_value=0)
    document = forms.CharField(label=_("document number"), max_length=100, required=False)


class ClaimCreateForm(forms.Form):
    """The claimant chooses trainees and a bank account; the amount is the rule engine's."""

    project = forms.IntegerField(widget=forms.HiddenInput)
    subsidy_item = forms.ChoiceField(label=_("subsidy item"), required=False)
    enrollments = forms.TypedMultipleChoiceField(label=_("trainees"), coerce=int, widget=forms.CheckboxSelectMultiple)
    payee_account = forms.ModelChoiceField(label=_("payee bank account"), queryset=PayeeAccount.objects.none(), required=False)

    def __init__(self, *args: Any, user: Any, enrollment_choices: list[tuple[int, str]], items: Sequence[tuple[str, StrOrPromise]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["enrollments"]).choices = enrollment_choices
        cast(forms.ChoiceField, self.fields["subsidy_item"]).choices = items
        cast("forms.ModelChoiceField[PayeeAccount]", self.fields["payee_account"]).queryset = (
            PayeeAccount.objects.active().filter(organisation_id=user.organisation_id))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("review note (optional)"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class PayeeChoiceForm(forms.Form):
    payee_account = forms.ModelChoiceField(label=_("payee bank account"), queryset=PayeeAccount.objects.none())

    def __init__(self, *args: Any, queryset: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[PayeeAccount]", self.fields["payee_account"]).queryset = queryset


class PayeeAccountForm(forms.Form):
    holder_name = forms.CharField(label=_("account holder"), max_length=120)
    bank_name = forms.CharField(label=_("bank"), max_length=120)
    account_number = forms.CharField(label=_("account number"), max_length=40,
                                     widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}))
    social_security_card = forms.BooleanField(
        label=_("This is the financial account of my social security card (persons: 技能提升补贴 and 生活费补贴 "
                "are paid only to it)"), required=False)


class _OwnAccountForm(forms.Form):
    """A person's claim form: paid to one of their own accounts (preselected when there is one)."""

    payee_account = forms.ModelChoiceField(label=_("payee bank account"), queryset=PayeeAccount.objects.none())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast("forms.ModelChoiceField[PayeeAccount]", self.fields["payee_account"])
        field.queryset = PayeeAccount.objects.active().filter(person_id=user.person_id)
        if field.queryset.count() == 1:
            field.empty_label = None


class PersonClaimForm(_OwnAccountForm):
    certificate = forms.IntegerField(widget=forms.HiddenInput)


class LivingAllowanceClaimForm(_OwnAccountForm):
    """生活费补贴 for one of the trainee's own completed enrollments."""

    enrollment = forms.IntegerField(widget=forms.HiddenInput)


class OutsideCertificateClaimForm(_OwnAccountForm):
    """技能提升补贴 on a certificate found in the imported national register."""

    outside_certificate = forms.IntegerField(widget=forms.HiddenInput)


class StudyRecordForm(DateRangeMixin, forms.Form):
    """A trainee records their own study (求学圆梦); the person is always the signed-in one."""

    date_ranges = (("enrolled_on", "graduated_on"),)
    school = forms.CharField(label=_("school"), max_length=120)
    programme = forms.CharField(label=_("programme (专业)"), max_length=120)
    level = forms.ChoiceField(label=pgettext_lazy("study", "level"), choices=StudyLevel.choices)
    mode = forms.ChoiceField(label=_("study mode"), choices=StudyMode.choices)
    student_number = forms.CharField(label=_("student number"), max_length=40, required=False)
    enrolled_on = forms.DateField(label=_("enrolled on"), widget=forms.DateInput(attrs={"type": "date"}))
    graduated_on = forms.DateField(label=_("graduated on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    chsi_report_number = forms.CharField(
        label=_("学信网 enrolment verification report number"), max_length=40,
        help_text=_("From your 教育部学籍在线验证报告 (学信网): 10 to 20 letters or digits."))
    chsi_verification_code = forms.CharField(
        label=_("学信网 online verification code"), max_length=40,
        help_text=_("The report's 在线验证码: 16 letters or digits."))
    employer = forms.ModelChoiceField(label=_("employer"), queryset=Organisation.objects.none())
    frontline_post = forms.CharField(label=_("frontline post (一线岗位)"), max_length=60)
    tuition_paid = forms.DecimalField(label=_("tuition paid (yuan)"), max_digits=16, decimal_places=2, min_value=0,
                                      required=False)
    evidence_note = forms.CharField(label=_("evidence note"), max_length=300, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        region = getattr(getattr(user, "person", None), "current_region_id", None) or ""
        cast("forms.ModelChoiceField[Organisation]", self.fields["employer"]).queryset = (
            Organisation.objects.filter(within_region("county", region[:4]), kind=OrganisationKind.ENTERPRISE)
            .order_by("name") if region else Organisation.objects.none())


class EducationClaimForm(_OwnAccountForm):
    study = forms.IntegerField(widget=forms.HiddenInput)


class ReturnFileForm(forms.Form):
    file = forms.FileField(label=_("bank return file (.csv or .xlsx)"))


class ExportForm(forms.Form):
    format = forms.ChoiceField(label=_("format"), choices=[("csv", "CSV"), ("xlsx", "Excel (.xlsx)")])


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("resolution"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    order_outcome = forms.ChoiceField(
        label=_("what the bank confirmed"), required=False,
        choices=[("", _("nothing to change")), (OrderStatus.SUCCEEDED, _("the payment succeeded")),
                 (OrderStatus.FAILED, _("the payment failed"))],
    )


class RecoveryForm(DateRangeMixin, forms.Form):
    payer_kind = forms.ChoiceField(label=_("payer"), choices=[("organisation", _("organisation")), ("person", pgettext_lazy("party kind", "person"))])
    organisation = forms.ModelChoiceField(label=_("organisation"), queryset=Organisation.objects.none(), required=False)
    claim = forms.CharField(label=_("claim number (optional)"), max_length=30, required=False)
    amount = forms.DecimalField(label=_("amount to recover (yuan)"), max_digits=16, decimal_places=2, min_value=0)
    deadline = forms.DateField(label=_("deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    case_ref = forms.CharField(label=_("supervision case (optional)"), max_length=60, required=False)
    reason = forms.CharField(label=_("reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Organisation]", self.fields["organisation"]).queryset = (
            Organisation.objects.visible_to(user).order_by("name"))
        self.fields["deadline"].initial = timezone.localdate() + dt.timedelta(days=30)


class InstalmentForm(DateRangeMixin, forms.Form):
    amount = forms.DecimalField(label=_("amount received (yuan)"), max_digits=16, decimal_places=2, min_value=0)
    received_on = forms.DateField(label=_("received on"), widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=_("bank reference"), max_length=64, required=False)


class StaffEducationForm(forms.Form):
    year = forms.TypedChoiceField(label=_("year"), coerce=int, choices=[])
    payroll_total = forms.DecimalField(label=_("total payroll (yuan)"), max_digits=16, decimal_places=2, required=False, min_value=0)
    extracted = forms.DecimalField(label=_("extracted (yuan)"), max_digits=16, decimal_places=2, min_value=0)
    spent = forms.DecimalField(label=_("spent (yuan)"), max_digits=16, decimal_places=2, min_value=0)
    spent_frontline = forms.DecimalField(label=_("spent on frontline workers (yuan)"), max_digits=16, decimal_places=2, min_value=0)
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        this = timezone.localdate().year
        cast(forms.ChoiceField, self.fields["year"]).choices = [(y, y) for y in range(this, 2023, -1)]


class RuleCopyForm(DateRangeMixin, forms.Form):
    valid_from = forms.DateField(label=_("new version valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label=_("name"), max_length=150, required=False)
    basis = forms.CharField(label=_("basis (document)"), max_length=200, required=False)


ITEM_CHOICES = SubsidyItem.choices
CITY_LEVEL = RegionLevel.CITY
