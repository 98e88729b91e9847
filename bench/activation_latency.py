"""Time from `PUT …/skip_ownership_check` to `enabled`/`ok` being readable, per domain.

`mailplane serve` (API and worker in one process) on SQLite with the sandbox backend. Each
domain is activated alone while a client polls it every 2 ms; then, for contrast, all of them
at once (a burst), timing when each one turns ok.

    uv run python bench/activation_latency.py [--domains 200]
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import create_domain, mailplane_server, percentile  # noqa: E402


def is_ok(api: httpx.Client, code: str) -> bool:
    domain = api.get(f"/domains/{code}").json()["resources"][0]
    return bool(domain["status"] == "enabled" and domain["status_detail"] == "ok")


def one_at_a_time(api: httpx.Client, codes: list[str]) -> list[float]:
    latencies = []
    for code in codes:
        start = time.perf_counter()
        api.put(f"/domains/{code}/skip_ownership_check").raise_for_status()
        while not is_ok(api, code):
            time.sleep(0.002)
        latencies.append((time.perf_counter() - start) * 1000)
    return latencies


def burst(api: httpx.Client, codes: list[str]) -> tuple[list[float], float]:
    start = time.perf_counter()
    for code in codes:
        api.put(f"/domains/{code}/skip_ownership_check").raise_for_status()
    pending = set(codes)
    done: list[float] = []
    while pending:
        page = api.get("/domains", params={"per": 1000, "status": "enabled"}).json()
        for domain in page["resources"]:
            if domain["code"] in pending and domain["status_detail"] == "ok":
                pending.discard(domain["code"])
                done.append((time.perf_counter() - start) * 1000)
        time.sleep(0.005)
    return done, (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--domains", type=int, default=200)
    args = parser.parse_args()
    with mailplane_server() as server:
        headers = {"X-Api-Token": server.token}
        with httpx.Client(base_url=server.base_url, headers=headers, timeout=30) as api:

            def make() -> list[str]:
                return [
                    create_domain(api, f"b{uuid.uuid4().hex[:10]}.example.com")
                    for _ in range(args.domains)
                ]

            single = one_at_a_time(api, make())
            burst_done, burst_total = burst(api, make())
    print(f"activation latency over {args.domains} domains (SQLite, sandbox backend)")
    print(f"{'mode':<16}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for label, values in (("one at a time", single), ("burst", burst_done)):
        print(
            f"{label:<16}{percentile(values, 50):>10.1f}{percentile(values, 99):>10.1f}"
            f"{max(values):>10.1f}"
        )
    print(f"burst of {args.domains}: all ok after {burst_total:.0f} ms")
    print("target: p99 one at a time under 200 ms")


if __name__ == "__main__":
    main()
