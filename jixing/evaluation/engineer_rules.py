"""Pure rules of the 数字技术工程师 ladder (no ORM). Each returns a ``rules.Decision`` with reasons.

Source: seed 鲁人社字〔2025〕87号 一(一) "大力实施数字技术工程师培育项目"; the national project
(人社部 专业技术人才知识更新工程) trains and assesses 初级/中级/高级 工程技术人员 in the digital
fields. ASSUMPTIONS (docs/digital_engineers.md, dated 2026-12): one climbs one rung at a time
(中级 needs a valid 初级 certificate of the same field, 高级 a 中级); a rung already held (or a
higher one) is not assessed again; the pass mark is 60 of 100.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from .rules import Check, Decision

ENGINEER_PASS_MARK = Decimal("60")  # assumption, docs/digital_engineers.md


@dataclass(frozen=True)
class EngineerCandidacyFacts:
    level_order: int  # 1 初级, 2 中级, 3 高级
    held_order: int | None  # highest valid certificate of this person in this field
    session_open: bool


def check_engineer_candidacy(facts: EngineerCandidacyFacts) -> Decision:
    held = facts.held_order or 0
    checks = [
        Check("session_open", facts.session_open,
              _("The session is open for candidates.") if facts.session_open
              else _("The session is locked or cancelled: no more candidates.")),
    ]
    if held >= facts.level_order:
        checks.append(Check("not_held", False, _("The person already holds this level or a higher one in this field.")))
    else:
        checks.append(Check("not_held", True, _("The person does not hold this level yet.")))
    ok = facts.level_order == 1 or held == facts.level_order - 1
    checks.append(Check(
        "previous_rung", ok,
        _("The previous rung is held (or this is the first rung).") if ok
        else _("The next lower engineer level in the same field must be held first."),
    ))
    return Decision(tuple(checks))


def engineer_passed(score: Decimal) -> bool:
    return score >= ENGINEER_PASS_MARK
