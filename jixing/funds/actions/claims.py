"""Claims: create a claim from enrollments, certificates, outside certificates or living allowances."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import translation
from django.utils.translation import gettext as _

from jixing.accounts.models import Role
from jixing.core import audit
from jixing.core.masking import mask_bank_account
from jixing.core.money import yuan
from jixing.evaluation.models import Certificate, OutsideCertificate
from jixing.plan.models import Action, FundSource
from jixing.registry.models import Occupation, Organisation, Person, Region
from jixing.training.models import Enrollment, ProjectType, TrainingProject

from .. import queries, rules
from ..models import (
    ZERO,
    AccountKindOfPayee,
    AccountSource,
    Claim,
    ClaimLine,
    LineStatus,
    PayeeAccount,
    PayeeKind,
    SubsidyItem,
)
from .common import ClaimRefused, _require_hrss, _require_trainee, _save_numbered, today
from .payees import _ACCOUNT_RE
from .rule_tables import _mark_tables_used


def _claim_snapshot(claim: Claim) -> dict[str, Any]:
    return {"number": claim.number, "status": claim.status, "amount": str(claim.amount), "item": claim.subsidy_item}


def _refuse_blocked(organisation: Organisation | None) -> None:
    if organisation is not None and organisation.is_blocked_on(today()):
        raise ClaimRefused(
            _("%(org)s is suspended or blacklisted and may not claim subsidies (seed 二(六)).") % {"org": organisation.name}
        )


def _restriction_check(person: Person) -> rules.Check | None:
    """A person under a restriction in force today (registry.PersonRestriction: blacklist or a
    case decision) may not claim; the check names the restriction, since when and its document."""
    with translation.override("zh-hans"):
        detail = queries.block_detail(person, today())
        if not detail:
            return None
        text = _("The claimant is suspended or blacklisted and may not claim subsidies.")
        return rules.Check("claimant_blocked", False, f"{text}（{detail}）")


def _with_person_restriction(draft: queries.LineDraft, person: Person) -> queries.LineDraft:
    """Every claim of a person's own is checked for a restriction (技能提升补贴's rule already
    carries the check; living allowance and 求学圆梦 get it here)."""
    if any(c.code == "claimant_blocked" for c in draft.checks):
        return draft
    check = _restriction_check(person)
    return draft if check is None else dataclasses.replace(draft, checks=(check, *draft.checks))


def _write_lines(claim: Claim, drafts: Sequence[queries.LineDraft]) -> None:
    lines = []
    for d in drafts:
        lines.append(ClaimLine(
            claim=claim, person=d.person, subsidy_item=claim.subsidy_item, enrollment=d.enrollment,
            training_class_id=d.enrollment.training_class_id if d.enrollment else None, certificate=d.certificate,
            study=d.study, study_level=d.study.level if d.study is not None else "",
            outside_certificate=d.outside_certificate, insured_months=d.insured_months, self_training=d.self_training,
            occupation_id=d.occupation_id, level_id=d.level_id, year=d.year, amount=d.amount,
            reasons=d.reasons_json(), checks=[c.as_json() for c in d.checks],
            employed_within_6_months=d.employed, rule_table=d.table,
        ))
    try:
        with transaction.atomic():
            ClaimLine.objects.bulk_create(lines)
    except IntegrityError:
        raise ClaimRefused(_("Some of these trainees have just been claimed for in another claim; reload and try again."))
    _mark_tables_used(d.table.pk for d in drafts if d.table)


def _refresh_amount(claim: Claim) -> None:
    total = claim.lines.filter(status=LineStatus.LIVE).aggregate(s=Sum("amount"))["s"] or ZERO
    claim.amount = yuan(total)
    claim.save(update_fields=["amount", "updated_at"])


def create_claim(
    *, by: Any, project: TrainingProject, enrollment_ids: Iterable[int], subsidy_item: str = "",
    payee_account: PayeeAccount | None = None, skip_ineligible: bool = False,
) -> Claim:
    """A draft claim by an institution or enterprise for completed enrollments of its project.

    Each line is checked and priced by the rule engine; an amount given by hand is never used.
    If any line fails, nothing is written and every failing trainee is named with its reasons
    (unless ``skip_ineligible``, when only the passing lines are claimed).
    """
    if getattr(by, "role", None) != Role.INSTITUTION or not by.organisation_id:
        raise PermissionDenied(_("Only training institutions and enterprises claim for their trainees."))
    organisation = by.organisation
    is_organiser = project.organiser_id == organisation.pk
    is_apprentice_partner = project.partner_id == organisation.pk and project.project_type == ProjectType.APPRENTICESHIP
    if not (is_organiser or is_apprentice_partner):
        raise PermissionDenied(_("Only the organiser of the project (or the apprenticeship enterprise) may claim for it."))
    _refuse_blocked(organisation)
    item = subsidy_item or queries.default_item_for(project)
    if item not in queries.ORGANISATION_ITEMS:
        raise ValidationError({"subsidy_item": _("Institutions and enterprises cannot claim this subsidy item.")})
    if payee_account is not None and payee_account.organisation_id != organisation.pk:
        raise ValidationError({"payee_account": _("Choose one of your organisation's bank accounts.")})
    ids = sorted({int(i) for i in enrollment_ids})
    if not ids:
        raise ValidationError({"enrollments": _("Choose at least one completed trainee.")})
    enrollments = list(
        Enrollment.objects.filter(pk__in=ids, training_class__project=project).select_related("person", "training_class")
    )
    if len(enrollments) != len(ids):
        raise ValidationError({"enrollments": _("Some of the chosen enrollments do not belong to this project.")})
    payee_kind = queries.payee_kind_for(organisation)
    drafts = queries.evaluate_enrollments(project, enrollments, item=item, payee_kind=payee_kind)
    failing = [(d.label, d.problems) for d in drafts if not d.ok]
    if failing and not skip_ineligible:
        raise ClaimRefused(_("Nothing was claimed: some trainees cannot be claimed for."), failing)
    passing = [d for d in drafts if d.ok]
    if not passing:
        raise ClaimRefused(_("Nothing was claimed: none of the chosen trainees can be claimed for."), failing)
    city = queries.city_code(project.county_id)
    table = queries.table_in_force(city, today())
    if table is None:
        raise ClaimRefused(_("The city has no subsidy standard in force; no claim can be made."))
    with transaction.atomic():
        claim = Claim(
            subsidy_item=item, payee_kind=payee_kind, organisation=organisation, project=project,
            county_id=project.county_id, fund_source_id=project.fund_source_id, action_id=project.action_id,
            rule_table=table, requires_province=project.is_provincial_key, payee_account=payee_account, created_by=by,
        )
        _save_numbered(claim, f"BT{today():%Y}")
        _write_lines(claim, passing)
        _mark_tables_used([table.pk])
        _refresh_amount(claim)
        audit.record("funds.claim.create", actor=by, obj=claim, after={
            **_claim_snapshot(claim), "lines": len(passing), "skipped": len(failing),
        })
    return claim


def _own_claim(
    *, by: Any, person: Person, payee_account: PayeeAccount | None, item: str, fund_code: str,
    draft: queries.LineDraft, refused: str, action: Action | None = None, detail: dict[str, Any] | None = None,
) -> Claim:
    """A person's own one-line claim (技能提升补贴, 求学圆梦): their own account, the fund, the
    line's checks, the city's table in force; then numbered, written and audited at once.
    技能提升补贴 goes to the region of the insured city (``draft.route_county``) and is paid only
    to the person's 社会保障卡 account."""
    if payee_account is not None and payee_account.person_id != person.pk:
        raise ValidationError({"payee_account": _("Choose one of your own bank accounts.")})
    if item in CARD_ONLY_ITEMS:
        _require_card_account(payee_account)
    fund_source = FundSource.objects.filter(code=fund_code).first()
    if fund_source is None:
        raise ClaimRefused(_("The fund %(code)s is not configured.") % {"code": fund_code})
    draft = _with_person_restriction(draft, person)
    if not draft.ok:
        raise ClaimRefused(refused, [(draft.label, draft.problems)])
    county = Region.objects.get(code=draft.route_county) if draft.route_county else person.current_region
    if item in CARD_ONLY_ITEMS and payee_account is not None:
        with translation.override("zh-hans"):
            card = rules.check_payee_account(payee_kind=PayeeKind.PERSON, account_kind=payee_account.kind)
        if card is not None:
            draft = dataclasses.replace(draft, checks=(*draft.checks, card))
    table = queries.table_in_force(queries.city_code(county.code), today())
    if table is None:
        raise ClaimRefused(_("The city has no subsidy standard in force; no claim can be made."))
    with transaction.atomic():
        claim = Claim(
            subsidy_item=item, payee_kind=PayeeKind.PERSON, person=person, county=county, fund_source=fund_source,
            action=action, rule_table=table, payee_account=payee_account, created_by=by,
        )
        _save_numbered(claim, f"BT{today():%Y}")
        _write_lines(claim, [draft])
        _mark_tables_used([table.pk])
        _refresh_amount(claim)
        audit.record("funds.claim.create", actor=by, obj=claim,
                     after={**_claim_snapshot(claim), "lines": 1, **(detail or {})})
    return claim


# Items a person is paid for directly: only to their 社会保障卡 financial account.
CARD_ONLY_ITEMS = frozenset({SubsidyItem.SKILL_UPGRADE, SubsidyItem.LIVING_ALLOWANCE})


def _require_card_account(payee_account: PayeeAccount | None) -> None:
    if payee_account is None or payee_account.kind != AccountKindOfPayee.SOCIAL_SECURITY_CARD:
        raise ValidationError({"payee_account": _(
            "Choose your social security card financial account: this subsidy is paid only to it "
            "(register it, or ask the HRSS office to import it from the card bank's file).")})


def create_person_claim(*, by: Any, certificate: Certificate, payee_account: PayeeAccount | None = None) -> Claim:
    """A person's own claim for 技能提升补贴 on a certificate (within 12 months of issue, [V])."""
    if getattr(by, "role", None) != Role.TRAINEE or by.person_id != certificate.person_id:
        raise PermissionDenied(_("Only the certificate holder may claim this subsidy."))
    person = certificate.person
    return _own_claim(
        by=by, person=person, payee_account=payee_account, item=SubsidyItem.SKILL_UPGRADE,
        fund_code="unemployment_insurance", draft=queries.evaluate_certificate(person, certificate),
        refused=_("This certificate cannot be claimed for."),
    )


def find_outside_certificate(person: Person, *, number: str, occupation: Occupation, level_order: int) -> OutsideCertificate:
    """The national-register certificate that matches exactly: number, the person's ID number,
    occupation and level. Anything else is refused, saying which part disagrees."""
    number = (number or "").strip().upper()
    found = OutsideCertificate.objects.select_related("occupation", "level").filter(number=number).first()
    if found is None:
        raise ValidationError({"number": _("Certificate %(number)s is not in the imported national register.")
                                         % {"number": number[:40]}})
    if found.id_number_hash != person.id_number_hash:
        raise ValidationError({"number": _("Certificate %(number)s is registered to another ID number.") % {"number": number}})
    if found.occupation_id != occupation.pk:
        raise ValidationError({"occupation": _("Certificate %(number)s is for %(occupation)s, not %(given)s.")
                                             % {"number": number, "occupation": found.occupation.name, "given": occupation.name}})
    if found.level_id != level_order:
        raise ValidationError({"level": _("Certificate %(number)s is at level %(level)s, not the level given.")
                                        % {"number": number, "level": found.level.name}})
    return found


def create_outside_certificate_claim(
    *, by: Any, number: str, occupation: Occupation, level_order: int, payee_account: PayeeAccount | None = None,
) -> Claim:
    """技能提升补贴 on a certificate issued by another filed evaluation body, found in the national
    register extract (number + ID number + occupation + level); the line links it."""
    person = _require_trainee(by)
    certificate = find_outside_certificate(person, number=number, occupation=occupation, level_order=level_order)
    return _own_claim(
        by=by, person=person, payee_account=payee_account, item=SubsidyItem.SKILL_UPGRADE,
        fund_code="unemployment_insurance", draft=queries.evaluate_certificate(person, certificate),
        refused=_("This certificate cannot be claimed for."), detail={"outside_certificate": certificate.number},
    )


def register_card_account(
    *, by: Any, person: Person, bank_name: str, account_number: str, source: str = AccountSource.OWNER,
) -> PayeeAccount:
    """A person's 社会保障卡 financial account: registered by the person, or by an HRSS officer of
    the person's region from the card bank's file. Masked like every account; audited."""
    if source == AccountSource.OWNER:
        if getattr(by, "role", None) != Role.TRAINEE or by.person_id != person.pk:
            raise PermissionDenied(_("Only the person may register their own bank account."))
    else:
        _require_hrss(by, person.current_region_id)
    number = re.sub(r"[\s-]", "", account_number or "")
    errors: dict[str, str] = {}
    if not _ACCOUNT_RE.match(number):
        errors["account_number"] = _("Enter the account number: 8 to 30 digits.")
    if not (bank_name or "").strip():
        errors["bank_name"] = _("Enter the bank's name.")
    if errors:
        raise ValidationError(errors)
    existing = PayeeAccount.objects.active().filter(person=person, account_hash=PayeeAccount.hash_number(number)).first()
    with transaction.atomic():
        if existing is not None:
            if existing.kind == AccountKindOfPayee.SOCIAL_SECURITY_CARD:
                return existing
            existing.kind, existing.source = AccountKindOfPayee.SOCIAL_SECURITY_CARD, source
            existing.save(update_fields=["kind", "source", "updated_at"])
            account = existing
        else:
            account = PayeeAccount(person=person, holder_name=person.name, bank_name=bank_name.strip()[:120],
                                   kind=AccountKindOfPayee.SOCIAL_SECURITY_CARD, source=source, created_by=by)
            account.set_number(number)
            account.save()
        audit.record("funds.payee_account.card", actor=by, obj=account, after={
            "bank": account.bank_name, "number": mask_bank_account(number), "source": source})
    return account


def create_living_allowance_claim(*, by: Any, enrollment: Enrollment, payee_account: PayeeAccount | None = None) -> Claim:
    """生活费补贴 belongs to the trainee: claimed by the trainee for a completed enrollment and
    paid to their 社会保障卡 account, never to the organisation. Handled where the training ran."""
    person = _require_trainee(by)
    if enrollment.person_id != person.pk:
        raise PermissionDenied(_("Only the trainee may claim their living allowance."))
    project = enrollment.training_class.project
    draft = queries.evaluate_enrollments(project, [enrollment], item=SubsidyItem.LIVING_ALLOWANCE,
                                         payee_kind=PayeeKind.PERSON)[0]
    draft = dataclasses.replace(draft, route_county=project.county_id)
    return _own_claim(
        by=by, person=person, payee_account=payee_account, item=SubsidyItem.LIVING_ALLOWANCE,
        fund_code=project.fund_source.code, draft=draft, action=project.action,
        refused=_("This training gives no living allowance."),
    )
