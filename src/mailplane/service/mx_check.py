"""The MX check (``PUT …/dns``, spec §3.2): do the domain's MX records point at this service?

The route only records the request; the worker resolves the MX records through the configured
nameservers and sets ``is_healthy`` and, for an enabled domain, ``status_detail`` ``mx_error``
(or ``ok`` again once fixed). The request is not a new generation of the domain: it never
delays nor repeats the domain's own work.
"""

from __future__ import annotations

from dataclasses import dataclass

from mailplane.backends.dns import lookup_mx
from mailplane.clock import utcnow
from mailplane.model.errors import NotFound
from mailplane.runtime import Runtime
from mailplane.service.domains import visible
from mailplane.service.principal import Principal, Role
from mailplane.store.tables import Domain


@dataclass(frozen=True)
class MxResult:
    healthy: bool
    hosts: tuple[str, ...]
    message: str


def queue_check(rt: Runtime, principal: Principal, code: str) -> None:
    principal.require(Role.ADMIN, Role.CUSTOMER)
    now = utcnow()
    with rt.change() as session:
        domain = visible(session, principal, code)
        if domain.delete_requested_at is not None:
            raise NotFound()
        domain.mx_check_requested_at = now
        if domain.due_at is None or domain.due_at > now:
            domain.due_at = now


def due(domain: Domain) -> bool:
    """Whether an MX check was asked for and not yet made."""
    requested, checked = domain.mx_check_requested_at, domain.mx_checked_at
    return (
        domain.delete_requested_at is None
        and requested is not None
        and (checked is None or checked < requested)
    )


def check(rt: Runtime, name: str) -> MxResult:
    """Resolve the MX records of ``name``; healthy when every one is an expected MX host."""
    expected = rt.settings.mx_hosts
    wanted = ", ".join(expected)
    if not expected:
        return MxResult(False, (), "no expected MX hosts are configured (MAILPLANE_MX_HOSTS)")
    found = lookup_mx(name, rt.settings.dns_nameservers, rt.settings.dns_timeout)
    if found.error:
        return MxResult(False, (), found.error)
    if not found.values:
        return MxResult(False, (), f"{name} has no MX records; publish MX {name} → {wanted}")
    foreign = [host for host in found.values if host not in expected]
    if foreign:
        return MxResult(
            False,
            found.values,
            f"MX of {name} point at {', '.join(foreign)}, not at this service ({wanted})",
        )
    return MxResult(True, found.values, f"MX of {name} point at this service")
