"""The seed's own TypeScript client, unmodified, against mailplane with a real DNS server."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import threading
import time
import uuid
from pathlib import Path

from tests.conftest import OWNERSHIP_IP
from tests.support.live import PASSWORD, Live
from tests.support.needs import missing, need_binary
from tests.support.nsd import NsdServer

ROOT = Path(__file__).resolve().parents[1]
SEED_CLIENT = ROOT.parent / "shared" / "conformance" / "create-domain-and-mailbox.ts"
TSX = ROOT / ".cache" / "node" / "node_modules" / ".bin" / "tsx"


def _reader(stream: object, lines: queue.Queue[str]) -> None:
    """Pass the program's output on chunk by chunk (its prompt ends without a newline)."""
    while chunk := stream.read1(4096).decode("utf-8", "replace"):  # type: ignore[attr-defined]
        lines.put(chunk)
    lines.put("")


def test_seed_typescript_client_runs_unmodified(production: Live, nsd_server: NsdServer) -> None:
    if not SEED_CLIENT.exists():
        missing(f"the seed's client is not beside this clone ({SEED_CLIENT.name})")
    need_binary("node")
    if not TSX.exists():
        missing("tsx is not installed (the README's test command installs it)")
    domain = nsd_server.fqdn(f"c{uuid.uuid4().hex[:8]}")
    env = {
        **os.environ,
        "QBOXMAIL_API_BASE": production.base_url,
        "QBOXMAIL_API_TOKEN": production.customer_token,
        "DOMAIN_NAME": domain,
        "POSTMASTER_PASSWORD": PASSWORD,
        "MAILBOX_PASSWORD": PASSWORD,
    }
    proc = subprocess.Popen(
        [str(TSX), str(SEED_CLIENT)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    chunks: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_reader, args=(proc.stdout, chunks), daemon=True).start()
    output = ""
    try:
        deadline = time.monotonic() + 60
        while "Press Enter" not in output:
            assert time.monotonic() < deadline, output
            chunk = chunks.get(timeout=60)
            assert chunk, f"the client stopped before asking for the record:\n{output}"
            output += chunk
        label = re.search(r"expectedARecord: '([a-z0-9]+)'", output)
        assert label, output
        nsd_server.publish_a(f"{label.group(1)}.{domain}", OWNERSHIP_IP)
        assert proc.stdin is not None
        proc.stdin.write(b"\n")
        proc.stdin.flush()
        # the seed polls every 15 s: activation, mailbox and quota may each cost one wait
        returncode = proc.wait(timeout=150)
    finally:
        if proc.poll() is None:
            proc.kill()
    while not chunks.empty():
        output += chunks.get()
    assert returncode == 0, output
    assert f"Domain created: {domain}" in output
    assert "DNS ownership check queued" in output
    assert f"emailAddress: 'hello@{domain}'" in output
    assert "quotaBytes: 2147483648" in output
