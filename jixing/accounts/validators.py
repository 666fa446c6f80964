from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jixing.core.actor import Actor


class CharacterClassValidator:
    """MLPS level 3: a password mixes at least three of upper, lower, digit and symbol."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Actor | None = None) -> None:
        classes = [
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        ]
        if sum(classes) < self.min_classes:
            raise ValidationError(
                _("The password must mix at least %(n)d of: upper-case letters, lower-case letters, digits, symbols.")
                % {"n": self.min_classes},
                code="password_character_classes",
            )

    def get_help_text(self) -> str:
        return _("Mix at least %(n)d of: upper-case letters, lower-case letters, digits, symbols.") % {
            "n": self.min_classes
        }
