"""Pure trainer rules (no ORM): the grade a competition result raises a trainer to, and the
teacher-to-class limit. Each returns a decision with its reasons.

Seed 鲁人社字〔2025〕87号 二(一): "举办职业培训师、创业指导师等培训师资类职业技能大赛，逐步提高全省
职业技能培训教学师资水平". The raise table and the class limit are ASSUMPTIONS of this system
(docs/trainers.md, dated 2026-12-02), kept as data here and in ``TeacherClassLimit`` so the province
can change them; no published table of grade raises for trainer competitions was found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_GRADE = 4

# (tier, award) → grades raised. Assumption, docs/trainers.md.
GRADE_RAISE: dict[tuple[str, str], int] = {
    ("national", "first"): 2, ("national", "second"): 2, ("national", "third"): 2, ("national", "excellence"): 1,
    ("provincial", "first"): 1, ("provincial", "second"): 1, ("provincial", "third"): 1,
    ("city", "first"): 1,
}

# Used when no dated TeacherClassLimit row is in force (assumption, docs/trainers.md).
DEFAULT_CLASSES_PER_TRAINER = 2


@dataclass(frozen=True)
class GradeDecision:
    grade_before: int
    grade_after: int
    reasons: tuple[str, ...]

    @property
    def raised(self) -> bool:
        return self.grade_after > self.grade_before


def grade_after_result(*, grade: int, trainer_category: str, competition_category: str, tier: str,
                       award: str) -> GradeDecision:
    """A trainer's grade after a competition result: raised by ``GRADE_RAISE`` when the
    competition is of the trainer's own category, capped at ``MAX_GRADE``; never lowered."""
    if trainer_category != competition_category:
        return GradeDecision(grade, grade, (_("The competition is of another trainer category: the grade is unchanged."),))
    step = GRADE_RAISE.get((tier, award), 0)
    if step == 0:
        return GradeDecision(grade, grade, (_("This result raises no grade."),))
    after = min(MAX_GRADE, grade + step)
    if after == grade:
        return GradeDecision(grade, grade, (_("The trainer already holds the highest grade."),))
    return GradeDecision(grade, after, (_("Raised by %(n)d grade(s) for the result; at most grade %(max)d.")
                                        % {"n": after - grade, "max": MAX_GRADE},))


@dataclass(frozen=True)
class CapacityFacts:
    registered_trainers: int  # active trainer profiles of the institution
    running_classes: int  # the institution's classes running at the time, this one included
    classes_per_trainer: int
    unregistered_teachers: Sequence[str]  # names of the class's teachers without a trainer profile


@dataclass(frozen=True)
class CapacityDecision:
    ok: bool
    limit: int
    reasons: tuple[str, ...]


def check_teacher_capacity(facts: CapacityFacts) -> CapacityDecision:
    limit = facts.registered_trainers * facts.classes_per_trainer
    reasons: list[str] = []
    if facts.unregistered_teachers:
        reasons.append(_("Teachers not registered as trainers: %(names)s.")
                       % {"names": "、".join(facts.unregistered_teachers)})
    if facts.running_classes > limit:
        reasons.append(_("%(n)d classes running at once exceed the limit of %(limit)d "
                         "(%(trainers)d registered trainers × %(per)d).")
                       % {"n": facts.running_classes, "limit": limit, "trainers": facts.registered_trainers,
                          "per": facts.classes_per_trainer})
    return CapacityDecision(ok=not reasons, limit=limit, reasons=tuple(reasons))
