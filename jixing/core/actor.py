"""Who acts or reads, as the rules below ``accounts`` see them (issue 14, build 5).

``accounts.User`` satisfies ``Actor``; core and every app name it in signatures (``by:
Actor``, ``user: Actor``) instead of ``Any``, without importing ``accounts``. Read-only
properties, so a model's fields (and a test double's attributes) match.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeAlias

from django.contrib.auth.models import AnonymousUser


class Actor(Protocol):
    @property
    def pk(self) -> Any: ...

    @property
    def role(self) -> str: ...

    @property
    def region_id(self) -> str | None: ...

    @property
    def department_id(self) -> int | None: ...

    @property
    def organisation_id(self) -> int | None: ...

    @property
    def person_id(self) -> int | None: ...

    @property
    def is_active(self) -> bool: ...

    @property
    def is_authenticated(self) -> bool: ...


#: Who reads: an ``Actor`` or Django's anonymous user (``HttpRequest.user`` before the role
#: checks narrow it). Reads (``visible_to``, ``get_for_user``, ``scope_for``) take a Viewer and
#: give an anonymous one nothing; writes take an ``Actor``.
Viewer: TypeAlias = "Actor | AnonymousUser"
