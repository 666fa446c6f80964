"""自主参训 claims (seed 一(五)): the facts a line on an approved self-arranged training is judged on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from jixing.accounts.models import Role
from jixing.core.money import yuan
from jixing.plan.chain_queries import reason_texts
from jixing.plan.models import SelfArrangedTraining, SelfTrainingStatus

from .. import rules
from ..models import ZERO, Claim, ClaimLine, SubsidyItem
from .eligibility import SELF_TRAINING_LEVEL, LineDraft, cap_checks, prior_subsidies

SELF_TRAINING_FUND_SOURCE = "employment_subsidy"  # docs/chains_and_programmes.md: the default; a city may choose


def evaluate_self_training(
    record: SelfArrangedTraining, *, exclude_line_ids: Iterable[int] = (),
) -> LineDraft:
    """Judge a line paying an approved self-arranged training: approved and claimable (the reasons
    stored on approval otherwise), not yet paid, and within the per-person caps counted by the
    year of the last training day and the occupation. The amount is the record's ``claimable_amount``."""
    person = record.person
    exclude = list(exclude_line_ids)
    claimed = ClaimLine.objects.live().filter(self_training=record).exclude(pk__in=exclude).exists()
    prior = prior_subsidies([person.pk], exclude_line_ids=exclude).get(person.pk, [])
    approved = record.status == SelfTrainingStatus.APPROVED
    claimable = approved and record.claimable is True and record.claimable_amount is not None
    amount = yuan(record.claimable_amount) if claimable and record.claimable_amount is not None else ZERO
    with translation.override("zh-hans"):
        stored = "；".join(reason_texts(record.claim_reasons))
        checks = [
            rules.Check("self_training_approved", approved, _("The self-arranged training was approved by the HRSS office.")
                        if approved else _("The self-arranged training has not been approved.")),
            rules.Check("self_training_claimable", claimable, stored or (
                _("Claimable under the city's rule.") if claimable else _("Not claimable under the city's rule."))),
            rules.Check("already_claimed", not claimed, _("Already claimed in another claim.") if claimed
                        else _("Not claimed before.")),
        ]
        occupation = record.occupation
        checks += cap_checks(
            person, key=f"self:{record.pk}", on_date=record.ends_on, occupation_id=record.occupation_id,
            occupation_name=occupation.name if occupation is not None else "",
            level_id=SELF_TRAINING_LEVEL if occupation is not None else None,
            level_name=_("self-arranged training"), prior=prior, certificates=(),
        )
        reason = rules.Reason("self_training_amount", _("Amount decided on approval under the city's rule: %(amount)s yuan.")
                              % {"amount": amount}, amount)
    decision = rules.SubsidyDecision(eligible=claimable, amount=amount, table_id=None, table_version=None,
                                     rate_id=None, reasons=(reason,))
    return LineDraft(
        person=person, item=SubsidyItem.SELF_TRAINING, year=record.ends_on.year, on_date=record.ends_on,
        checks=tuple(checks), decision=decision, table=None, occupation_id=record.occupation_id,
        route_county=record.county_id, self_training=record,
    )


def self_trainings_to_claim(user: Any) -> QuerySet[SelfArrangedTraining]:
    """Approved self-arranged trainings the user may see, with their live claim line if any."""
    return (SelfArrangedTraining.objects.visible_to(user).filter(status=SelfTrainingStatus.APPROVED)
            .select_related("person", "county", "occupation").order_by("-ends_on", "-id"))


def live_claims_by_record(record_ids: Iterable[int]) -> dict[int, Claim]:
    lines = ClaimLine.objects.live().filter(self_training_id__in=list(record_ids)).select_related("claim")
    return {ln.self_training_id: ln.claim for ln in lines if ln.self_training_id is not None}


# The finance officer sees what will be paid ("export claimable", docs/chains_and_programmes.md 5);
# HRSS officers prepare claims for the records of their counties; a person sees and claims their own.
SELF_TRAINING_READERS = frozenset({Role.HRSS_OFFICER, Role.FINANCE_OFFICER, Role.AUDITOR, Role.TRAINEE})
SELF_TRAINING_CLAIMERS = frozenset({Role.HRSS_OFFICER, Role.TRAINEE})


@dataclass(frozen=True)
class SelfTrainingRow:
    record: SelfArrangedTraining
    reasons: list[str]
    claim: Claim | None


def self_training_rows(user: Any, records: Iterable[SelfArrangedTraining]) -> list[SelfTrainingRow]:
    """Each approved record with its stored decision in the reader's language and its live claim."""
    records = list(records)
    claims = live_claims_by_record(r.pk for r in records)
    return [SelfTrainingRow(r, reason_texts(r.claim_reasons), claims.get(r.pk)) for r in records]
