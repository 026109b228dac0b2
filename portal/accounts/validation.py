"""What every account use case checks the same way: the error it raises, addresses and names.

Validation collects every problem and raises one `AccountError` whose `errors` map form
fields to messages, so the view shows each beside its field.
"""
from __future__ import annotations

from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from ..kernel.errors import ValidationError

DISPLAY_NAME_MAX = 60
DELETED_HANDLE = "deleted_"  # deleted accounts' handles; nobody else may take one


class AccountError(ValidationError):
    """One or more problems with what the member sent, by form field."""


def normalise_email(raw: str) -> str:
    """The address as stored: validated and lower-cased. Raises ValueError."""
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from exc
    return result.normalized.lower()


def clean_display_name(raw: str, errors: dict[str, list[Any]]) -> str:
    """The name with its spaces tidied; a problem with it is added to `errors`."""
    name = " ".join(raw.split())
    if not name:
        errors.setdefault("display_name", []).append(_l("Enter the name other members will see."))
    elif len(name) > DISPLAY_NAME_MAX:
        errors.setdefault("display_name", []).append(_l("Keep your name under %(n)s characters.", n=DISPLAY_NAME_MAX))
    return name


def initials(name: str | None, most: int = 2) -> str:
    """Up to `most` initials, letters only: "Morgan (Fernhill)" -> "MF", never "M(" ; "?" for a name without letters."""
    found = [next(c for c in word if c.isalpha()) for word in (name or "").split() if any(c.isalpha() for c in word)]
    return "".join(found[:most]).upper() or "?"
