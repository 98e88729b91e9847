"""A real authoritative DNS server (NSD) on 127.0.0.1 for tests.

Usage in a conftest or test module::

    from tests.support.nsd import nsd_server  # noqa: F401

    def test_something(nsd_server: NsdServer) -> None:
        name = nsd_server.fqdn("d123")
        nsd_server.publish_a(name, "203.0.113.7")
        ...  # query nsd_server.nameserver ("127.0.0.1:PORT")

The fixture is session-scoped and shared: use names unique to each test.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import dns.exception
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

from tests.support.needs import need_binary

START_TIMEOUT = 10.0
UPDATE_TIMEOUT = 5.0


def _free_port() -> int:
    """A port free for both TCP and UDP on 127.0.0.1 (nsd binds both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = int(tcp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no free TCP+UDP port on 127.0.0.1")


def _kill_group(pgid: int) -> None:
    """SIGKILL whatever is left of nsd's process group (xfrd, server children)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


class NsdServer:
    """NSD serving one zone from a temporary directory; a context manager."""

    address = "127.0.0.1"

    def __init__(
        self,
        zone: str = "mailplane.test",
        nsd_binary: str = "/usr/sbin/nsd",
        control_binary: str = "/usr/sbin/nsd-control",
    ) -> None:
        self.zone = zone.rstrip(".").lower()
        self._origin = dns.name.from_text(self.zone)
        self._nsd = nsd_binary
        self._control = control_binary
        self.port = 0
        self._dir: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._serial = int(time.time())
        self._records: dict[str, list[str]] = {}
        self._mx: dict[str, list[tuple[int, str]]] = {}
        self._lock = threading.Lock()

    # -- public API -------------------------------------------------------------------------

    @property
    def nameserver(self) -> str:
        return f"{self.address}:{self.port}"

    def fqdn(self, label: str) -> str:
        """``label`` inside the zone, e.g. ``fqdn("d1")`` → ``"d1.mailplane.test"``."""
        return f"{label}.{self.zone}"

    def publish_a(self, name: str, ip: str) -> None:
        """Add an A record (names may hold several) and wait until the server serves it."""
        key = self._key(name)
        address = str(ipaddress.IPv4Address(ip))
        with self._lock:
            addresses = self._records.setdefault(key, [])
            if address not in addresses:
                addresses.append(address)
            self._apply(key)

    def remove(self, name: str) -> None:
        """Remove every A record of ``name`` and wait until the server stops serving them."""
        key = self._key(name)
        with self._lock:
            self._records.pop(key, None)
            self._apply(key)

    def publish_mx(self, name: str, exchange: str, preference: int = 10) -> None:
        """Add an MX record (names may hold several) and wait until the server serves it."""
        key = self._key(name)
        target = exchange.rstrip(".").lower() + "."
        with self._lock:
            records = self._mx.setdefault(key, [])
            if (preference, target) not in records:
                records.append((preference, target))
            self._apply(key, dns.rdatatype.MX)

    def remove_mx(self, name: str) -> None:
        """Remove every MX record of ``name`` and wait until the server stops serving them."""
        key = self._key(name)
        with self._lock:
            self._mx.pop(key, None)
            self._apply(key, dns.rdatatype.MX)

    def query_a(self, name: str, timeout: float = 1.0) -> set[str]:
        """The A addresses the server currently answers for ``name`` (empty if none)."""
        request = dns.message.make_query(dns.name.from_text(name), dns.rdatatype.A)
        response = dns.query.udp(request, self.address, port=self.port, timeout=timeout)
        if response.rcode() not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
            raise RuntimeError(f"nsd answered {dns.rcode.to_text(response.rcode())} for {name}")
        return {
            rdata.to_text()
            for rrset in response.answer
            if rrset.rdtype == dns.rdatatype.A
            for rdata in rrset
        }

    def start(self) -> NsdServer:
        if self._proc is not None:
            raise RuntimeError("nsd is already running")
        self._dir = Path(tempfile.mkdtemp(prefix="mailplane-nsd-"))
        try:
            last_error = ""
            for _attempt in range(3):
                self.port = _free_port()
                self._write_config()
                self._write_zone()
                error = self._launch()
                if error is None:
                    return self
                last_error = error
            raise RuntimeError(f"nsd did not start: {last_error}")
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=5)
            _kill_group(proc.pid)
        directory, self._dir = self._dir, None
        if directory is not None:
            shutil.rmtree(directory, ignore_errors=True)

    def __enter__(self) -> NsdServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- internals --------------------------------------------------------------------------

    @property
    def _path(self) -> Path:
        if self._dir is None:
            raise RuntimeError("nsd is not running")
        return self._dir

    @property
    def _conf(self) -> Path:
        return self._path / "nsd.conf"

    @property
    def _zonefile(self) -> Path:
        return self._path / f"{self.zone}.zone"

    def _key(self, name: str) -> str:
        qname = dns.name.from_text(name)
        if not qname.is_subdomain(self._origin):
            raise ValueError(f"{name!r} is not inside the test zone {self.zone!r}")
        if qname == self._origin:
            raise ValueError("records at the zone apex are not supported")
        return qname.to_text().lower()

    def _log(self) -> str:
        parts = []
        for file in ("nsd.log", "stderr.log"):
            with contextlib.suppress(OSError):
                parts.append((self._path / file).read_text(errors="replace").strip())
        return "\n".join(p for p in parts if p) or "(empty log)"

    def _write_config(self) -> None:
        d = self._path
        self._conf.write_text(
            f"""server:
    ip-address: {self.address}@{self.port}
    port: {self.port}
    do-ip6: no
    username: ""
    chroot: ""
    database: ""
    zonesdir: "{d}"
    pidfile: "{d / "nsd.pid"}"
    logfile: "{d / "nsd.log"}"
    xfrdfile: "{d / "xfrd.state"}"
    xfrdir: "{d}"
    zonelistfile: "{d / "zone.list"}"
    cookie-secret-file: "{d / "cookiesecrets.txt"}"
    server-count: 1
    tcp-count: 16
    reuseport: no
    hide-version: yes
    verbosity: 1

remote-control:
    control-enable: yes
    control-interface: "{d / "nsd.ctl"}"

zone:
    name: "{self.zone}"
    zonefile: "{self._zonefile}"
"""
        )

    def _write_zone(self) -> None:
        self._serial += 1
        origin = self._origin.to_text()
        lines = [
            f"$ORIGIN {origin}",
            "$TTL 1",
            f"@ IN SOA ns1.{origin} hostmaster.{origin} ({self._serial} 3600 600 86400 1)",
            f"@ IN NS ns1.{origin}",
            f"ns1.{origin} IN A {self.address}",
        ]
        for name, addresses in sorted(self._records.items()):
            lines.extend(f"{name} IN A {address}" for address in addresses)
        for name, exchanges in sorted(self._mx.items()):
            lines.extend(f"{name} IN MX {pref} {host}" for pref, host in exchanges)
        tmp = self._zonefile.with_suffix(".tmp")
        tmp.write_text("\n".join(lines) + "\n")
        tmp.replace(self._zonefile)

    def _launch(self) -> str | None:
        """Start nsd in the foreground; None when it answers, else the reason it failed."""
        with (self._path / "stderr.log").open("wb") as stderr:
            self._proc = subprocess.Popen(
                [self._nsd, "-d", "-c", str(self._conf)],
                stdin=subprocess.DEVNULL,
                stdout=stderr,
                stderr=stderr,
                start_new_session=True,  # its own process group: stop() reaps xfrd and servers
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                code, self._proc = self._proc.returncode, None
                return f"nsd exited with status {code} on port {self.port}; log:\n{self._log()}"
            try:
                request = dns.message.make_query(self._origin, dns.rdatatype.SOA)
                response = dns.query.udp(request, self.address, port=self.port, timeout=0.2)
            except (dns.exception.DNSException, OSError):
                time.sleep(0.05)
                continue
            if response.rcode() == dns.rcode.NOERROR and response.answer:
                return None
            time.sleep(0.05)
        self._kill()
        return (
            f"nsd did not answer within {START_TIMEOUT:g} s on port {self.port}; "
            f"log:\n{self._log()}"
        )

    def _kill(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=5)
            _kill_group(proc.pid)

    def _served(self, name: str, rdtype: dns.rdatatype.RdataType, timeout: float) -> set[str]:
        if rdtype == dns.rdatatype.A:
            return self.query_a(name, timeout)
        request = dns.message.make_query(dns.name.from_text(name), rdtype)
        response = dns.query.udp(request, self.address, port=self.port, timeout=timeout)
        return {rdata.to_text() for rrset in response.answer for rdata in rrset}

    def _apply(self, name: str, rdtype: dns.rdatatype.RdataType = dns.rdatatype.A) -> None:
        """Rewrite the zone, reload it and wait until ``name`` is served as recorded."""
        if self._proc is None or self._proc.poll() is not None:
            raise RuntimeError(f"nsd is not running; log:\n{self._log()}")
        self._write_zone()
        result = subprocess.run(
            [self._control, "-c", str(self._conf), "reload", self.zone],
            capture_output=True,
            text=True,
            timeout=UPDATE_TIMEOUT,
        )
        if result.returncode != 0 or "error" in result.stdout.lower():
            raise RuntimeError(
                f"nsd-control reload failed ({result.returncode}): "
                f"{(result.stdout + result.stderr).strip()}; log:\n{self._log()}"
            )
        expected = set(self._records.get(name, []))
        if rdtype == dns.rdatatype.MX:
            expected = {f"{pref} {host}" for pref, host in self._mx.get(name, [])}
        deadline = time.monotonic() + UPDATE_TIMEOUT
        seen: set[str] | str = "nothing"
        while time.monotonic() < deadline:
            try:
                seen = self._served(name, rdtype, timeout=0.5)
            except (dns.exception.DNSException, OSError, RuntimeError) as exc:
                seen = str(exc)
            if seen == expected:
                return
            time.sleep(0.02)
        raise RuntimeError(
            f"nsd still serves {seen} for {name} instead of {sorted(expected)} "
            f"after reload; log:\n{self._log()}"
        )


@pytest.fixture(scope="session")
def nsd_server() -> Iterator[NsdServer]:
    """A running NSD shared by the session, serving ``mailplane.test`` on 127.0.0.1."""
    nsd = need_binary("nsd", "/usr/sbin")
    control = need_binary("nsd-control", "/usr/sbin")
    with NsdServer(nsd_binary=nsd, control_binary=control) as server:
        yield server
