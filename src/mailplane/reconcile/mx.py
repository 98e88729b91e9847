"""The worker's MX check step: recorded beside the domain's generation bookkeeping, never in it.

The outcome is written only while this worker still holds the domain's lease. ``status_detail``
becomes ``mx_error`` / ``ok`` only for an enabled domain that has converged; while a change is
being applied its own detail (``activating``, ``updating`` …) stays, and the step that applies it
shows ``mx_error`` again afterwards if the domain is unhealthy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mailplane.clock import utcnow
from mailplane.model import status as st
from mailplane.runtime import Runtime
from mailplane.service import mx_check
from mailplane.store.tables import Domain

if TYPE_CHECKING:
    from mailplane.reconcile.steps import Claim


def run(rt: Runtime, claim: Claim, domain: Domain) -> None:
    started = utcnow()
    result = mx_check.check(rt, domain.name)
    with rt.db.write() as tx:
        row = tx.get(Domain, claim.id, populate_existing=True)
        if row is None or row.lease_owner != claim.owner:
            return
        # answers the request read before resolving; a later one stays due (max(): a clock
        # behind the API host's must not leave the answered request due forever)
        asked = domain.mx_check_requested_at
        row.mx_checked_at = max(started, asked) if asked is not None else started
        row.is_healthy = result.healthy
        converged = row.observed_generation >= row.generation and row.delete_requested_at is None
        if row.status == st.ENABLED and converged and row.status_detail in (st.OK, st.MX_ERROR):
            row.status_detail = st.OK if result.healthy else st.MX_ERROR
            row.status_message = None if result.healthy else result.message
        row.due_at = utcnow()  # hand the row back to its own step, which settles it if idle


def detail_after_apply(domain: Domain) -> str:
    """The detail of a domain whose change has just been applied."""
    if domain.status == st.ENABLED and not domain.is_healthy:
        return st.MX_ERROR
    return st.OK


def due(domain: Domain) -> bool:
    return mx_check.due(domain)
