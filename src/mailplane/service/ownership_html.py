"""The HTML ownership proof (spec §3.2): publish a file at ``http://<domain>/<file_name>``; the
worker fetches it (port 80, 5 s, 64 KiB, no redirect off the domain, no private addresses unless
allowed) and compares it with what is expected."""

from __future__ import annotations

import hashlib

from mailplane.backends.dns import OwnershipResult
from mailplane.backends.http_fetch import fetch
from mailplane.model.errors import NotFound
from mailplane.runtime import Runtime
from mailplane.service.domains import possession_a_record, queue_ownership_check, visible
from mailplane.service.principal import Principal, Role
from mailplane.store.tables import Domain

TIMEOUT_SECONDS = 5.0
MAX_BYTES = 64 * 1024


def proof_file(code: str, name: str, ownership_code: str) -> dict[str, str]:
    """The file to publish: its name, its content (derived from the domain's secret
    ownership code) and the URL it must be served at."""
    file_name = f"mailplane-verification-{possession_a_record(code)}.html"
    digest = hashlib.sha256(f"mailplane-html-proof:{ownership_code}".encode()).hexdigest()
    return {
        "file_name": file_name,
        "content": f"mailplane-verification={digest}",
        "url": f"http://{name}/{file_name}",
    }


def file_for(rt: Runtime, principal: Principal, code: str) -> dict[str, str]:
    principal.require(Role.ADMIN, Role.CUSTOMER)
    with rt.db.read() as session:
        domain = visible(session, principal, code)
    if domain.delete_requested_at is not None:
        raise NotFound()
    return proof_file(domain.code, domain.name, domain.ownership_code)


def queue_check(rt: Runtime, principal: Principal, code: str) -> None:
    """Queue an HTML check: the worker fetches the file, retrying with backoff (72 h)."""
    queue_ownership_check(rt, principal, code, "html")


def check(rt: Runtime, domain: Domain) -> OwnershipResult:
    """Fetch the domain's proof file and compare it (the worker's step)."""
    expected = proof_file(domain.code, domain.name, domain.ownership_code)
    fetched = fetch(
        expected["url"],
        nameservers=rt.settings.dns_nameservers,
        port=rt.settings.ownership_html_port,
        allow_private=rt.settings.ownership_html_allow_private,
        timeout=TIMEOUT_SECONDS,
        max_bytes=MAX_BYTES,
        dns_timeout=rt.settings.dns_timeout,
    )
    publish = f"publish {expected['content']!r} at {expected['url']}"
    if fetched.body is None:
        return OwnershipResult(
            False, fetched.address, fetched.addresses, f"{fetched.problem}; {publish}"
        )
    text = fetched.body.decode("utf-8", "replace").strip()
    if text == expected["content"]:
        return OwnershipResult(
            True, fetched.address, fetched.addresses, f"ownership proven: {expected['url']}"
        )
    shown = text[:80] + ("…" if len(text) > 80 else "")
    return OwnershipResult(
        False,
        fetched.address,
        fetched.addresses,
        f"{fetched.url} holds {shown!r}, not the expected content; {publish}",
    )
