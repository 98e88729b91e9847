"""Time as mailplane keeps it: naive UTC datetimes in storage, ISO 8601 with ``Z`` on the wire."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def iso(value: datetime | None) -> str | None:
    """``2026-11-24T10:15:02Z`` or None."""
    if value is None:
        return None
    return value.replace(microsecond=0).isoformat() + "Z"
