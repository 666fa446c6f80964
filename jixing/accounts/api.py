"""``/api/v1/accounts/``: who am I (session or API token)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

router = Router(tags=["accounts"])


class OrganisationRef(Schema):
    id: int
    name: str


class MeOut(Schema):
    username: str
    role: str
    region: str | None
    organisation: OrganisationRef | None
    via_token: bool


@router.get("/me", response=MeOut, summary="The account this request acts as")
def me(request: HttpRequest) -> MeOut:
    user = request.user
    org = user.organisation  # type: ignore[union-attr]
    return MeOut(
        username=user.get_username(),
        role=user.role,  # type: ignore[union-attr]
        region=user.region_id,  # type: ignore[union-attr]
        organisation=OrganisationRef(id=org.pk, name=org.name) if org else None,
        via_token=getattr(request, "jixing_api_token", None) is not None,
    )
