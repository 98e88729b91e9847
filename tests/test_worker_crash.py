"""Crash safety and multi-worker draining, with real `mailplane worker` processes."""

from __future__ import annotations

import signal
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from mailplane.runtime import Runtime
from mailplane.store.migrate import upgrade
from tests.support.live import test_settings
from tests.support.workers import (
    actions,
    converged,
    queue_activations,
    start_worker,
    wait_converged,
)


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_worker_killed_mid_flight_finishes_everything_once(
    kind: str, new_database: Callable[[str], str], tmp_path: Path
) -> None:
    settings = test_settings(
        new_database(kind), tmp_path, worker_lease_seconds=2.0, sandbox_delay_seconds=0.05
    )
    rt = Runtime(settings)
    upgrade(rt.db)
    codes = queue_activations(rt, 40)
    log = tmp_path / "worker.log"

    worker = start_worker(settings, log)
    deadline = time.monotonic() + 30
    while len(actions(rt)) < 6:  # some activations done, others under way
        assert worker.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.01)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    assert converged(rt, codes) < len(codes), "the kill came too late to interrupt anything"

    restarted = start_worker(settings, log)
    try:
        wait_converged(rt, codes, timeout=60)
    finally:
        restarted.terminate()
        restarted.wait(10)

    done = actions(rt)
    per_step = Counter((a.resource_code, a.action) for a in done)
    assert all(n == 1 for n in per_step.values()), per_step.most_common(3)
    assert sum(1 for a in done if a.action == "apply_domain") == len(codes)
    assert sum(1 for a in done if a.action == "apply_mailbox") == len(codes)  # postmasters
    rt.close()


def test_two_workers_drain_200_activations_without_overlap(
    new_database: Callable[[str], str], tmp_path: Path
) -> None:
    settings = test_settings(new_database("postgresql"), tmp_path, sandbox_delay_seconds=0.002)
    rt = Runtime(settings)
    upgrade(rt.db)
    codes = queue_activations(rt, 200)
    workers = [start_worker(settings, tmp_path / f"worker{i}.log") for i in range(2)]
    try:
        wait_converged(rt, codes, timeout=120)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(10)

    done = actions(rt)
    domain_steps = [a for a in done if a.action == "apply_domain"]
    assert sorted(a.resource_code for a in domain_steps) == sorted(codes)
    assert all(a.repeats == 0 for a in done), "a step ran twice"
    by_process = Counter(a.detail["pid"] for a in domain_steps)
    assert set(by_process) == {w.pid for w in workers}, by_process
    rt.close()
