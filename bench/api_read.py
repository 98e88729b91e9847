"""GET /api/domains/{code} under concurrent load, beside a constant-JSON endpoint (the ceiling).

Both are served by the same `mailplane serve` process (uvicorn, one worker process) and loaded
with wrk from this machine over loopback, one after the other in the same run.

    uv run python bench/api_read.py [--seconds 10] [--connections 32]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import create_domain, mailplane_server  # noqa: E402


def wrk(url: str, token: str, seconds: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-H",
            f"X-Api-Token: {token}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    lat = {}
    for pct in ("50", "99"):
        m = re.search(rf"\s{pct}(?:\.000)?%\s+([\d.]+)(us|ms|s)", out)
        assert m, out
        value, unit = float(m.group(1)), m.group(2)
        lat[pct] = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    return {
        "rps": rps,
        "p50_ms": lat["50"],
        "p99_ms": lat["99"],
        "errors": float(non2xx.group(1)) if non2xx else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk")
    with mailplane_server() as server:
        with httpx.Client(base_url=server.base_url, headers={"X-Api-Token": server.token}) as api:
            code = create_domain(api, "bench-read.example.com")
            assert api.get(f"/domains/{code}").status_code == 200
        ceiling = wrk(f"{server.base_url}/health", server.token, args.seconds, args.connections)
        domain = wrk(
            f"{server.base_url}/domains/{code}", server.token, args.seconds, args.connections
        )
    print(f"{'endpoint':<28}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
    for label, r in (("GET /api/health (ceiling)", ceiling), ("GET /api/domains/{code}", domain)):
        print(
            f"{label:<28}{r['rps']:>10.0f}{r['p50_ms']:>10.2f}{r['p99_ms']:>10.2f}{r['errors']:>8.0f}"
        )
    print(f"domain read / ceiling: {domain['rps'] / ceiling['rps']:.0%} (target: at least 50%)")


if __name__ == "__main__":
    main()
