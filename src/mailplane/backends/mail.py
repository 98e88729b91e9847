"""The mail-backend interface: what the worker asks of the mail servers.

Every call is idempotent and keyed by the resource's code and generation, so a step repeated
after a crash changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class DomainSpec:
    code: str
    name: str
    generation: int
    enabled: bool
    imap_disabled: bool = False
    pop_disabled: bool = False
    smtp_disabled: bool = False
    catch_all_destination: str | None = None


@dataclass(frozen=True)
class MailboxSpec:
    code: str
    address: str
    domain_name: str
    generation: int
    enabled: bool
    quota_bytes: int
    is_postmaster: bool = False
    flags: dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class AliasSpec:
    """An email alias: ``address`` forwards to every one of ``destinations``."""

    code: str
    address: str
    domain_name: str
    generation: int
    destinations: tuple[str, ...] = ()


@dataclass(frozen=True)
class AliasDomainSpec:
    """An alias domain: ``x@name`` reaches ``x@domain_name``."""

    code: str
    name: str
    domain_name: str
    generation: int
    enabled: bool


class MailBackend(Protocol):
    """What touches the mail servers. Implementations must be idempotent per generation."""

    name: str

    def apply_domain(self, domain: DomainSpec) -> None:
        """Make the domain route mail (or stop routing it, when disabled)."""

    def remove_domain(self, domain: DomainSpec, mailboxes: list[MailboxSpec]) -> None:
        """Remove the domain and everything stored for its mailboxes."""

    def apply_mailbox(self, mailbox: MailboxSpec) -> None:
        """Make the mailbox match its spec (exists, quota, enabled or not)."""

    def remove_mailbox(self, mailbox: MailboxSpec) -> None:
        """Remove the mailbox and its mail."""

    def used_space(self, mailbox: MailboxSpec) -> int | None:
        """Bytes the mailbox uses, or None where the backend cannot tell."""

    def apply_alias(self, alias: AliasSpec) -> None:
        """Make the alias forward to its destinations."""

    def remove_alias(self, alias: AliasSpec) -> None:
        """Stop forwarding the alias."""

    def apply_alias_domain(self, alias_domain: AliasDomainSpec) -> None:
        """Make the alias domain route mail to its domain."""

    def remove_alias_domain(self, alias_domain: AliasDomainSpec) -> None:
        """Stop routing the alias domain."""
