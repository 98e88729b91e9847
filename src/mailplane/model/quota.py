"""Quota values, in bytes (spec §3.3)."""

from __future__ import annotations

from typing import Final

QUOTA_VALUES: Final[tuple[int, ...]] = (
    52428800,
    1073741824,
    2147483648,
    3221225472,
    4294967296,
    5368709120,
    6442450944,
    7516192768,
    8589934592,
    17179869184,
    26843545600,
    53687091200,
    107374182400,
)
DEFAULT_DOMAIN_MAX_QUOTA: Final = 8589934592
DEFAULT_MAILBOX_QUOTA: Final = 1073741824
POSTMASTER_QUOTA: Final = 52428800
