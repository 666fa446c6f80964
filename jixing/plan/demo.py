"""Demo chain leaders, skill-master studios with masters and apprentices, cities' 自主参训 rules
and the demo trainee's self-arranged trainings (issue 17). Runs after the demo accounts."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from jixing.accounts.models import Role, User
from jixing.core.access import within_region
from jixing.core.demo import DemoContext
from jixing.registry.models import Occupation, Organisation, OrganisationKind, Person

from .chain_models import ChainLeader, IndustrialChain, MasterStudio, StudioLevel, StudioMember, StudioRole
from .chain_rules import CityRuleFacts, SelfTrainingFacts, self_training_claim
from .programme_models import Programme, SelfArrangedTraining, SelfTrainingCityRule, SelfTrainingStatus

# A 1×1 PNG standing in for a scanned invoice.
DEMO_PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                         "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")
# Demo values only (assumption): no city's real 自主参训 rule is known to the project.
DEMO_CITY_RULES = (("370100", True, Decimal("1500"), 35), ("370200", True, Decimal("1200"), 35),
                   ("370300", False, None, None), ("370600", True, None, 30))


def seed(ctx: DemoContext) -> None:
    # its own generator: the apps seeded after this one get the same data as without it
    rng = random.Random(ctx.seed + 17)
    province = User.objects.filter(role=Role.HRSS_OFFICER, region_id="370000").order_by("id").first()
    if province is None:
        return
    chains = list(IndustrialChain.objects.order_by("tier", "number"))
    leaders = list(Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE, is_chain_leader=True).order_by("id"))
    rows = [ChainLeader(chain=rng.choice(chains), organisation=org, recognised_on=dt.date(2025, rng.randrange(3, 12), 1),
                        basis="演示数据：市人社局认定文件", added_by=province) for org in leaders]
    ChainLeader.objects.bulk_create(rows)
    ctx.counts["chain_leaders"] = len(rows)

    occupations = list(Occupation.objects.order_by("id")[:30])
    studios = 0
    members = 0
    for leader in rows[::2]:
        org = leader.organisation
        studio = MasterStudio.objects.create(
            name=f"{org.name[:40]}技能大师工作室", host=org, chain=leader.chain, county=org.county,
            level=rng.choice([StudioLevel.PROVINCIAL, StudioLevel.CITY, StudioLevel.ENTERPRISE]),
            recognised_on=leader.recognised_on, occupation=rng.choice(occupations) if occupations else None,
            added_by=province)
        studios += 1
        people = list(Person.objects.filter(within_region("current_region", org.county_id[:4] + "00"))
                      .order_by("id")[rng.randrange(0, 40):][:3])
        if not people:
            continue
        master = StudioMember.objects.create(studio=studio, person=people[0], role=StudioRole.MASTER,
                                             joined_on=studio.recognised_on)
        members += 1
        for apprentice in people[1:]:
            StudioMember.objects.create(studio=studio, person=apprentice, role=StudioRole.APPRENTICE, master=master,
                                        joined_on=studio.recognised_on + dt.timedelta(days=30))
            members += 1
    ctx.counts["master_studios"], ctx.counts["studio_members"] = studios, members

    rules = {}
    for city, claimable, cap, max_age in DEMO_CITY_RULES:
        rules[city] = SelfTrainingCityRule.objects.create(
            city_id=city, valid_from=dt.date(2025, 1, 1), claimable=claimable, max_amount=cap, max_age=max_age,
            source="演示数据（假设）：非真实的市级文件")
    ctx.counts["self_training_city_rules"] = len(rules)

    trainee = User.objects.filter(role=Role.TRAINEE, person__isnull=False).select_related("person").first()
    officer = User.objects.filter(role=Role.HRSS_OFFICER, region_id="370102").first() or province
    if trainee is None or trainee.person is None:
        return
    person = trainee.person
    programme = Programme.objects.filter(code="youth_self_arranged").first()
    made = 0
    for n, (course, status) in enumerate((("Python 数据分析", SelfTrainingStatus.APPROVED),
                                          ("电子商务直播运营", SelfTrainingStatus.SUBMITTED))):
        record = SelfArrangedTraining(
            person=person, county=person.current_region, programme=programme, provider="济南某职业培训学校",
            course=course, starts_on=dt.date(2026, 3 + n, 2), ends_on=dt.date(2026, 3 + n, 20), hours=48,
            fee=Decimal("1800"), submitted_by=trainee, evidence_name="发票.png", evidence_sha256="demo" * 16)
        record.evidence.save(f"demo-{n}.png", ContentFile(DEMO_PNG), save=False)
        if status == SelfTrainingStatus.APPROVED:
            rule = rules.get(f"{person.current_region_id[:4]}00")
            decision = self_training_claim(
                SelfTrainingFacts(age_on_start=person.age_on(record.starts_on), fee=record.fee, person_blocked=False),
                None if rule is None else CityRuleFacts(rule.claimable, rule.max_amount, rule.max_age))
            record.status, record.reviewed_by, record.review_reason = status, officer, "材料齐全"
            record.claimable, record.claimable_amount = decision.claimable, decision.amount
            record.claim_reasons, record.city_rule = list(decision.reasons), rule
            record.reviewed_at = timezone.now()
        record.save()
        made += 1
    ctx.counts["self_trainings"] = made
