"""Validation problems, reported one per field as the API's 422 body lists them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str
    description: str


class ValidationFailed(Exception):
    """Raised with every problem found in one request."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.field} {e.description}" for e in errors))
        self.errors = errors

    @classmethod
    def one(cls, field: str, description: str) -> ValidationFailed:
        return cls([FieldError(field, description)])


class NotFound(Exception):
    """No such resource, or not visible to the caller."""


class Forbidden(Exception):
    """The caller's role may not do this."""
