"""A name belongs to one domain or alias domain, even when both are created at once."""

from __future__ import annotations

import threading
import uuid

import httpx

from tests.support.live import PASSWORD, Live, active_domain


def _race(live: Live, parent: str, name: str) -> list[httpx.Response]:
    """POST the same name as a domain and as an alias domain at the same moment."""
    answers: list[httpx.Response] = []
    barrier = threading.Barrier(2)
    requests = (
        (
            "/domains",
            {"postmaster_password": PASSWORD, "postmaster_password_confirmation": PASSWORD},
        ),
        (f"/domains/{parent}/aliases", {}),
    )

    def post(path: str, body: dict[str, str]) -> None:
        with live.client() as api:
            barrier.wait()
            answers.append(api.post(path, json={"name": name, **body}))

    threads = [threading.Thread(target=post, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_domain_and_alias_domain_racing_for_a_name(live: Live) -> None:
    with live.client() as api:
        parent = active_domain(api)
    for _ in range(8):
        answers = _race(live, parent, f"race{uuid.uuid4().hex[:8]}.example.org")
        assert sorted(a.status_code for a in answers) == [201, 422], [a.text for a in answers]
        refused = next(a for a in answers if a.status_code == 422).json()
        assert {"field": "name", "description": "already exists"} in refused["errors"]
