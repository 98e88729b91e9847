"""DNS ownership proof: a domain is proven when its challenge name has the expected A record."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

import dns.exception
import dns.name
import dns.nameserver
import dns.rdatatype
import dns.resolver

DEFAULT_PORT = 53


@dataclass(frozen=True)
class OwnershipResult:
    verified: bool
    resolved_ip: str | None
    addresses: tuple[str, ...]
    message: str


def _parse_port(text: str, spec: str) -> int:
    if not text.isdigit():
        raise ValueError(f"invalid nameserver {spec!r}: port {text!r} is not a number")
    port = int(text)
    if not 1 <= port <= 65535:
        raise ValueError(f"invalid nameserver {spec!r}: port {port} is out of range 1-65535")
    return port


def _resolve_host(host: str, spec: str) -> str:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    if "%" in host:
        raise ValueError(f"invalid nameserver {spec!r}: scoped IPv6 addresses are not supported")
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_DGRAM)
    except (OSError, UnicodeError) as exc:
        raise ValueError(f"invalid nameserver {spec!r}: cannot resolve {host!r} ({exc})") from exc
    for _family, _type, _proto, _canon, sockaddr in infos:
        return str(ipaddress.ip_address(sockaddr[0]))
    raise ValueError(f"invalid nameserver {spec!r}: {host!r} has no address")


def parse_nameserver(spec: str) -> tuple[str, int]:
    """Parse ``host``, ``host:port``, ``::1``, ``[::1]`` or ``[::1]:5353`` into (ip, port).

    A hostname is resolved once with the system resolver. Raises ValueError on bad input.
    """
    text = spec.strip()
    if not text:
        raise ValueError(f"invalid nameserver {spec!r}: empty")
    port = DEFAULT_PORT
    if text.startswith("["):
        end = text.find("]")
        if end == -1:
            raise ValueError(f"invalid nameserver {spec!r}: missing ']'")
        host, rest = text[1:end], text[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                raise ValueError(f"invalid nameserver {spec!r}: unexpected {rest!r} after ']'")
            port = _parse_port(rest[1:], spec)
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            raise ValueError(f"invalid nameserver {spec!r}: {host!r} is not an IP") from None
        if address.version != 6:
            raise ValueError(f"invalid nameserver {spec!r}: brackets are only for IPv6 addresses")
        return str(address), port
    if text.count(":") > 1:
        # A bare IPv6 address; a port needs the bracketed form.
        try:
            address = ipaddress.IPv6Address(text)
        except ValueError:
            raise ValueError(
                f"invalid nameserver {spec!r}: not an IPv6 address (use [addr]:port for a port)"
            ) from None
        return str(address), port
    host, sep, port_text = text.partition(":")
    if sep:
        port = _parse_port(port_text, spec)
    if not host or any(c.isspace() for c in host):
        raise ValueError(f"invalid nameserver {spec!r}: bad host {host!r}")
    return _resolve_host(host, spec), port


def _make_resolver(nameservers: list[str], timeout: float) -> dns.resolver.Resolver:
    resolver = dns.resolver.Resolver(configure=not nameservers)
    if nameservers:
        resolver.nameservers = [
            dns.nameserver.Do53Nameserver(ip, port)
            for ip, port in (parse_nameserver(spec) for spec in nameservers)
        ]
    resolver.timeout = timeout
    resolver.lifetime = timeout
    resolver.search = []
    resolver.use_search_by_default = False
    resolver.cache = None
    return resolver


def _servers(resolver: dns.resolver.Resolver) -> str:
    names = []
    for server in resolver.nameservers:
        address, port = str(server), DEFAULT_PORT
        if isinstance(server, dns.nameserver.Do53Nameserver):
            address, port = server.address, server.port
        if ":" in address:
            address = f"[{address}]"
        names.append(address if port == DEFAULT_PORT else f"{address}:{port}")
    return ", ".join(names) or "no nameservers"


def _failure_reason(exc: Exception, resolver: dns.resolver.Resolver) -> str:
    if isinstance(exc, dns.exception.Timeout):
        return f"timeout (no answer within {resolver.lifetime:g} s from {_servers(resolver)})"
    if isinstance(exc, dns.resolver.NoNameservers):
        errors = exc.kwargs.get("errors") or []
        details = sorted({f"{server}: {error}" for server, _tcp, _port, error, *_ in errors})
        if details:
            return "no nameserver answered (" + "; ".join(details) + ")"
        return "no nameserver answered"
    return str(exc) or type(exc).__name__


def check_a_record(
    name: str, expected_ip: str, nameservers: list[str], timeout: float = 3.0
) -> OwnershipResult:
    """Look up the A record ``name``; proven when any address equals ``expected_ip``.

    ``nameservers`` are specs for :func:`parse_nameserver`; an empty list means the system
    resolvers. Resolver failures never raise: they give an unverified result with a message.
    A bad ``expected_ip`` or nameserver spec raises ValueError.
    """
    expected = ipaddress.IPv4Address(expected_ip.strip())
    display = name.rstrip(".")
    publish = f"publish A {display} → {expected}"
    resolver = _make_resolver(nameservers, timeout)
    try:
        qname = dns.name.from_text(name)
    except (dns.exception.DNSException, UnicodeError) as exc:
        return OwnershipResult(False, None, (), f"{display!r} is not a valid DNS name: {exc}")
    try:
        answer = resolver.resolve(qname, dns.rdatatype.A, search=False)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return OwnershipResult(False, None, (), f"{display} has no A record yet; {publish}")
    except dns.exception.DNSException as exc:
        return OwnershipResult(
            False, None, (), f"DNS lookup of {display} failed: {_failure_reason(exc, resolver)}"
        )
    addresses = tuple(str(ipaddress.IPv4Address(rdata.address)) for rdata in answer)
    if not addresses:
        return OwnershipResult(False, None, (), f"{display} has no A record yet; {publish}")
    if str(expected) in addresses:
        return OwnershipResult(
            True, addresses[0], addresses, f"ownership proven: {display} → {expected}"
        )
    found = ", ".join(addresses)
    return OwnershipResult(
        False,
        addresses[0],
        addresses,
        f"{display} resolves to {found}, expected {expected}; {publish}",
    )


@dataclass(frozen=True)
class Lookup:
    """The answers to one lookup (``values``), or why there are none (``error``, None when the
    name simply has no such records)."""

    values: tuple[str, ...]
    error: str | None = None


def _lookup(
    name: str, rdtype: dns.rdatatype.RdataType, nameservers: list[str], timeout: float
) -> Lookup:
    resolver = _make_resolver(nameservers, timeout)
    display = name.rstrip(".")
    try:
        qname = dns.name.from_text(name)
    except (dns.exception.DNSException, UnicodeError) as exc:
        return Lookup((), f"{display!r} is not a valid DNS name: {exc}")
    try:
        answer = resolver.resolve(qname, rdtype, search=False)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return Lookup(())
    except dns.exception.DNSException as exc:
        return Lookup((), f"DNS lookup of {display} failed: {_failure_reason(exc, resolver)}")
    if rdtype == dns.rdatatype.MX:
        records = sorted(answer, key=lambda rdata: rdata.preference)
        return Lookup(
            tuple(rdata.exchange.to_text().rstrip(".").lower() or "." for rdata in records)
        )
    return Lookup(tuple(str(ipaddress.ip_address(rdata.address)) for rdata in answer))


def lookup_mx(name: str, nameservers: list[str], timeout: float = 3.0) -> Lookup:
    """The MX hosts of ``name``, most preferred first, lower case without the final dot
    (a null MX shows as ``"."``). Resolver failures never raise: they fill ``error``."""
    return _lookup(name, dns.rdatatype.MX, nameservers, timeout)


def lookup_addresses(name: str, nameservers: list[str], timeout: float = 3.0) -> Lookup:
    """The IPv4 then IPv6 addresses of ``name`` through the given nameservers."""
    v4 = _lookup(name, dns.rdatatype.A, nameservers, timeout)
    if v4.error:
        return v4
    v6 = _lookup(name, dns.rdatatype.AAAA, nameservers, timeout)
    return Lookup(v4.values + v6.values, None if v4.values else v6.error)
