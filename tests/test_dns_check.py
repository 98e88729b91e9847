"""DNS ownership proof against a real authoritative server (NSD)."""

from __future__ import annotations

import socket
import time
import uuid

import pytest

from mailplane.backends.dns import OwnershipResult, check_a_record, parse_nameserver
from tests.support import nsd
from tests.support.nsd import NsdServer

nsd_server = nsd.nsd_server  # the shared session fixture (a conftest import would do the same)

EXPECTED = "203.0.113.7"
OTHER = "198.51.100.1"


def unique_name(server: NsdServer) -> str:
    return server.fqdn(f"d{uuid.uuid4().hex[:10]}")


def check(server: NsdServer, name: str, expected: str = EXPECTED) -> OwnershipResult:
    return check_a_record(name, expected, [server.nameserver], timeout=2.0)


def test_absent_record_is_not_verified_and_says_what_to_publish(nsd_server: NsdServer) -> None:
    name = unique_name(nsd_server)
    result = check(nsd_server, name)
    assert result == OwnershipResult(
        verified=False,
        resolved_ip=None,
        addresses=(),
        message=f"{name} has no A record yet; publish A {name} → {EXPECTED}",
    )


def test_name_without_a_record_is_not_verified(nsd_server: NsdServer) -> None:
    # The zone apex exists (SOA, NS) but has no A record: NOERROR with an empty answer.
    result = check(nsd_server, nsd_server.zone)
    assert not result.verified
    assert result.resolved_ip is None
    assert f"{nsd_server.zone} has no A record yet" in result.message


def test_matching_record_is_verified(nsd_server: NsdServer) -> None:
    name = unique_name(nsd_server)
    nsd_server.publish_a(name, EXPECTED)
    result = check(nsd_server, name + ".")  # absolute form is accepted too
    assert result.verified
    assert result.resolved_ip == EXPECTED
    assert result.addresses == (EXPECTED,)
    assert result.message == f"ownership proven: {name} → {EXPECTED}"


def test_wrong_address_is_not_verified_and_says_what_was_found(nsd_server: NsdServer) -> None:
    name = unique_name(nsd_server)
    nsd_server.publish_a(name, OTHER)
    result = check(nsd_server, name)
    assert not result.verified
    assert result.resolved_ip == OTHER
    assert result.addresses == (OTHER,)
    assert f"{name} resolves to {OTHER}, expected {EXPECTED}" in result.message


def test_one_matching_record_among_several_is_enough(nsd_server: NsdServer) -> None:
    name = unique_name(nsd_server)
    nsd_server.publish_a(name, OTHER)
    nsd_server.publish_a(name, EXPECTED)
    nsd_server.publish_a(name, "192.0.2.9")
    result = check(nsd_server, name)
    assert result.verified
    assert set(result.addresses) == {OTHER, EXPECTED, "192.0.2.9"}
    assert result.resolved_ip == result.addresses[0]


def test_removed_record_is_no_longer_verified(nsd_server: NsdServer) -> None:
    name = unique_name(nsd_server)
    nsd_server.publish_a(name, EXPECTED)
    assert check(nsd_server, name).verified
    nsd_server.remove(name)
    result = check(nsd_server, name)
    assert not result.verified
    assert "no A record yet" in result.message


def test_unreachable_nameserver_fails_within_the_timeout() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # The port is closed now: nothing will answer.
    started = time.monotonic()
    result = check_a_record("d1.mailplane.test", EXPECTED, [f"127.0.0.1:{port}"], timeout=1)
    elapsed = time.monotonic() - started
    assert not result.verified
    assert result.resolved_ip is None
    assert result.message.startswith("DNS lookup of d1.mailplane.test failed: timeout")
    assert f"127.0.0.1:{port}" in result.message
    assert elapsed < 2.0


def test_bad_inputs_raise_value_error(nsd_server: NsdServer) -> None:
    with pytest.raises(ValueError):
        check_a_record("d1.mailplane.test", "not-an-ip", [nsd_server.nameserver])
    with pytest.raises(ValueError):
        check_a_record("d1.mailplane.test", "2001:db8::1", [nsd_server.nameserver])
    with pytest.raises(ValueError, match="port"):
        check_a_record("d1.mailplane.test", EXPECTED, ["127.0.0.1:dns"])


def test_invalid_name_is_reported_not_raised(nsd_server: NsdServer) -> None:
    result = check(nsd_server, "a" * 64 + ".mailplane.test")
    assert not result.verified
    assert "not a valid DNS name" in result.message


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("127.0.0.1", ("127.0.0.1", 53)),
        ("127.0.0.1:5353", ("127.0.0.1", 5353)),
        (" 192.0.2.1:53 ", ("192.0.2.1", 53)),
        ("::1", ("::1", 53)),
        ("2001:DB8::1", ("2001:db8::1", 53)),
        ("[::1]", ("::1", 53)),
        ("[::1]:5353", ("::1", 5353)),
    ],
)
def test_parse_nameserver(spec: str, expected: tuple[str, int]) -> None:
    assert parse_nameserver(spec) == expected


def test_parse_nameserver_resolves_hostnames() -> None:
    ip, port = parse_nameserver("localhost:5300")
    assert port == 5300
    assert ip in {"127.0.0.1", "::1"}


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("127.0.0.1:", "not a number"),
        ("127.0.0.1:abc", "not a number"),
        ("127.0.0.1:0", "out of range"),
        ("127.0.0.1:70000", "out of range"),
        ("[::1", "missing"),
        ("[::1]5353", "unexpected"),
        ("[::1]:", "not a number"),
        ("[127.0.0.1]:53", "only for IPv6"),
        ("[example.com]:53", "not an IP"),
        ("::1:5353:zz", "not an IPv6 address"),
        ("dns server", "bad host"),
    ],
)
def test_parse_nameserver_rejects_bad_input(spec: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_nameserver(spec)
