"""The one error services raise for bad input, and how views show it beside the fields."""
from __future__ import annotations

from typing import Any

from flask import flash
from flask_wtf import FlaskForm


class ValidationError(Exception):
    """One or more problems with what was sent, keyed by form field name."""

    def __init__(self, errors: dict[str, list[Any]]):
        super().__init__("; ".join(str(m) for messages in errors.values() for m in messages))
        self.errors = errors


def apply_errors(form: FlaskForm, error: ValidationError) -> None:
    """Put each message beside its field; ones without a field become flash messages."""
    for name, messages in error.errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = [*field.errors, *(str(m) for m in messages)]
        else:
            for message in messages:
                flash(str(message), "danger")
