"""manage.py restrict_person --as OFFICER (--person PK | --id-number NUMBER) --kind blacklist|case_decision
--from YYYY-MM-DD [--until YYYY-MM-DD] [--reference DOC] --reason TEXT [--json]

manage.py restrict_person --as OFFICER --lift RESTRICTION_ID --reason TEXT [--json]

Records (or lifts) a person's restriction through ``registry.actions`` as the named HRSS officer:
the same scope checks, messages and audit rows as the page and the API. Nothing is written on
any error (exit status 1, the message names the field)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jixing.accounts.models import Role, User
from jixing.registry import actions
from jixing.registry.models import Person, PersonRestriction, RestrictionKind
from jixing.registry.validators import normalise_id_number


def _date(value: str | None, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--{field}: {value!r} is not a date (YYYY-MM-DD).") from None


def _messages(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return " ".join(exc.messages)


class Command(BaseCommand):
    help = "Restrict a person from subsidies (blacklist or case decision), or lift a restriction (--lift ID)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--as", dest="username", required=True, help="the HRSS officer on whose behalf this runs")
        parser.add_argument("--person", type=int, help="the person's record id")
        parser.add_argument("--id-number", help="the person's 18-character resident ID number")
        parser.add_argument("--kind", choices=RestrictionKind.values)
        parser.add_argument("--from", dest="starts_on", help="first day of the restriction (default: today)")
        parser.add_argument("--until", dest="ends_on", help="last day (default: no end)")
        parser.add_argument("--reference", default="", help="the document or case number that decided it")
        parser.add_argument("--reason", required=True)
        parser.add_argument("--lift", type=int, metavar="RESTRICTION_ID", help="lift this restriction instead")
        parser.add_argument("--json", action="store_true", help="print one JSON object on one line")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None or user.role != Role.HRSS_OFFICER:
            raise CommandError(f"{options['username']!r} is not an active HRSS officer.")
        try:
            if options["lift"] is not None:
                found = PersonRestriction.objects.visible_to(user).filter(pk=options["lift"]).first()
                if found is None:
                    raise CommandError(f"No restriction {options['lift']} in {user.username}'s scope.")
                restriction = actions.lift_restriction(found, by=user, reason=options["reason"])
            else:
                person = self._person(user, options)
                if not options["kind"]:
                    raise CommandError("Give --kind blacklist or --kind case_decision.")
                restriction = actions.restrict_person(
                    person, by=user, kind=options["kind"], reason=options["reason"],
                    starts_on=_date(options["starts_on"], "from") or timezone.localdate(),
                    ends_on=_date(options["ends_on"], "until"), reference=options["reference"],
                )
        except ValidationError as exc:
            raise CommandError(_messages(exc)) from None
        except PermissionDenied:
            raise CommandError(f"{user.username} may not restrict this person (outside their region).") from None
        result = {
            "ok": True, "restriction": restriction.pk, "person": restriction.person_id,
            "id_number": restriction.person.masked_id_number, "kind": restriction.kind,
            "starts_on": restriction.starts_on.isoformat(),
            "ends_on": restriction.ends_on.isoformat() if restriction.ends_on else None,
            "reference": restriction.reference, "lifted": restriction.lifted_at is not None,
        }
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            verb = "lifted" if result["lifted"] else "recorded"
            self.stdout.write(f"Restriction {restriction.pk} on {result['id_number']} {verb}.")

    @staticmethod
    def _person(user: User, options: dict[str, Any]) -> Person:
        visible = Person.objects.visible_to(user)
        if options["id_number"]:
            try:
                number = normalise_id_number(options["id_number"])
            except ValidationError as exc:
                raise CommandError(f"--id-number: {' '.join(exc.messages)}") from None
            person = visible.with_id_number(number).first()
        elif options["person"] is not None:
            person = visible.filter(pk=options["person"]).first()
        else:
            raise CommandError("Give --person PK or --id-number NUMBER.")
        if person is None:
            raise CommandError(f"No such person in {user.username}'s scope.")
        return person
