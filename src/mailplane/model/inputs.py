"""Request bodies as typed shapes. Types are checked strictly here; rules live in ``rules``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError, field_validator

from mailplane.model.errors import FieldError, ValidationFailed

_TYPE_WORDS = {
    "string_type": "must be a string",
    "int_type": "must be an integer",
    "int_from_float": "must be an integer",
    "bool_type": "must be a boolean",
    "list_type": "must be an array",
    "dict_type": "must be an object",
    "model_type": "must be an object",
}


class Input(BaseModel):
    """Unknown fields are ignored; a field of the wrong type is an error on that field."""

    model_config = ConfigDict(strict=True, extra="ignore")
    _type_errors: list[FieldError] = PrivateAttr(default_factory=list)

    @classmethod
    def parse(cls, body: dict[str, Any]) -> Any:
        """Validate types; fields of the wrong type are dropped and remembered as errors, so
        that the rules can still report every other problem in the same answer."""
        try:
            return cls.model_validate(body)
        except ValidationError as exc:
            errors = _field_errors(exc)
        bad = {e.field for e in errors}
        model = cls.model_validate({k: v for k, v in body.items() if k not in bad})
        model._type_errors = errors
        return model

    @field_validator("*")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        """No NUL characters: no database column can store them."""
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(text, str) and "\x00" in text for text in texts):
            raise ValueError("contains a NUL character")
        return value

    def type_errors(self) -> list[FieldError]:
        return list(self._type_errors)

    def check(self, errors: list[FieldError]) -> None:
        """Raise every problem found, type errors first, one entry per field."""
        found: dict[str, FieldError] = {}
        for error in [*self._type_errors, *errors]:
            found.setdefault(error.field, error)
        if found:
            raise ValidationFailed(list(found.values()))

    def given(self, name: str) -> bool:
        return name in self.model_fields_set


def _field_errors(exc: ValidationError) -> list[FieldError]:
    errors: list[FieldError] = []
    seen: set[str] = set()
    for item in exc.errors():
        field = str(item["loc"][0]) if item["loc"] else "body"
        if field in seen:
            continue
        seen.add(field)
        errors.append(FieldError(field, _TYPE_WORDS.get(item["type"], "is invalid")))
    return errors


class ProtocolFlags(Input):
    imap_disabled: bool | None = None
    pop_disabled: bool | None = None
    smtp_disabled: bool | None = None
    webmail_disabled: bool | None = None


class DomainSettings(ProtocolFlags):
    max_email_quota: int | None = None
    default_quota: int | None = None
    max_email_accounts: int | None = None
    catch_all_enabled: bool | None = None
    catch_all_destination: str | None = None
    antispam_level: int | None = None
    allow_nets: list[str] | None = None
    postmaster_password: str | None = None
    postmaster_password_confirmation: str | None = None


class DomainCreate(DomainSettings):
    name: str | None = None
    plan: str | None = None
    customer_code: str | None = None


class StatusChange(Input):
    status: str | None = None
    bounce_msg: str | None = None


class EmailAccountSettings(ProtocolFlags):
    firstname: str | None = None
    lastname: str | None = None
    description: str | None = None
    password: str | None = None
    password_confirmation: str | None = None
    max_email_quota: int | None = None
    language: str | None = None
    timezone: str | None = None
    password_change_disabled: bool | None = None
    spam_in_inbox: bool | None = None
    tags: list[str] | None = None


class EmailAccountCreate(EmailAccountSettings):
    name: str | None = None


class CustomerCreate(Input):
    name: str | None = None


class TokenCreate(Input):
    role: str | None = None
    name: str | None = None
    customer_code: str | None = None
    domain_code: str | None = None


class WebhookCreate(Input):
    url: str | None = None
    events: list[str] | None = None
    secret: str | None = None
    customer_code: str | None = None


class EmailAliasCreate(Input):
    name: str | None = None
    destinations: list[str] | None = None


class AliasDomainCreate(Input):
    name: str | None = None
