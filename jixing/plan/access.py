"""Who may act on plan objects: allocations, chain leaders and studios, self-arranged training
(object predicates; issue 14, build 5)."""

from __future__ import annotations

from jixing.core.actor import Actor
from jixing.core.roles import Role

from .chain_models import MasterStudio
from .programme_models import SelfArrangedTraining

PROVINCE_CODE = "370000"


def can_allocate(user: Actor) -> bool:
    """Allocations are set by the provincial HRSS office (seed 三(一): 省人社厅牵头)."""
    return user.role == Role.HRSS_OFFICER and user.region_id == PROVINCE_CODE


def can_manage(user: Actor) -> bool:
    """HRSS officers recognise chain leaders and studios in their region (seed 一(七), 三(一))."""
    return user.role == Role.HRSS_OFFICER


def can_edit_members(user: Actor, studio: MasterStudio) -> bool:
    """The host enterprise keeps its roll of masters and apprentices; HRSS officers of the region too."""
    if user.role == Role.INSTITUTION:
        return user.organisation_id in {studio.host_id, studio.organisation_id}
    return user.role == Role.HRSS_OFFICER and MasterStudio.objects.visible_to(user).filter(pk=studio.pk).exists()


def can_review(user: Actor, record: SelfArrangedTraining) -> bool:
    """An HRSS officer whose region holds the trainee's record."""
    return (user.role == Role.HRSS_OFFICER
            and SelfArrangedTraining.objects.visible_to(user).filter(pk=record.pk).exists())
