"""Who is calling, and what they may see (spec §2)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Select

from mailplane.model.errors import Forbidden
from mailplane.store.tables import Domain


class Role(StrEnum):
    ADMIN = "admin"
    CUSTOMER = "customer"
    POSTMASTER = "postmaster"


@dataclass(frozen=True)
class Principal:
    role: Role
    token_id: int | None = None
    customer_id: int | None = None
    domain_id: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def scope_domains(self, query: Select[Domain]) -> Select[Domain]:
        """Limit a domain query to what this principal may see."""
        if self.role is Role.CUSTOMER:
            return query.where(Domain.customer_id == self.customer_id)
        if self.role is Role.POSTMASTER:
            return query.where(Domain.id == self.domain_id)
        return query

    def can_see(self, domain: Domain) -> bool:
        if self.role is Role.CUSTOMER:
            return domain.customer_id == self.customer_id
        if self.role is Role.POSTMASTER:
            return domain.id == self.domain_id
        return True

    def require(self, *roles: Role) -> None:
        if self.role not in roles:
            raise Forbidden()


ADMIN = Principal(Role.ADMIN)
