"""自主参训 claims (鲁人社字〔2025〕87号 一(五)): pay an approved, claimable self-arranged training
to the person, once. The record was approved, and its amount decided, in plan
(``programme_actions.review_self_training``); funds only pays it (docs/self_training_claims.md)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from jixing.accounts.models import Role
from jixing.plan.models import Action, SelfArrangedTraining

from .. import queries
from ..models import Claim, PayeeAccount, SubsidyItem
from .claims import _own_claim
from .common import _in_scope

SELF_TRAINING_ACTION = "youth"  # 一(五) sits in action 5, 青年群体技能提升培训行动 (reference/actions.csv)


def create_self_training_claim(
    *, by: Any, record: SelfArrangedTraining, payee_account: PayeeAccount | None = None,
) -> Claim:
    """A draft 自主参训 claim of one line on ``record``, paid to the person: made by the person, or
    prepared for them by an HRSS officer of the record's county (the person then picks their
    account and submits). Refused, with the reasons stored on approval, unless the record is
    approved and claimable; the amount is its ``claimable_amount``; a record is paid once (a
    unique constraint on the live line); it counts toward the person's yearly and
    same-occupation caps by the last training day."""
    own = getattr(by, "role", None) == Role.TRAINEE and by.person_id == record.person_id
    officer = getattr(by, "role", None) == Role.HRSS_OFFICER and _in_scope(by, record.county_id)
    if not (own or officer):
        raise PermissionDenied(_("Only the person or an HRSS officer of the county may claim for this training."))
    return _own_claim(
        by=by, person=record.person, payee_account=payee_account, item=SubsidyItem.SELF_TRAINING,
        fund_code=queries.SELF_TRAINING_FUND_SOURCE, draft=queries.evaluate_self_training(record),
        refused=_("This self-arranged training cannot be claimed for."),
        action=Action.objects.filter(code=SELF_TRAINING_ACTION).first(), detail={"self_training": record.pk},
    )
