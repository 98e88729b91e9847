"""The whole provisioning workflow: `mailplane provision` against the seed's TypeScript client.

Same mailplane server (production mode, SQLite, its worker in-process), same machine, same run;
the ownership A record is published in a real nsd beforehand, so neither side waits for DNS.
The seed is given its Enter at once. Each side runs ``--runs`` times on fresh domain names.

    uv run python bench/provision_vs_seed.py [--runs 2]

Needs Node with tsx (the README's test command installs it under .cache/node) and the seed's
client beside the repository (../shared/conformance/create-domain-and-mailbox.ts).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.support.live import live_server, test_settings  # noqa: E402
from tests.support.nsd import NsdServer  # noqa: E402

SEED = ROOT.parent / "shared" / "conformance" / "create-domain-and-mailbox.ts"
TSX = ROOT / ".cache" / "node" / "node_modules" / ".bin" / "tsx"
IP = "203.0.113.7"
PASSWORD = "Secret123"


def run_seed(base: str, token: str, domain: str, nsd: NsdServer) -> float:
    env = {
        **os.environ,
        "QBOXMAIL_API_BASE": base,
        "QBOXMAIL_API_TOKEN": token,
        "DOMAIN_NAME": domain,
        "POSTMASTER_PASSWORD": PASSWORD,
        "MAILBOX_PASSWORD": PASSWORD,
    }
    start = time.perf_counter()
    proc = subprocess.Popen(
        [str(TSX), str(SEED)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    assert proc.stdout is not None and proc.stdin is not None
    output = b""
    while b"Press Enter" not in output:
        chunk = proc.stdout.read1(4096)  # type: ignore[attr-defined]
        if not chunk:
            raise RuntimeError(output.decode())
        output += chunk
    label = re.search(rb"expectedARecord: '([a-z0-9]+)'", output)
    assert label, output
    # "published beforehand": the record is there before the client asks for the check
    nsd.publish_a(f"{label.group(1).decode()}.{domain}", IP)
    proc.stdin.write(b"\n")
    proc.stdin.flush()
    rest, _ = proc.communicate(timeout=300)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError((output + rest).decode())
    return elapsed


def run_provision(base: str, token: str, domain: str, nsd: NsdServer) -> float:
    env = {
        **os.environ,
        "QBOXMAIL_API_BASE": base,
        "QBOXMAIL_API_TOKEN": token,
        "POSTMASTER_PASSWORD": PASSWORD,
        "MAILBOX_PASSWORD": PASSWORD,
    }
    start = time.perf_counter()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mailplane",
            "provision",
            domain,
            "--mailbox",
            "hello",
            "--quota",
            "2GiB",
            "--resolver",
            nsd.nameserver,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    assert proc.stdout is not None
    output = b""
    published = False
    while True:
        line = proc.stdout.readline()
        if not line:
            break
        output += line
        match = re.search(rb"publish A (d\d+)\.", line)
        if match and not published:
            nsd.publish_a(f"{match.group(1).decode()}.{domain}", IP)
            published = True
    proc.wait(300)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(output.decode())
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    if not SEED.exists() or not TSX.exists():
        sys.exit("needs the seed's client beside the repository and tsx under .cache/node")
    results: dict[str, list[float]] = {"mailplane provision": [], "seed TypeScript client": []}
    with NsdServer() as nsd, tempfile.TemporaryDirectory() as tmp:
        settings = test_settings(
            f"sqlite:///{tmp}/mailplane.db",
            Path(tmp),
            mode="production",
            dns_nameservers=[nsd.nameserver],
            ownership_ip=IP,
            password_bcrypt_rounds=10,
            worker_poll_seconds=1.0,
        )
        with live_server(settings) as live:
            for _ in range(args.runs):
                for label, runner in (
                    ("mailplane provision", run_provision),
                    ("seed TypeScript client", run_seed),
                ):
                    domain = nsd.fqdn(f"p{uuid.uuid4().hex[:8]}")
                    results[label].append(runner(live.base_url, live.customer_token, domain, nsd))
    print(f"whole workflow, {args.runs} runs each (production mode, DNS record published at once)")
    print(f"{'client':<26}{'best s':>9}{'mean s':>9}")
    for label, values in results.items():
        print(f"{label:<26}{min(values):>9.2f}{sum(values) / len(values):>9.2f}")
    ours = sum(results["mailplane provision"]) / args.runs
    seed = sum(results["seed TypeScript client"]) / args.runs
    print(f"mailplane provision is {seed / ours:.1f}x faster (target: at least 10x)")


if __name__ == "__main__":
    main()
