"""Writes for industrial chains and skill-master studios (seed 一(七)). Atomic, keyword-only
``by``, one audit row each; refusals are ValidationError / PermissionDenied with a message."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixing.core import audit
from jixing.registry.models import Occupation, Organisation, OrganisationKind, Person

from .access import can_edit_members, can_manage
from .chain_models import ChainLeader, IndustrialChain, MasterStudio, StudioLevel, StudioMember, StudioRole

# Chain-leader enterprises are enterprises; a college or a training institution leads no chain.
LEADER_KINDS = frozenset({OrganisationKind.ENTERPRISE})


def _require_officer_over(by: Any, organisation: Organisation) -> None:
    if not can_manage(by) or not Organisation.objects.visible_to(by).filter(pk=organisation.pk).exists():
        raise PermissionDenied(_("Only an HRSS officer of the enterprise's region may do this."))


def recognise_chain_leader(*, by: Any, chain: IndustrialChain, organisation: Organisation, recognised_on: dt.date,
                           basis: str) -> ChainLeader:
    _require_officer_over(by, organisation)
    if organisation.kind not in LEADER_KINDS:
        raise ValidationError({"organisation": _("“%(name)s” is not an enterprise; only an enterprise leads a chain.")
                               % {"name": organisation.name}})
    if not basis.strip():
        raise ValidationError({"basis": _("Name the document or decision that recognises the enterprise.")})
    if ChainLeader.objects.filter(chain=chain, organisation=organisation, archived_at__isnull=True).exists():
        raise ValidationError({"organisation": _("“%(name)s” is already a chain leader of %(chain)s.")
                               % {"name": organisation.name, "chain": chain.name}})
    with transaction.atomic():
        leader = ChainLeader.objects.create(chain=chain, organisation=organisation, recognised_on=recognised_on,
                                            basis=basis.strip(), added_by=by)
        if not organisation.is_chain_leader:
            # the registry's flag follows the recognitions (it predates the chain list)
            Organisation.objects.filter(pk=organisation.pk).update(is_chain_leader=True)
        audit.record("plan.chain_leader.recognise", actor=by, obj=leader,
                     detail={"chain": chain.code, "organisation": organisation.pk})
    return leader


def withdraw_chain_leader(leader: ChainLeader, *, by: Any, reason: str) -> ChainLeader:
    """Archive (never delete) a recognition; the flag drops when no live recognition is left."""
    _require_officer_over(by, leader.organisation)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    if leader.is_archived:
        raise ValidationError(_("This recognition has already been withdrawn."))
    with transaction.atomic():
        leader.archived_at, leader.archived_by, leader.archive_reason = timezone.now(), by, reason.strip()[:500]
        leader.save(update_fields=["archived_at", "archived_by", "archive_reason", "updated_at"])
        if not ChainLeader.objects.filter(organisation=leader.organisation, archived_at__isnull=True).exists():
            Organisation.objects.filter(pk=leader.organisation_id).update(is_chain_leader=False)
        audit.record("plan.chain_leader.withdraw", actor=by, obj=leader, detail={"reason": reason.strip()[:200]})
    return leader


def register_studio(*, by: Any, name: str, host: Organisation, level: str, recognised_on: dt.date,
                    chain: IndustrialChain | None = None, occupation: Occupation | None = None,
                    organisation: Organisation | None = None) -> MasterStudio:
    _require_officer_over(by, host)
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Enter the studio's name.")]
    if level not in StudioLevel.values:
        errors["level"] = [_("Choose the studio's level.")]
    if organisation is not None and organisation.kind != OrganisationKind.MASTER_STUDIO:
        errors["organisation"] = [_("The linked organisation must be registered as a skill master studio.")]
    if MasterStudio.objects.filter(host=host, name=name.strip()).exists():
        errors["name"] = [_("“%(host)s” already has a studio of this name.") % {"host": host.name}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        studio = MasterStudio.objects.create(
            name=name.strip(), host=host, level=level, recognised_on=recognised_on, chain=chain,
            occupation=occupation, organisation=organisation, county=host.county, added_by=by)
        audit.record("plan.studio.register", actor=by, obj=studio,
                     detail={"host": host.pk, "chain": chain.code if chain else None, "level": level})
    return studio


def add_studio_member(studio: MasterStudio, *, by: Any, person: Person, role: str, joined_on: dt.date,
                      master: StudioMember | None = None) -> StudioMember:
    if not can_edit_members(by, studio):
        raise PermissionDenied(_("Only the host enterprise or an HRSS officer of its region keeps the studio's roll."))
    errors: dict[str, list[str]] = {}
    if role not in StudioRole.values:
        errors["role"] = [_("Choose master or apprentice.")]
    if role == StudioRole.APPRENTICE:
        if master is None:
            errors["master"] = [_("Name the apprentice's master.")]
        elif master.studio_id != studio.pk or master.role != StudioRole.MASTER or master.is_archived:
            errors["master"] = [_("The master must be a current master of this studio.")]
    elif master is not None:
        errors["master"] = [_("Only an apprentice has a master.")]
    if StudioMember.objects.filter(studio=studio, person=person, role=role, archived_at__isnull=True).exists():
        errors["person"] = [_("%(name)s is already on the studio's roll in this role.") % {"name": person.name}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        member = StudioMember.objects.create(studio=studio, person=person, role=role, joined_on=joined_on,
                                             master=master if role == StudioRole.APPRENTICE else None)
        audit.record("plan.studio.member_add", actor=by, obj=member, detail={"studio": studio.pk, "role": role})
    return member


def end_studio_membership(member: StudioMember, *, by: Any, left_on: dt.date) -> StudioMember:
    if not can_edit_members(by, member.studio):
        raise PermissionDenied(_("Only the host enterprise or an HRSS officer of its region keeps the studio's roll."))
    if member.left_on is not None:
        raise ValidationError(_("This membership has already ended."))
    if left_on < member.joined_on:
        raise ValidationError({"left_on": _("The leaving day cannot be before the joining day (%(day)s).")
                               % {"day": member.joined_on.isoformat()}})
    with transaction.atomic():
        member.left_on = left_on
        member.save(update_fields=["left_on", "updated_at"])
        audit.record("plan.studio.member_end", actor=by, obj=member, detail={"left_on": left_on.isoformat()})
    return member
