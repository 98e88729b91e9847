"""Fetching a small file from a customer's web server, safely (the HTML ownership proof).

The host name is resolved once, through the configured nameservers; the connection goes to
that address (with the name in ``Host``), so a second lookup cannot send it elsewhere.
Private, loopback and link-local addresses are refused unless allowed; redirects are followed
only within the same host over plain http; the whole fetch has one deadline and a size cap.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from mailplane.backends.dns import Lookup, lookup_addresses

MAX_REDIRECTS = 5
REDIRECTS = {301, 302, 303, 307, 308}


@dataclass(frozen=True)
class Fetched:
    """``body`` when the server answered 200 within the limits; else ``problem`` says why."""

    url: str
    body: bytes | None
    address: str | None
    addresses: tuple[str, ...]
    problem: str | None


def is_public(address: str) -> bool:
    """False for private, loopback, link-local and other non-global addresses."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def fetch(
    url: str,
    *,
    nameservers: list[str],
    port: int = 80,
    allow_private: bool = False,
    timeout: float = 5.0,
    max_bytes: int = 64 * 1024,
    dns_timeout: float = 3.0,
) -> Fetched:
    """GET ``http://host/path`` within the limits above. Never raises for network trouble."""
    deadline = time.monotonic() + timeout
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".").lower()
    found = lookup_addresses(host, nameservers, dns_timeout)
    if found.error:
        return Fetched(url, None, None, (), found.error)
    if not found.values:
        return Fetched(url, None, None, (), f"{host} has no A or AAAA record")
    allowed = [a for a in found.values if allow_private or is_public(a)]
    if not allowed:
        listed = ", ".join(found.values)
        return Fetched(
            url,
            None,
            None,
            found.values,
            f"{host} resolves to {listed}: private, loopback and link-local addresses are refused",
        )
    address = allowed[0]
    current = url
    with httpx.Client(follow_redirects=False, trust_env=False) as client:
        for _hop in range(MAX_REDIRECTS + 1):
            target = urlsplit(current)
            path = target.path or "/"
            if target.query:
                path += f"?{target.query}"
            literal = f"[{address}]" if ":" in address else address
            try:
                body, status, location = _get(
                    client, f"http://{literal}:{port}{path}", host, deadline, max_bytes
                )
            except _TooLarge:
                return _fail(current, address, found, f"{current} is larger than {max_bytes} bytes")
            except httpx.TimeoutException:
                return _fail(
                    current, address, found, f"{current} did not answer within {timeout:g} s"
                )
            except httpx.HTTPError as exc:
                reason = str(exc) or type(exc).__name__
                return _fail(current, address, found, f"cannot fetch {current}: {reason}")
            if status in REDIRECTS and location:
                following = urljoin(current, location)
                moved = urlsplit(following)
                same = (moved.hostname or "").rstrip(".").lower() == host
                if moved.scheme != "http" or not same or moved.port not in (None, 80, port):
                    return _fail(
                        current,
                        address,
                        found,
                        f"{current} redirects to {following}, off {host} (over http): not followed",
                    )
                current = following
                continue
            if status != 200:
                return _fail(current, address, found, f"{current} answered HTTP {status}")
            return Fetched(current, body, address, found.values, None)
    return _fail(current, address, found, f"{url} redirects more than {MAX_REDIRECTS} times")


class _TooLarge(Exception):
    pass


def _fail(url: str, address: str, found: Lookup, problem: str) -> Fetched:
    return Fetched(url, None, address, found.values, problem)


def _get(
    client: httpx.Client, url: str, host: str, deadline: float, max_bytes: int
) -> tuple[bytes, int, str | None]:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise httpx.ReadTimeout("deadline passed")
    headers = {
        "Host": host,
        "User-Agent": "mailplane-ownership-check",
        "Accept": "*/*",
        "Accept-Encoding": "identity",
    }
    with client.stream("GET", url, headers=headers, timeout=remaining) as response:
        if response.status_code != 200:
            return b"", response.status_code, response.headers.get("location")
        encoding = response.headers.get("content-encoding", "identity").lower()
        if encoding != "identity":
            raise httpx.DecodingError(f"the file is sent {encoding}-encoded; serve it plain")
        declared = response.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise _TooLarge()
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_raw():
            size += len(chunk)
            if size > max_bytes:
                raise _TooLarge()
            if time.monotonic() > deadline:
                raise httpx.ReadTimeout("deadline passed")
            chunks.append(chunk)
        return b"".join(chunks), 200, None
