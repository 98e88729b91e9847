"""The worker's steps for email aliases and alias domains (spec §5).

Same rules as ``steps``: one idempotent step per claimed row, its outcome recorded only while
the lease and the generation read are still ours. An alias domain's ownership check shares the
domain's check and retry logic.
"""

from __future__ import annotations

from sqlalchemy import delete

from mailplane.backends.mail import AliasDomainSpec, AliasSpec
from mailplane.clock import utcnow
from mailplane.model import status as st
from mailplane.reconcile.steps import (
    Claim,
    _converged,
    _owned,
    _settle,
    record_ownership_check,
)
from mailplane.runtime import Runtime
from mailplane.service.domains import check_ownership
from mailplane.store.tables import AliasDomain, EmailAlias


def alias_spec(alias: EmailAlias) -> AliasSpec:
    return AliasSpec(
        code=alias.code,
        address=alias.address,
        domain_name=alias.domain.name,
        generation=alias.generation,
        destinations=tuple(alias.destinations or ()),
    )


def alias_domain_spec(alias: AliasDomain) -> AliasDomainSpec:
    return AliasDomainSpec(
        code=alias.code,
        name=alias.name,
        domain_name=alias.domain.name,
        generation=alias.generation,
        enabled=alias.status == st.ENABLED,
    )


def run_alias(rt: Runtime, claim: Claim) -> None:
    with rt.db.read() as session:
        alias = session.get(EmailAlias, claim.id)
        if alias is None:
            return
        claim.generation = alias.generation
        spec = alias_spec(alias)
        if alias.delete_requested_at is not None:
            rt.backend.remove_alias(spec)
            with rt.db.write() as tx:
                if _owned(tx, EmailAlias, claim):
                    tx.execute(delete(EmailAlias).where(EmailAlias.id == claim.id))
            return
        if alias.domain.activated_at is None or alias.observed_generation >= alias.generation:
            _settle(rt, EmailAlias, claim)
            return
        rt.backend.apply_alias(spec)
    now = utcnow()
    with rt.change() as tx:
        if _owned(tx, EmailAlias, claim):
            row = tx.get(EmailAlias, claim.id)
            assert row is not None
            _converged(row, now)
            row.provisioned_at = row.provisioned_at or now


def run_alias_domain(rt: Runtime, claim: Claim) -> None:
    with rt.db.read() as session:
        alias = session.get(AliasDomain, claim.id)
        if alias is None:
            return
        claim.generation = alias.generation
        spec = alias_domain_spec(alias)
        if alias.delete_requested_at is not None:
            rt.backend.remove_alias_domain(spec)
            with rt.db.write() as tx:
                if _owned(tx, AliasDomain, claim):
                    tx.execute(delete(AliasDomain).where(AliasDomain.id == claim.id))
            return
        if alias.status == st.OWNERSHIP_CHECK:
            if alias.ownership_check_started_at is None:
                _settle(rt, AliasDomain, claim)
            else:
                record_ownership_check(rt, AliasDomain, claim, check_ownership(rt, alias))
            return
        if alias.observed_generation >= alias.generation:
            _settle(rt, AliasDomain, claim)
            return
        rt.backend.apply_alias_domain(spec)
    now = utcnow()
    with rt.change() as tx:
        if _owned(tx, AliasDomain, claim):
            row = tx.get(AliasDomain, claim.id)
            assert row is not None
            _converged(row, now)
            if row.activated_at is None and row.status == st.ENABLED:
                row.activated_at = now
