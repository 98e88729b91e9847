"""DKIM keys (spec §3.2): an RSA 2048 key pair per domain. The public key is shown with the TXT
record to publish; the private key is kept sealed with the service's secret key and never
returned."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from mailplane.clock import utcnow
from mailplane.model.errors import NotFound
from mailplane.runtime import Runtime
from mailplane.service.domains import visible
from mailplane.service.principal import Principal, Role
from mailplane.service.sealing import seal

KEY_BITS = 2048


@dataclass(frozen=True)
class DkimRecord:
    selector: str
    txt_record_name: str
    txt_record: str


def txt_record(public_key: str) -> str:
    return f"v=DKIM1; k=rsa; p={public_key}"


def record_for(name: str, selector: str, public_key: str) -> DkimRecord:
    return DkimRecord(selector, f"{selector}._domainkey.{name}", txt_record(public_key))


def generate(rt: Runtime, principal: Principal, code: str) -> DkimRecord:
    """Make a new key pair for the domain (replacing any previous one) under a new selector."""
    principal.require(Role.ADMIN, Role.CUSTOMER)
    with rt.db.read() as session:
        domain = visible(session, principal, code)
    if domain.delete_requested_at is not None:
        raise NotFound()
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    public_der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    public_key = base64.b64encode(public_der).decode("ascii")
    sealed = seal(rt.settings, private_pem)
    # dated, to the second: a new key gets a new selector, so the old record can stay published
    # until the new one is in place
    selector = f"mp{utcnow():%Y%m%d%H%M%S}"
    with rt.db.write() as session:
        row = visible(session, principal, code)
        if row.delete_requested_at is not None:
            raise NotFound()
        row.dkim_selector = selector
        row.dkim_public_key = public_key
        row.dkim_private_key_encrypted = sealed
        row.updated_at = utcnow()
    return record_for(row.name, selector, public_key)
