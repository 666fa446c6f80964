"""Demo job demands (runs after registry and accounts, BEFORE training): a few posts per demo
enterprise in every city, mostly open, put in ``ctx.shared["job_demands"]`` so the training
demo can link order-type projects to them. Outcomes come later: ``demo_outcomes.py``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from jixing.accounts.models import Role, User
from jixing.core.demo import DemoContext
from jixing.registry.models import Occupation, Organisation, OrganisationKind, SkillLevel

from .models import JobDemand, JobDemandStatus

# Monthly wage ranges by skill level (yuan), roughly Shandong manufacturing and services 2025.
WAGES = {None: (3800, 5500), 1: (3200, 4200), 2: (3800, 5000), 3: (4500, 6500), 4: (5500, 8000), 5: (7000, 10000)}
POSTS = ["操作工", "技术员", "班组骨干", "储备技工", "服务专员", "维修工"]


def seed(ctx: DemoContext) -> None:
    rng = ctx.rng
    today = timezone.localdate()
    enterprises = [o for o in ctx.shared.get("organisations", []) if o.kind == OrganisationKind.ENTERPRISE]
    if not enterprises:
        enterprises = list(Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE).order_by("id"))
    occupations = list(Occupation.objects.order_by("id"))
    levels = {lv.pk: lv for lv in SkillLevel.objects.all()}
    staff = {u.organisation_id: u for u in User.objects.filter(role=Role.INSTITUTION, organisation__in=enterprises)}
    officer = (User.objects.filter(role=Role.HRSS_OFFICER, region_id="370000").order_by("id").first()
               or User.objects.filter(role=Role.HRSS_OFFICER).order_by("id").first())
    if not occupations or officer is None:
        ctx.shared["job_demands"] = []
        return
    demands: list[JobDemand] = []
    for org in enterprises:
        for _n in range(rng.choice((2, 3, 3, 4))):
            occupation = rng.choice(occupations)
            level = rng.choice((None, 2, 3, 3, 4, 5))
            low, high = WAGES[level]
            wage_min = Decimal(rng.randrange(low, (low + high) // 2, 100))
            wage_max = wage_min + Decimal(rng.randrange(500, 2500, 100))
            roll = rng.random()
            status = JobDemandStatus.OPEN if roll < 0.8 else (JobDemandStatus.FILLED if roll < 0.9 else JobDemandStatus.CLOSED)
            demands.append(JobDemand(
                employer=org, title=f"{occupation.name}{rng.choice(POSTS)}"[:100], occupation=occupation,
                level=levels.get(level) if level else None, posts=rng.choice((2, 3, 5, 8, 10, 20, 30)),
                wage_min=wage_min, wage_max=wage_max, county=org.county,
                deadline=today + dt.timedelta(days=rng.randrange(30, 240)),
                description=ctx.faker.sentence(nb_words=12), status=status,
                created_by=staff.get(org.pk, officer),
            ))
    JobDemand.objects.bulk_create(demands)
    saved = list(JobDemand.objects.select_related("employer", "occupation", "level", "county").order_by("id"))
    ctx.shared["job_demands"] = saved
    ctx.counts["job_demands"] = len(saved)
