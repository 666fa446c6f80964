"""The trainer rules, pure and parametrised: grade raises by competition result, the
teacher-to-class limit."""

from __future__ import annotations

import pytest

from jixing.trainers import rules


@pytest.mark.parametrize(("grade", "tier", "award", "category", "after"), [
    (1, "provincial", "first", "vocational", 2),
    (1, "national", "second", "vocational", 3),
    (3, "national", "first", "vocational", 4),  # capped at the top grade
    (4, "national", "first", "vocational", 4),
    (2, "city", "second", "vocational", 2),  # no raise for this result
    (2, "provincial", "none", "vocational", 2),
    (1, "provincial", "first", "entrepreneurship", 1),  # another category's competition
    (2, "national", "excellence", "vocational", 3),
])
def test_grade_after_result(grade, tier, award, category, after) -> None:
    decision = rules.grade_after_result(grade=grade, trainer_category=category, competition_category="vocational",
                                        tier=tier, award=award)
    assert decision.grade_after == after and decision.grade_after >= decision.grade_before
    assert decision.reasons


@pytest.mark.parametrize(("trainers", "running", "per", "unregistered", "ok", "n_reasons"), [
    (3, 6, 2, (), True, 0),
    (3, 7, 2, (), False, 1),
    (0, 1, 2, (), False, 1),
    (2, 1, 2, ("张三",), False, 1),
    (1, 5, 2, ("张三", "李四"), False, 2),
])
def test_teacher_capacity(trainers, running, per, unregistered, ok, n_reasons) -> None:
    decision = rules.check_teacher_capacity(rules.CapacityFacts(
        registered_trainers=trainers, running_classes=running, classes_per_trainer=per,
        unregistered_teachers=unregistered))
    assert decision.ok is ok and len(decision.reasons) == n_reasons and decision.limit == trainers * per
