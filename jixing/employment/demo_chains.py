"""Demo tags (issue 17): training projects carry an industrial chain and named programmes, job
demands a chain. Employment sits above training and plan, so it may tag both."""

from __future__ import annotations

import random

from jixing.core.demo import DemoContext
from jixing.plan.models import ChainLeader, IndustrialChain, Programme
from jixing.training.models import TrainingProject

from .models import JobDemand

# action number → programme codes its projects may belong to (seed 一(四), 一(五), 一(八))
PROGRAMMES_BY_ACTION = {
    4: ("jinguo_housekeeping", "housekeeping_brand"),
    5: ("shuangqian", "micro_major", "hongzhi", "skills_to_campus"),
    8: ("short_quick",),
}


def seed(ctx: DemoContext) -> None:
    # its own generator: the apps seeded after this one get the same data as without it
    rng = random.Random(ctx.seed + 18)
    chains = list(IndustrialChain.objects.order_by("tier", "number"))
    leads = dict(ChainLeader.objects.values_list("organisation_id", "chain_id"))
    programmes = {p.code: p for p in Programme.objects.all()}
    tagged = in_programmes = 0
    for project in TrainingProject.objects.select_related("action").order_by("id"):
        chain_id = leads.get(project.partner_id or -1) or leads.get(project.organiser_id)
        if chain_id is None and rng.random() < 0.3:
            chain_id = rng.choice(chains).pk
        if chain_id is not None:
            TrainingProject.objects.filter(pk=project.pk).update(chain_id=chain_id)
            tagged += 1
        codes = PROGRAMMES_BY_ACTION.get(project.action.number, ())
        if codes and rng.random() < 0.7:
            project.programmes.add(programmes[rng.choice(codes)])
            in_programmes += 1
    demands = 0
    for demand in JobDemand.objects.order_by("id"):
        chain_id = leads.get(demand.employer_id)
        if chain_id is None and rng.random() < 0.3:
            chain_id = rng.choice(chains).pk
        if chain_id is not None:
            JobDemand.objects.filter(pk=demand.pk).update(chain_id=chain_id)
            demands += 1
    ctx.counts["projects_with_chain"], ctx.counts["projects_in_programmes"] = tagged, in_programmes
    ctx.counts["job_demands_with_chain"] = demands
