"""Chains, chain leaders, skill-master studios, programmes and self-arranged training under
/api/v1/plan/ (issue 17). Reads through ``visible_to`` (404 out of scope); writes through the
actions (403/422 with the message)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.db.models import Count
from ninja import Field, Path, Router, Schema

from jixing.accounts.models import Role
from jixing.accounts.roles import READERS
from jixing.core.access import get_for_user
from jixing.core.permissions import AuthedRequest, require_api_roles

from . import programme_actions
from .chain_models import ChainLeader, IndustrialChain, MasterStudio, StudioMember
from .chain_queries import reason_texts
from .programme_models import Programme, SelfArrangedTraining

router = Router(tags=["plan: chains and programmes"])

CHAIN_READERS = (*READERS, Role.INSTITUTION)
SELF_TRAINING_ROLES = (Role.TRAINEE, Role.HRSS_OFFICER, Role.AUDITOR)
Id = Annotated[int, Path(ge=1, le=2**63 - 1)]


class ChainOut(Schema):
    code: str
    tier: str
    number: int
    name: str
    lead_department: str | None = Field(description="Department code, null where not published.")
    key_occupations: list[str] = Field(description="Occupation keys.")
    is_placeholder: bool = Field(description="True while the province's list is not verified: the name is a placeholder.")
    source: str

    @staticmethod
    def resolve_lead_department(obj: IndustrialChain) -> str | None:
        return obj.lead_department.code if obj.lead_department else None

    @staticmethod
    def resolve_key_occupations(obj: IndustrialChain) -> list[str]:
        return [o.key for o in obj.key_occupations.all()]


class ChainLeaderOut(Schema):
    chain: str
    organisation_id: int
    organisation: str
    recognised_on: dt.date
    basis: str

    @staticmethod
    def resolve_chain(obj: ChainLeader) -> str:
        return obj.chain.code

    @staticmethod
    def resolve_organisation(obj: ChainLeader) -> str:
        return obj.organisation.name


class StudioMemberOut(Schema):
    id: int
    person_name: str
    role: str
    master_id: int | None
    joined_on: dt.date
    left_on: dt.date | None

    @staticmethod
    def resolve_person_name(obj: StudioMember) -> str:
        return obj.person.name


class StudioOut(Schema):
    id: int
    name: str
    host_id: int
    host: str
    chain: str | None
    county: str
    level: str
    recognised_on: dt.date

    @staticmethod
    def resolve_host(obj: MasterStudio) -> str:
        return obj.host.name

    @staticmethod
    def resolve_chain(obj: MasterStudio) -> str | None:
        return obj.chain.code if obj.chain else None

    @staticmethod
    def resolve_county(obj: MasterStudio) -> str:
        return obj.county_id


class StudioDetailOut(StudioOut):
    members: list[StudioMemberOut]

    @staticmethod
    def resolve_members(obj: MasterStudio) -> list[Any]:
        return list(obj.members.filter(archived_at__isnull=True).select_related("person"))


class NamedProgrammeOut(Schema):
    code: str
    name: str
    action: int | None
    department: str
    starts_on: dt.date
    ends_on: dt.date
    target_person_times: int | None
    projects: int
    source: str
    is_active: bool

    @staticmethod
    def resolve_action(obj: Programme) -> int | None:
        return obj.action.number if obj.action else None

    @staticmethod
    def resolve_department(obj: Programme) -> str:
        return obj.department.code

    @staticmethod
    def resolve_projects(obj: Programme) -> int:
        return getattr(obj, "project_count", 0)


class SelfTrainingOut(Schema):
    id: int
    person_name: str
    county: str
    programme: str | None
    provider: str
    course: str
    starts_on: dt.date
    ends_on: dt.date
    hours: int
    fee: Decimal
    status: str
    claimable: bool | None = Field(description="Set on approval from the city's rule in force on the last training day.")
    claimable_amount: Decimal | None
    claim_reasons: list[str]

    @staticmethod
    def resolve_person_name(obj: SelfArrangedTraining) -> str:
        return obj.person.name

    @staticmethod
    def resolve_county(obj: SelfArrangedTraining) -> str:
        return obj.county_id

    @staticmethod
    def resolve_programme(obj: SelfArrangedTraining) -> str | None:
        return obj.programme.code if obj.programme else None

    @staticmethod
    def resolve_claim_reasons(obj: SelfArrangedTraining) -> list[str]:
        return reason_texts(obj.claim_reasons)


class ReviewIn(Schema):
    approve: bool
    reason: str = Field("", max_length=2000)


@router.get("/chains", response=list[ChainOut])
def list_chains(request: AuthedRequest, tier: str | None = None) -> Any:
    require_api_roles(request, *CHAIN_READERS)
    chains = IndustrialChain.objects.select_related("lead_department").prefetch_related("key_occupations")
    return chains.filter(tier=tier) if tier else chains


@router.get("/chain-leaders", response=list[ChainLeaderOut])
def list_chain_leaders(request: AuthedRequest, chain: str | None = None) -> Any:
    require_api_roles(request, *CHAIN_READERS)
    leaders = ChainLeader.objects.visible_to(request.user).filter(archived_at__isnull=True).select_related("chain", "organisation")
    return leaders.filter(chain__code=chain) if chain else leaders


@router.get("/studios", response=list[StudioOut])
def list_studios(request: AuthedRequest) -> Any:
    require_api_roles(request, *CHAIN_READERS)
    return MasterStudio.objects.visible_to(request.user).filter(archived_at__isnull=True).select_related("host", "chain")


@router.get("/studios/{studio_id}", response=StudioDetailOut)
def get_studio(request: AuthedRequest, studio_id: Id) -> Any:
    require_api_roles(request, *CHAIN_READERS)
    return get_for_user(MasterStudio.objects.select_related("host", "chain"), request.user, studio_id)


@router.get("/programmes", response=list[NamedProgrammeOut])
def list_programmes(request: AuthedRequest) -> Any:
    require_api_roles(request, *CHAIN_READERS)
    return Programme.objects.select_related("action", "department").annotate(project_count=Count("projects"))


def _self_trainings(user: Any) -> Any:
    return SelfArrangedTraining.objects.visible_to(user).select_related("person", "programme")


@router.get("/self-trainings", response=list[SelfTrainingOut])
def list_self_trainings(request: AuthedRequest, status: str | None = None) -> Any:
    require_api_roles(request, *SELF_TRAINING_ROLES)
    records = _self_trainings(request.user)
    return records.filter(status=status)[:500] if status else records[:500]


@router.get("/self-trainings/{record_id}", response=SelfTrainingOut)
def get_self_training(request: AuthedRequest, record_id: Id) -> Any:
    require_api_roles(request, *SELF_TRAINING_ROLES)
    return get_for_user(_self_trainings(request.user), request.user, record_id)


@router.post("/self-trainings/{record_id}/review", response=SelfTrainingOut)
def review_self_training(request: AuthedRequest, record_id: Id, body: ReviewIn) -> Any:
    require_api_roles(request, Role.HRSS_OFFICER)
    record = get_for_user(_self_trainings(request.user), request.user, record_id)
    programme_actions.review_self_training(record, by=request.user, approve=body.approve, reason=body.reason)
    return _self_trainings(request.user).get(pk=record.pk)
