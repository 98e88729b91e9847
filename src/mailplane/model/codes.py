"""Typed, random resource codes (spec §1)."""

from __future__ import annotations

import re
import secrets
from enum import Enum


class Kind(Enum):
    """A kind of resource and the shape of its code: prefix and number of digits."""

    DOMAIN = ("D", 9)
    POSTMASTER = ("P", 9)
    EMAIL_ACCOUNT = ("EA", 8)
    EMAIL_ALIAS = ("AE", 8)
    ALIAS_DOMAIN = ("AD", 8)
    CUSTOMER = ("C", 9)
    TOKEN = ("T", 9)
    WEBHOOK = ("W", 9)

    @property
    def prefix(self) -> str:
        return self.value[0]

    @property
    def digits(self) -> int:
        return self.value[1]

    def pattern(self) -> re.Pattern[str]:
        return _PATTERNS[self]


_PATTERNS = {kind: re.compile(rf"^{kind.prefix}\d{{{kind.digits}}}$") for kind in Kind}


def new_code(kind: Kind) -> str:
    """A fresh random code of the given kind, e.g. ``D482913004``."""
    return kind.prefix + "".join(str(secrets.randbelow(10)) for _ in range(kind.digits))


def is_code(kind: Kind, value: str) -> bool:
    return bool(kind.pattern().match(value))
