"""The e-mail ownership proof (spec §3.2): a one-time code mailed to an administrative address
of the domain; the right code within 24 hours proves ownership. Five wrong codes lock the
attempt until it is reset. Only a keyed digest of the code is stored; the code itself is never
logged nor returned."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import update

from mailplane.backends.smtp_out import MailNotSent, send_text
from mailplane.clock import utcnow
from mailplane.model import status as st
from mailplane.model.errors import FieldError, NotFound, ValidationFailed
from mailplane.model.inputs import Input
from mailplane.runtime import Runtime
from mailplane.service.domains import mark_proven, visible
from mailplane.service.principal import Principal, Role
from mailplane.service.sealing import secret_key
from mailplane.store.tables import Domain

LOCAL_PARTS = ("admin", "administrator", "hostmaster", "postmaster", "webmaster")
MAX_FAILURES = 5
CODE_LIFETIME = timedelta(hours=24)
CODE_DIGITS = 8
ADDRESS = "verification_email_address"
LOCKED = f"is locked after {MAX_FAILURES} wrong codes; reset it with DELETE …/email_ownership_check"


class EmailProofRequest(Input):
    verification_email_address: str | None = None


class EmailProofCode(Input):
    code: str | None = None


def _digest(rt: Runtime, domain_code: str, code: str) -> str:
    """HMAC-SHA256 under the service's secret key: a leaked row does not give the code away."""
    key = secret_key(rt.settings).encode("utf-8")
    return hmac.new(key, f"{domain_code}:{code}".encode(), hashlib.sha256).hexdigest()


def _message(domain: str, code: str) -> str:
    return (
        f"Someone asked to prove that they own the domain {domain} to a mail service.\n\n"
        f"Verification code: {code}\n\n"
        "The code is valid for 24 hours. If you did not ask for it, ignore this message:\n"
        "nothing changes without the code.\n"
    )


def send_code(rt: Runtime, principal: Principal, code: str, data: EmailProofRequest) -> None:
    """Mail a new one-time code to one of the domain's administrative addresses."""
    principal.require(Role.ADMIN, Role.CUSTOMER)
    with rt.db.read() as session:
        domain = visible(session, principal, code)
    if domain.delete_requested_at is not None:
        raise NotFound()
    errors: list[FieldError] = []
    address = (data.verification_email_address or "").strip().lower()
    if data.verification_email_address is None or not address:
        errors.append(FieldError(ADDRESS, "can't be blank"))
    else:
        local, _, host = address.rpartition("@")
        if host != domain.name or local not in LOCAL_PARTS:
            errors.append(FieldError(ADDRESS, "is not included in the list"))
    data.check(errors)
    if domain.status != st.OWNERSHIP_CHECK:
        raise ValidationFailed.one(ADDRESS, "cannot be used: ownership is already proven")
    if domain.ownership_email_failures >= MAX_FAILURES:
        raise ValidationFailed.one(ADDRESS, LOCKED)
    one_time = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    try:
        send_text(
            rt.settings,
            address,
            f"Verification code for {domain.name}",
            _message(domain.name, one_time),
        )
    except MailNotSent as exc:
        raise ValidationFailed.one(ADDRESS, f"could not be mailed: {exc}") from None
    with rt.change() as session:
        row = visible(session, principal, code)
        if row.status != st.OWNERSHIP_CHECK or row.delete_requested_at is not None:
            return  # proven or deleted meanwhile: the code is of no use
        row.ownership_email_address = address
        row.ownership_email_code_hash = _digest(rt, row.code, one_time)
        row.ownership_email_sent_at = utcnow()
        row.status_message = f"verification code mailed to {address}"


def verify_code(rt: Runtime, principal: Principal, code: str, data: EmailProofCode) -> None:
    """The right code within its lifetime proves ownership and queues activation."""
    principal.require(Role.ADMIN, Role.CUSTOMER)
    errors: list[FieldError] = []
    given = (data.code or "").strip()
    if data.code is None or not given:
        errors.append(FieldError("code", "can't be blank"))
    with rt.db.read() as session:
        domain = visible(session, principal, code)
    if domain.delete_requested_at is not None:
        raise NotFound()
    data.check(errors)
    if domain.status != st.OWNERSHIP_CHECK:
        return  # already proven (a repeated call, say): nothing to do
    digest = _digest(rt, domain.code, given)
    now = utcnow()
    problem: str | None = None
    with rt.change() as session:
        row = visible(session, principal, code)
        if row.status != st.OWNERSHIP_CHECK:
            return
        if row.ownership_email_code_hash is None or row.ownership_email_sent_at is None:
            raise ValidationFailed.one(
                "code", "was not requested: ask for one with PUT …/email_ownership_check"
            )
        if row.ownership_email_failures >= MAX_FAILURES:
            raise ValidationFailed.one("code", LOCKED)
        if now > row.ownership_email_sent_at + CODE_LIFETIME:
            raise ValidationFailed.one("code", "has expired: ask for a new one")
        # take one of the allowed tries atomically: two racing guesses cannot both pass the limit
        taken = session.execute(
            update(Domain)
            .where(Domain.id == row.id, Domain.ownership_email_failures < MAX_FAILURES)
            .values(ownership_email_failures=Domain.ownership_email_failures + 1),
            execution_options={"synchronize_session": False},
        )
        row = session.get(Domain, row.id, populate_existing=True) or row
        if not taken.rowcount or row.status != st.OWNERSHIP_CHECK:  # type: ignore[attr-defined]
            problem = LOCKED if row.status == st.OWNERSHIP_CHECK else None
        elif hmac.compare_digest(digest, row.ownership_email_code_hash or ""):
            row.ownership_email_failures = 0
            row.ownership_email_code_hash = None
            mark_proven(row, now, f"ownership proven by e-mail to {row.ownership_email_address}")
        else:
            left = MAX_FAILURES - row.ownership_email_failures
            problem = f"is wrong ({left} tries left)" if left else f"is wrong; the attempt {LOCKED}"
    if problem:
        raise ValidationFailed.one("code", problem)


def reset(rt: Runtime, principal: Principal, code: str) -> None:
    """Forget the code, the address and the wrong tries: a new attempt may start."""
    principal.require(Role.ADMIN, Role.CUSTOMER)
    with rt.change() as session:
        row = visible(session, principal, code)
        if row.delete_requested_at is not None:
            raise NotFound()
        row.ownership_email_code_hash = None
        row.ownership_email_sent_at = None
        row.ownership_email_failures = 0
        row.ownership_email_address = None
