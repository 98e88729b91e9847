"""Mailbox password hashes in a scheme Dovecot verifies itself: ``{BLF-CRYPT}`` (bcrypt)."""

from __future__ import annotations

import bcrypt

SCHEME = "{BLF-CRYPT}"


def hash_password(password: str, rounds: int = 10) -> str:
    """Hash for storage; the clear password is never kept."""
    digest = bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=rounds, prefix=b"2b"))
    return SCHEME + digest.decode("ascii")


def verify_password(password: str, stored: str) -> bool:
    if not stored.startswith(SCHEME):
        return False
    return bcrypt.checkpw(password.encode("utf-8"), stored[len(SCHEME) :].encode("ascii"))
