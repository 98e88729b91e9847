"""Secrets mailplane must read back (DKIM private keys, webhook signing secrets), encrypted at
rest with the service's secret key (Fernet: AES-128-CBC with HMAC-SHA256)."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet

from mailplane.config import Settings


def _key_file(settings: Settings) -> Path:
    return settings.data_dir / "secret.key"


def secret_key(settings: Settings) -> str:
    """``MAILPLANE_SECRET_KEY``, or a key kept in ``<data_dir>/secret.key`` (made on first use).

    Several hosts sharing a database must all be given the same ``MAILPLANE_SECRET_KEY``.
    """
    if settings.secret_key:
        return settings.secret_key
    path = _key_file(settings)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


def _fernet(settings: Settings) -> Fernet:
    digest = hashlib.sha256(secret_key(settings).encode("utf-8")).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(settings: Settings, plain: str) -> str:
    return _fernet(settings).encrypt(plain.encode("utf-8")).decode("ascii")


def unseal(settings: Settings, sealed: str) -> str:
    return _fernet(settings).decrypt(sealed.encode("ascii")).decode("utf-8")
