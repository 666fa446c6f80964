"""Deterministic demo data: each app may have ``demo.py`` with ``seed(ctx: DemoContext)``.

``seed_demo`` runs the modules listed in DEMO_ORDER (``jixing.<entry>``), so a later app can use what an earlier one made.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from faker import Faker

DEMO_ORDER = [
    "registry.demo", "bases.demo", "registry.demo_accounts", "bases.demo_bookings", "plan.demo", "employment.demo",
    "training.demo", "employment.demo_chains", "evaluation.demo", "evaluation.engineer_demo", "trainers.demo",
    "employment.demo_outcomes", "funds.demo", "supervision.demo", "stats.demo", "notify.demo",
    "ops.demo",
]

SCALES = {
    # persons, organisations per city, projects per city
    "small": {"persons": 1_200, "orgs_per_city": 4, "projects_per_city": 3},
    "medium": {"persons": 20_000, "orgs_per_city": 12, "projects_per_city": 12},
}


@dataclass
class DemoContext:
    scale: str
    seed: int
    rng: random.Random
    faker: Faker
    counts: dict[str, int] = field(default_factory=dict)
    shared: dict[str, Any] = field(default_factory=dict)  # objects made by earlier apps

    @property
    def size(self) -> dict[str, int]:
        return SCALES[self.scale]


def new_context(scale: str, seed: int) -> DemoContext:
    faker = Faker("zh_CN")
    faker.seed_instance(seed)
    return DemoContext(scale=scale, seed=seed, rng=random.Random(seed), faker=faker)
