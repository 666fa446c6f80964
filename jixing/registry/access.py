"""Who may write one registry record (object predicates; issue 14, build 5)."""

from __future__ import annotations

from jixing.core.actor import Actor

from .models import Organisation, Person
from .queries import organisations_writable_by, persons_writable_by


def can_write_person(user: Actor, person: Person) -> bool:
    return persons_writable_by(user).filter(pk=person.pk).exists()


def can_write_organisation(user: Actor, organisation: Organisation) -> bool:
    return organisations_writable_by(user).filter(pk=organisation.pk).exists()

