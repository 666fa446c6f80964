"""Reads for chains, studios and programmes (pages, API, dashboard)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from .chain_models import ChainLeader


def reason_texts(reasons: list[dict[str, Any]] | None) -> list[str]:
    """The stored claim-decision reasons (codes from chain_rules.self_training_claim) in the reader's language."""
    texts = {
        "no_city_rule": _("The city has no rule in force for self-arranged training on the last training day."),
        "city_not_claimable": _("The city's rule does not subsidise self-arranged training."),
        "person_blocked": _("The person is blacklisted or under a case decision (seed 二(六))."),
        "over_age": _("Aged %(age)s on the first training day, above the city's limit of %(max_age)s."),
        "no_fee": _("No fee was paid: nothing to claim."),
        "claimable": _("Claimable: %(amount)s yuan under the city's rule."),
        "capped": _("Capped at the city's maximum of %(max_amount)s yuan."),
    }
    out = []
    for reason in reasons or []:
        template = texts.get(str(reason.get("code")), str(reason.get("code")))
        params = {k: v for k, v in reason.items() if k != "code"}
        out.append(template % params if params else template)
    return out


def leader_org_ids(organisation_ids: list[int]) -> set[int]:
    """Which of these organisations lead a chain now (a live recognition)."""
    return set(ChainLeader.objects.filter(organisation_id__in=organisation_ids, archived_at__isnull=True)
               .values_list("organisation_id", flat=True))
