"""Validation rules of spec §3.3 and §4, as pure functions returning field errors."""

from __future__ import annotations

import ipaddress
import re

import idna

from mailplane.model.errors import FieldError
from mailplane.model.quota import QUOTA_VALUES

PASSWORD_MIN = 8
PASSWORD_MAX = 72  # bytes (UTF-8): bcrypt, which Dovecot verifies, reads no more
LOCAL_PART_MAX = 64
_LOCAL_PART = re.compile(r"^[a-z0-9._+-]+$")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
LANGUAGES = ("it", "en", "es")
PLANS = ("basic", "professional", "enterprise")
OWNERSHIP_MAILBOXES = ("admin", "administrator", "hostmaster", "postmaster", "webmaster")


def normalize_domain_name(value: str) -> tuple[str | None, str | None]:
    """Return ``(a_label_name, None)`` or ``(None, problem)`` for a domain name."""
    name = value.strip().rstrip(".").lower()
    if not name:
        return None, "can't be blank"
    if name.startswith("www."):
        return None, "must not start with www."
    try:
        ascii_name = idna.encode(name, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        return None, "is not a valid domain name"
    labels = ascii_name.split(".")
    if len(ascii_name) > 253 or len(labels) < 2:
        return None, "is not a valid domain name"
    if not all(_LABEL.match(label) for label in labels):
        return None, "is not a valid domain name"
    if labels[-1].isdigit():
        return None, "is not a valid domain name"
    return ascii_name, None


def password_errors(
    password: str | None,
    confirmation: str | None,
    field: str = "password",
    *,
    required: bool = True,
) -> list[FieldError]:
    """Password rules: present, 8+ characters, a letter and a digit, confirmed."""
    confirm_field = f"{field}_confirmation"
    if password is None:
        return [FieldError(field, "can't be blank")] if required else []
    errors: list[FieldError] = []
    if len(password) < PASSWORD_MIN:
        errors.append(FieldError(field, f"is too short (minimum is {PASSWORD_MIN} characters)"))
    elif len(password.encode("utf-8")) > PASSWORD_MAX:
        errors.append(FieldError(field, f"is too long (maximum is {PASSWORD_MAX} bytes)"))
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        errors.append(FieldError(field, "must contain at least one letter and one digit"))
    if confirmation is None:
        errors.append(FieldError(confirm_field, "can't be blank"))
    elif confirmation != password:
        errors.append(FieldError(confirm_field, f"doesn't match {field.replace('_', ' ')}"))
    return errors


def local_part_error(name: str) -> str | None:
    """Problem with a mailbox or alias local part, or None."""
    if not name:
        return "can't be blank"
    if len(name) > LOCAL_PART_MAX:
        return f"is too long (maximum is {LOCAL_PART_MAX} characters)"
    if not _LOCAL_PART.match(name):
        return "is invalid (letters, digits, '.', '_', '-', '+' only)"
    if name.startswith(".") or name.endswith(".") or ".." in name:
        return "is invalid (no leading, trailing or double dot)"
    return None


def email_address_error(address: str) -> str | None:
    """Problem with a full e-mail address, or None."""
    local, sep, domain = address.strip().lower().rpartition("@")
    if not sep:
        return "is not a valid email address"
    if local_part_error(local) is not None:
        return "is not a valid email address"
    if normalize_domain_name(domain)[1] is not None and not domain.startswith("www."):
        return "is not a valid email address"
    return None


def quota_error(value: int, ceiling: int | None = None) -> str | None:
    """Problem with a quota value, or None."""
    if value not in QUOTA_VALUES:
        return "is not included in the list"
    if ceiling is not None and value > ceiling:
        return f"must be less than or equal to {ceiling}"
    return None


def network_error(value: str) -> str | None:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return f"contains an invalid IP or network: {value!r}"
    return None
