"""Lifecycle events and webhook subscriptions (spec §6): the names, the rules, no I/O."""

from __future__ import annotations

from typing import Final
from urllib.parse import urlsplit

from mailplane.model.errors import FieldError

DOMAIN_OWNERSHIP_VERIFIED: Final = "domain.ownership_verified"
DOMAIN_ENABLED: Final = "domain.enabled"
DOMAIN_DISABLED: Final = "domain.disabled"
DOMAIN_DELETED: Final = "domain.deleted"
EMAIL_ACCOUNT_ENABLED: Final = "email_account.enabled"
EMAIL_ACCOUNT_UPDATED: Final = "email_account.updated"
EMAIL_ACCOUNT_DELETED: Final = "email_account.deleted"
EMAIL_ACCOUNT_QUOTA_WARNING: Final = "email_account.quota_warning"

EVENT_TYPES: Final = (
    DOMAIN_OWNERSHIP_VERIFIED,
    DOMAIN_ENABLED,
    DOMAIN_DISABLED,
    DOMAIN_DELETED,
    EMAIL_ACCOUNT_ENABLED,
    EMAIL_ACCOUNT_UPDATED,
    EMAIL_ACCOUNT_DELETED,
    EMAIL_ACCOUNT_QUOTA_WARNING,
)

# percentages of a mailbox's quota that raise ``email_account.quota_warning``
QUOTA_THRESHOLDS: Final = (80, 95)

MIN_SECRET_LENGTH: Final = 16
MAX_SECRET_LENGTH: Final = 256
MAX_URL_LENGTH: Final = 2048


def quota_level(used: int | None, quota: int) -> int:
    """The highest threshold (0, 80 or 95) that ``used`` bytes reach of ``quota`` bytes."""
    if used is None or quota <= 0:
        return 0
    reached = [t for t in QUOTA_THRESHOLDS if used * 100 >= quota * t]
    return max(reached, default=0)


def crossed(previous: int, level: int) -> list[int]:
    """The thresholds passed going up from ``previous`` to ``level`` (none going down)."""
    return [t for t in QUOTA_THRESHOLDS if previous < t <= level]


def url_error(url: str | None) -> str | None:
    if url is None or not url.strip():
        return "can't be blank"
    if len(url) > MAX_URL_LENGTH:
        return f"is too long (maximum is {MAX_URL_LENGTH} characters)"
    try:
        parts = urlsplit(url)
        port = parts.port  # raises on a malformed port
    except ValueError:
        return "is not a valid URL"
    if parts.scheme not in ("http", "https"):
        return "must be an http or https URL"
    if not parts.hostname or any(c.isspace() for c in url):
        return "is not a valid URL"
    if port == 0:
        return "is not a valid URL"
    if parts.username or parts.password:
        return "must not contain credentials"
    return None


def webhook_errors(
    url: str | None, events: list[str] | None, secret: str | None
) -> list[FieldError]:
    errors: list[FieldError] = []
    if problem := url_error(url):
        errors.append(FieldError("url", problem))
    if events is None or not events:
        errors.append(FieldError("events", "can't be blank"))
    elif any(name not in EVENT_TYPES for name in events):
        errors.append(FieldError("events", "is not included in the list"))
    if secret is None or not secret:
        errors.append(FieldError("secret", "can't be blank"))
    elif len(secret) < MIN_SECRET_LENGTH:
        errors.append(
            FieldError("secret", f"is too short (minimum is {MIN_SECRET_LENGTH} characters)")
        )
    elif len(secret) > MAX_SECRET_LENGTH:
        errors.append(
            FieldError("secret", f"is too long (maximum is {MAX_SECRET_LENGTH} characters)")
        )
    return errors
