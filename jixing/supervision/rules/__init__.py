"""Risk rules, one module each, registered by kind (``REGISTRY``: kind → class).

Each rule follows a fraud type the 2022 national audit of vocational training subsidies
found (fake trainees, fabricated attendance and lesson brushing, fake projects, improper
certificates); seed 二(六) requires such cases to be found, recovered and punished.
"""

from __future__ import annotations

from importlib import import_module

from .base import REGISTRY, Hit, Param, Rule, clean_params, fingerprint, register

_MODULES = [
    "r01_person_overlap", "r02_teacher_overlap", "r03_proxy_sign_in", "r04_lesson_brushing",
    "r05_far_check_in", "r06_ineligible_trainee", "r07_subsidy_caps", "r08_evaluation_anomalies",
    "r09_claim_without_basis", "r10_shared_contact", "r11_capacity", "r12_spot_check", "r13_late_class_filing",
]
for _name in _MODULES:
    import_module(f"{__name__}.{_name}")


def by_code() -> dict[str, type[Rule]]:
    return {cls.code: cls for cls in sorted(REGISTRY.values(), key=lambda c: c.code)}


def get(code: str) -> type[Rule]:
    try:
        return by_code()[code]
    except KeyError:
        raise KeyError(code) from None


__all__ = ["REGISTRY", "Hit", "Param", "Rule", "by_code", "clean_params", "fingerprint", "get", "register"]
