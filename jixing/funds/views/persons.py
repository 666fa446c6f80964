"""A trainee's own pages: subsidies, study records, own claims and payee accounts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.db import models
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from jixing.accounts.models import Role
from jixing.core.pages import run_action
from jixing.core.permissions import AuthedRequest, require_roles
from jixing.evaluation.models import Certificate, OutsideCertificate
from jixing.training.models import Enrollment

from .. import actions, queries
from ..forms import (
    EducationClaimForm,
    LivingAllowanceClaimForm,
    OutsideCertificateClaimForm,
    PayeeAccountForm,
    PersonClaimForm,
    StudyRecordForm,
)
from ..models import Claim, PayeeAccount, StudyRecord
from ..queries import PAYEE_HOLDERS


@require_roles(Role.TRAINEE)
def my_subsidies(request: AuthedRequest) -> HttpResponse:
    return _my_subsidies_page(request)


def _my_subsidies_page(request: AuthedRequest, study_form: StudyRecordForm | None = None, status: int = 200) -> HttpResponse:
    return TemplateResponse(request, "funds/my_subsidies.html", status=status, context={
        "lines": queries.my_subsidies(request.user),
        "certificates": [(cert, queries.evaluate_certificate(cert.person, cert))
                         for cert in queries.my_certificates_to_claim(request.user)],
        "claim_form": PersonClaimForm(user=request.user),
        "outside_certificates": [(cert, queries.evaluate_certificate(person, cert))
                                 for cert in queries.my_outside_certificates_to_claim(request.user)
                                 if (person := request.user.person) is not None],
        "living_allowances": queries.my_living_allowances_to_claim(request.user),
        "has_account": PayeeAccount.objects.active().filter(person_id=request.user.person_id).exists(),
        "studies": queries.my_studies(request.user), "study_form": study_form or StudyRecordForm(user=request.user),
        "education_form": EducationClaimForm(user=request.user),
    })


@require_POST
@require_roles(Role.TRAINEE)
def my_study(request: AuthedRequest) -> HttpResponse:
    """Record one of the trainee's own studies (求学圆梦)."""
    form = StudyRecordForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        done = run_action(request, lambda: actions.record_study(
            by=request.user, school=data["school"], programme=data["programme"], level=data["level"],
            mode=data["mode"], student_number=data["student_number"], enrolled_on=data["enrolled_on"],
            graduated_on=data["graduated_on"], tuition_paid=data["tuition_paid"] or 0, employer=data["employer"],
            frontline_post=data["frontline_post"], chsi_report_number=data["chsi_report_number"],
            chsi_verification_code=data["chsi_verification_code"], evidence_note=data["evidence_note"],
        ), form=form, success=_("Your study has been recorded."), then=redirect("funds:my_subsidies"))
        if done:
            return done
    return _my_subsidies_page(request, study_form=form, status=400)


Basis = TypeVar("Basis", bound=models.Model)


def _own_object(model: type[Basis], raw: str, person_id: int) -> Basis:
    """The trainee's own certificate, enrollment or study named in a POST; 404 for anything else
    (missing, malformed or another person's alike)."""
    found = (model._default_manager.filter(pk=int(raw), person_id=person_id).first()
             if raw.isascii() and raw.isdigit() and len(raw) < 19 else None)
    if found is None:
        raise Http404
    return found


def _own_claim_view(request: AuthedRequest, form: forms.Form, model: type[Basis], key: str, invalid: str,
                    create: Callable[[Basis, Any], Claim]) -> HttpResponse:
    """POST of a person's own claim (a certificate or a study of theirs, and their account).
    Another person's object answers 404, like the API: it is not in the trainee's data."""
    person_id = request.user.person_id
    assert person_id is not None, "a trainee account has a person (user_trainee_has_person)"
    basis = _own_object(model, request.POST.get(key, ""), person_id)
    if not form.is_valid():
        messages.error(request, invalid)
        return redirect("funds:my_subsidies")
    return _claim_saved(request, lambda: create(basis, form.cleaned_data["payee_account"]))


def _claim_saved(request: AuthedRequest, create: Callable[[], Claim]) -> HttpResponse:
    """Run the trainee's claim action: to the new claim, or back to their subsidies refused."""
    return run_action(
        request, create, show_forbidden=True,
        success=lambda claim: _("Claim %(number)s saved; submit it to send it for review.") % {"number": claim.number},
        then=lambda claim: redirect("funds:claim_detail", pk=claim.pk), fallback=redirect("funds:my_subsidies"))


@require_POST
@require_roles(Role.TRAINEE)
def my_education_claim(request: AuthedRequest) -> HttpResponse:
    return _own_claim_view(
        request, EducationClaimForm(request.POST, user=request.user), StudyRecord, "study",
        _("Choose a study and a bank account."),
        lambda study, account: actions.create_education_claim(by=request.user, study=study, payee_account=account),
    )


@require_POST
@require_roles(Role.TRAINEE)
def my_claim(request: AuthedRequest) -> HttpResponse:
    return _own_claim_view(
        request, PersonClaimForm(request.POST, user=request.user), Certificate, "certificate",
        _("Choose a certificate and a bank account."),
        lambda cert, account: actions.create_person_claim(by=request.user, certificate=cert, payee_account=account),
    )


@require_POST
@require_roles(Role.TRAINEE)
def my_living_allowance_claim(request: AuthedRequest) -> HttpResponse:
    return _own_claim_view(
        request, LivingAllowanceClaimForm(request.POST, user=request.user), Enrollment, "enrollment",
        _("Choose a training and a bank account."),
        lambda enrollment, account: actions.create_living_allowance_claim(
            by=request.user, enrollment=enrollment, payee_account=account),
    )


@require_POST
@require_roles(Role.TRAINEE)
def my_outside_claim(request: AuthedRequest) -> HttpResponse:
    """技能提升补贴 on a certificate of the imported national register listed as the trainee's."""
    form = OutsideCertificateClaimForm(request.POST, user=request.user)
    person = request.user.person
    assert person is not None, "a trainee account has a person (user_trainee_has_person)"
    raw = request.POST.get("outside_certificate", "")
    # another person's register row (or none) answers 404, like the API
    if not (raw.isascii() and raw.isdigit() and len(raw) < 19 and OutsideCertificate.objects.filter(
            pk=int(raw), id_number_hash=person.id_number_hash).exists()):
        raise Http404
    if not form.is_valid():
        messages.error(request, _("Choose a certificate and a bank account."))
        return redirect("funds:my_subsidies")
    cert = next((c for c in queries.my_outside_certificates_to_claim(request.user)
                 if c.pk == form.cleaned_data["outside_certificate"]), None)
    if cert is None:
        messages.error(request, _("This certificate has already been claimed."))
        return redirect("funds:my_subsidies")
    return _claim_saved(request, lambda: actions.create_outside_certificate_claim(
        by=request.user, number=cert.number, occupation=cert.occupation, level_order=cert.level_id,
        payee_account=form.cleaned_data["payee_account"]))


@never_cache
@require_roles(*PAYEE_HOLDERS)
def payee_accounts(request: AuthedRequest) -> HttpResponse:
    accounts = PayeeAccount.objects.visible_to(request.user).active().order_by("-id")
    if request.method == "POST":
        form = PayeeAccountForm(request.POST)
        if form.is_valid():
            done = run_action(request, lambda: _register_account(request, dict(form.cleaned_data)), form=form,
                              show_forbidden=True, success=_("Bank account registered."),
                              then=redirect("funds:payee_accounts"))
            if done:
                return done
    else:
        holder = ""
        if request.user.organisation is not None:
            holder = request.user.organisation.name
        elif request.user.person is not None:
            holder = request.user.person.name
        form = PayeeAccountForm(initial={"holder_name": holder})
    return TemplateResponse(request, "funds/payee_accounts.html", {"accounts": accounts, "form": form})


def _register_account(request: AuthedRequest, data: dict[str, Any]) -> PayeeAccount:
    """A person's 社会保障卡 account when they tick it, else an account of the holder's."""
    card = data.pop("social_security_card", False)
    if card and request.user.person is not None:
        return actions.register_card_account(by=request.user, person=request.user.person,
                                             bank_name=data["bank_name"], account_number=data["account_number"])
    return actions.register_payee_account(by=request.user, **data)
