"""Webhooks (spec §6): subscriptions, lifecycle events, signed at-least-once delivery.

Every delivery goes to a real HTTP receiver on loopback that checks the signature. The server
is a sandbox server with its worker, on SQLite and PostgreSQL; each test uses its own customer
so that its webhook hears only of what the test does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from mailplane.model.events import EVENT_TYPES
from mailplane.model.inputs import WebhookCreate
from mailplane.reconcile.usage import record_usage
from mailplane.reconcile.worker import Worker
from mailplane.runtime import Runtime
from mailplane.service import webhooks
from mailplane.service.principal import ADMIN, Principal, Role
from mailplane.service.sealing import unseal
from mailplane.store.migrate import upgrade
from mailplane.store.tables import Delivery, Domain, EmailAccount, Event, Webhook
from tests.support.live import (
    Live,
    active_domain,
    create_domain,
    create_mailbox,
    is_ok,
    live_server,
    test_settings,
    wait_for,
)
from tests.support.workers import queue_activations, start_worker

SECRET = "s3cret-signing-key-0123"
WEBHOOK_SETTINGS: dict[str, Any] = {
    "webhook_retry_base_seconds": 0.05,
    "webhook_timeout_seconds": 2.0,
    "webhook_allow_private_addresses": True,  # the receiver is on loopback
}


# ---- a real receiver ------------------------------------------------------------------------


@dataclass
class Request:
    headers: dict[str, str]
    body: bytes
    payload: dict[str, Any]
    signature_ok: bool
    answered: int


class Receiver:
    """An HTTP server on loopback recording every POST; it can fail or stall on purpose."""

    def __init__(self, secret: str = SECRET) -> None:
        self.secret = secret
        self.requests: list[Request] = []
        self.fail_next = 0  # answer 500 to this many requests
        self.stall_next = 0.0  # hold the next request this long before answering
        self.arrived = threading.Event()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                expected = hmac.new(receiver.secret.encode(), body, hashlib.sha256).hexdigest()
                given = self.headers.get("X-Mailplane-Signature", "")
                with receiver._lock:
                    stall, receiver.stall_next = receiver.stall_next, 0.0
                    status = 500 if receiver.fail_next > 0 else 200
                    receiver.fail_next = max(0, receiver.fail_next - 1)
                    receiver.requests.append(
                        Request(
                            headers={k.lower(): v for k, v in self.headers.items()},
                            body=body,
                            payload=json.loads(body),
                            signature_ok=hmac.compare_digest(given, f"sha256={expected}"),
                            answered=status,
                        )
                    )
                receiver.arrived.set()
                time.sleep(stall)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def accepted(self) -> list[dict[str, Any]]:
        """Payloads answered 2xx, first copy of each event id only (as a receiver dedupes)."""
        seen: set[str] = set()
        out = []
        with self._lock:
            for request in self.requests:
                if request.answered == 200 and request.payload["id"] not in seen:
                    seen.add(request.payload["id"])
                    out.append(request.payload)
        return out

    def types(self) -> list[str]:
        return [p["type"] for p in self.accepted()]

    def wait(self, ready: Callable[[list[dict[str, Any]]], bool], timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while not ready(self.accepted()):
            assert time.monotonic() < deadline, f"receiver got only {self.types()}"
            time.sleep(0.02)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    made = Receiver()
    yield made
    made.close()


# ---- a server of its own, with fast retries --------------------------------------------------


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def hooks(
    request: pytest.FixtureRequest,
    new_database: Callable[[str], str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Live]:
    data = Path(tmp_path_factory.mktemp("hooks"))
    settings = test_settings(new_database(request.param), data, **WEBHOOK_SETTINGS)
    with live_server(settings) as server:
        yield server


def subscribe(api: httpx.Client, url: str, events: list[str] | None = None, **extra: Any) -> str:
    body = {"url": url, "events": events or list(EVENT_TYPES), "secret": SECRET, **extra}
    response = api.post("/webhooks", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["resource_code"])


def wait_gone(api: httpx.Client, path: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while api.get(path).status_code != 404:
        assert time.monotonic() < deadline, f"{path} still there"
        time.sleep(0.02)


# ---- lifecycle ------------------------------------------------------------------------------


def test_lifecycle_of_a_domain_and_a_mailbox_in_order(hooks: Live, receiver: Receiver) -> None:
    _, token = hooks.new_customer()
    with hooks.client(token) as api:
        subscribe(api, receiver.url)
        domain = active_domain(api)
        postmaster = api.get(f"/domains/{domain}").json()["resources"][0]["postmaster_code"]
        mailbox = create_mailbox(api, domain)
        path = f"/domains/{domain}/email_accounts/{mailbox}"
        wait_for(api, path, is_ok)
        assert api.put(path, json={"max_email_quota": 2147483648}).status_code == 204
        wait_for(api, path, lambda r: r["status_detail"] == "ok")
        assert api.put(path, json={"firstname": "Only a label"}).status_code == 204  # no event
        assert api.put(f"/domains/{domain}/status", json={"status": "disabled"}).status_code == 204
        wait_for(api, f"/domains/{domain}", lambda r: r["status_detail"] == "ok")
        assert api.put(f"/domains/{domain}/status", json={"status": "enabled"}).status_code == 204
        wait_for(api, f"/domains/{domain}", is_ok)
        assert api.delete(path).status_code == 202
        wait_gone(api, path)
        assert api.delete(f"/domains/{domain}").status_code == 202
        receiver.wait(lambda got: any(p["type"] == "domain.deleted" for p in got))

    got = receiver.accepted()
    assert [(p["type"], p["data"]["code"]) for p in got] == [
        ("domain.ownership_verified", domain),
        ("domain.enabled", domain),
        ("email_account.enabled", postmaster),
        ("email_account.enabled", mailbox),
        ("email_account.updated", mailbox),
        ("domain.disabled", domain),
        ("domain.enabled", domain),
        ("email_account.deleted", mailbox),
        ("email_account.deleted", postmaster),
        ("domain.deleted", domain),
    ]
    for request in receiver.requests:
        assert request.signature_ok
        assert request.headers["content-type"] == "application/json"
        assert request.headers["x-mailplane-event"] == request.payload["type"]
        assert request.headers["x-mailplane-delivery"] == request.payload["id"]
    assert len({p["id"] for p in got}) == len(got)
    assert all(p["created_at"].endswith("Z") for p in got)
    created = [p["created_at"] for p in got]
    assert created == sorted(created)
    enabled = got[3]["data"]
    assert enabled["email_address"].startswith("hello@") and enabled["domain_code"] == domain
    assert (enabled["status"], enabled["status_detail"]) == ("enabled", "ok")
    assert got[4]["data"]["max_email_quota"] == 2147483648
    assert got[5]["data"]["status"] == "disabled"
    assert got[1]["data"]["activated_at"] is not None


def test_receiver_failing_twice_still_gets_each_event(hooks: Live, receiver: Receiver) -> None:
    _, token = hooks.new_customer()
    receiver.fail_next = 2
    with hooks.client(token) as api:
        subscribe(api, receiver.url, ["domain.ownership_verified", "domain.enabled"])
        domain = active_domain(api)
        receiver.wait(lambda got: len(got) == 2)
    assert receiver.types() == ["domain.ownership_verified", "domain.enabled"]
    first = receiver.accepted()[0]
    tries = [r for r in receiver.requests if r.payload["id"] == first["id"]]
    assert [r.answered for r in tries] == [500, 500, 200]
    assert len({r.body for r in tries}) == 1, "a retry sends the same event"
    assert all(r.signature_ok for r in tries)
    assert first["data"]["code"] == domain
    with hooks.rt.db.read() as session:
        delivery = session.scalars(
            select(Delivery)
            .join(Event, Event.id == Delivery.event_id)
            .where(Event.uid == first["id"])
        ).one()
    assert delivery.attempts == 3 and delivery.delivered_at is not None
    assert delivery.last_error is None and delivery.due_at is None


def test_events_reach_their_customer_and_admin_webhooks(hooks: Live) -> None:
    a_receiver, b_receiver, admin_receiver = Receiver(), Receiver(), Receiver()
    try:
        _, a_token = hooks.new_customer()
        b_code, b_token = hooks.new_customer()
        with hooks.client(hooks.admin_token) as admin:
            everyone = subscribe(admin, admin_receiver.url, ["domain.ownership_verified"])
            only_b = subscribe(
                admin, admin_receiver.url, ["domain.ownership_verified"], customer_code=b_code
            )
            with hooks.client(a_token) as a, hooks.client(b_token) as b:
                subscribe(a, a_receiver.url, ["domain.ownership_verified"])
                subscribe(b, b_receiver.url, ["domain.ownership_verified"])
                a_domain, b_domain = create_domain(a), create_domain(b)
                for api, code in ((a, a_domain), (b, b_domain)):
                    assert api.put(f"/domains/{code}/skip_ownership_check").status_code == 204
            a_receiver.wait(lambda got: len(got) == 1)
            b_receiver.wait(lambda got: len(got) == 1)
            # the admin's receiver: both from the all-customers webhook, B's once more
            # (the same event, so the same id, twice: ids identify events, not deliveries)
            deadline = time.monotonic() + 15
            while len(admin_receiver.requests) < 3:
                assert time.monotonic() < deadline, admin_receiver.types()
                time.sleep(0.02)
            assert admin.delete(f"/webhooks/{everyone}").status_code == 204
            assert admin.delete(f"/webhooks/{only_b}").status_code == 204
        assert [p["data"]["code"] for p in a_receiver.accepted()] == [a_domain]
        assert [p["data"]["code"] for p in b_receiver.accepted()] == [b_domain]
        codes = sorted(r.payload["data"]["code"] for r in admin_receiver.requests)
        assert codes == sorted([a_domain, b_domain, b_domain])
        time.sleep(0.3)
        assert len(a_receiver.requests) == 1  # nothing else was sent to A
    finally:
        for r in (a_receiver, b_receiver, admin_receiver):
            r.close()


def test_a_deleted_webhook_gets_nothing_more(hooks: Live, receiver: Receiver) -> None:
    _, token = hooks.new_customer()
    with hooks.client(token) as api:
        code = subscribe(api, receiver.url)
        assert api.delete(f"/webhooks/{code}").status_code == 204
        assert api.get(f"/webhooks/{code}").status_code == 404
        assert api.delete(f"/webhooks/{code}").status_code == 404
        active_domain(api)
    time.sleep(0.5)
    assert receiver.requests == []


# ---- quota warnings -------------------------------------------------------------------------


def test_quota_warnings_once_per_threshold_crossing(hooks: Live, receiver: Receiver) -> None:
    _, token = hooks.new_customer()
    with hooks.client(token) as api:
        subscribe(api, receiver.url, ["email_account.quota_warning"])
        domain = active_domain(api)
        mailbox = create_mailbox(api, domain, max_email_quota=1073741824)
        wait_for(api, f"/domains/{domain}/email_accounts/{mailbox}", is_ok)
    quota = 1073741824
    with hooks.rt.db.read() as session:
        account_id = session.scalars(
            select(EmailAccount.id).where(EmailAccount.code == mailbox)
        ).one()
    # usage as the worker reads it back from the mail server, sweep after sweep
    for percent in (10, 79, 81, 83, 96, 99, 50, 97, 97):
        record_usage(hooks.rt, account_id, quota * percent // 100)
    receiver.wait(lambda got: len(got) == 4)
    time.sleep(0.3)
    got = receiver.accepted()
    assert [p["data"]["threshold_percent"] for p in got] == [80, 95, 80, 95]
    assert [round(p["data"]["used_space"] * 100 / quota) for p in got] == [81, 96, 97, 97]
    assert all(p["data"]["code"] == mailbox for p in got)
    assert all(p["data"]["max_email_quota"] == quota for p in got)
    assert len(receiver.requests) == 4


# ---- validation and access ------------------------------------------------------------------

INVALID: list[tuple[dict[str, Any], dict[str, str]]] = [
    ({}, {"url": "can't be blank", "events": "can't be blank", "secret": "can't be blank"}),
    ({"url": "ftp://example.com/x"}, {"url": "must be an http or https URL"}),
    ({"url": "example.com/hook"}, {"url": "must be an http or https URL"}),
    ({"url": "http://"}, {"url": "is not a valid URL"}),
    ({"url": "http://exa mple.com/"}, {"url": "is not a valid URL"}),
    ({"url": "http://example.com:99999/"}, {"url": "is not a valid URL"}),
    ({"url": "https://u:p@example.com/"}, {"url": "must not contain credentials"}),
    ({"url": "https://example.com/" + "x" * 2048}, {"url": "is too long"}),
    ({"url": 42}, {"url": "must be a string"}),
    ({"events": []}, {"events": "can't be blank"}),
    ({"events": ["domain.created"]}, {"events": "is not included in the list"}),
    ({"events": ["domain.enabled", "DOMAIN.DELETED"]}, {"events": "is not included in the list"}),
    ({"events": "domain.enabled"}, {"events": "must be an array"}),
    ({"events": [1]}, {"events": "must be a string"}),
    ({"secret": ""}, {"secret": "can't be blank"}),
    ({"secret": "x" * 15}, {"secret": "is too short (minimum is 16 characters)"}),
    ({"secret": "x" * 257}, {"secret": "is too long (maximum is 256 characters)"}),
    ({"secret": 1234567890123456789}, {"secret": "must be a string"}),
]
VALID = {"url": "https://hooks.example.com/mailplane", "events": ["domain.enabled"]}


@pytest.mark.parametrize(("body", "expected"), INVALID, ids=[str(b)[:60] for b, _ in INVALID])
def test_invalid_webhooks_are_refused(
    hooks: Live, body: dict[str, Any], expected: dict[str, str]
) -> None:
    full = {**VALID, "secret": SECRET, **body} if body else {}
    with hooks.client() as api:
        before = api.get("/webhooks").json()["resources"]
        response = api.post("/webhooks", json=full)
        assert response.status_code == 422, response.text
        assert response.json()["message"] == "Validation failed"
        errors = {e["field"]: e["description"] for e in response.json()["errors"]}
        assert set(errors) == set(expected)
        for field, description in expected.items():
            assert errors[field].startswith(description), errors
        assert api.get("/webhooks").json()["resources"] == before


def test_admin_webhook_for_an_unknown_customer_is_refused(hooks: Live) -> None:
    with hooks.client(hooks.admin_token) as admin:
        body = {**VALID, "secret": SECRET, "customer_code": "C000000000"}
        response = admin.post("/webhooks", json=body)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "customer_code", "description": "does not exist"}
    ]


def test_create_read_list_never_show_the_secret(hooks: Live) -> None:
    with hooks.client() as api:
        response = api.post(
            "/webhooks",
            json={
                **VALID,
                "events": ["domain.deleted", "domain.enabled", "domain.enabled"],
                "secret": SECRET,
            },
        )
        assert response.status_code == 201, response.text
        code = response.json()["resource_code"]
        assert response.json() == {"message": "Webhook created", "resource_code": code}
        assert response.headers["location"] == f"/api/webhooks/{code}"
        assert code.startswith("W") and len(code) == 10 and code[1:].isdigit()
        one = api.get(f"/webhooks/{code}")
        assert one.status_code == 200
        resource = one.json()["resources"][0]
        assert resource["url"] == VALID["url"]
        assert resource["events"] == ["domain.enabled", "domain.deleted"]
        assert resource["customer_code"] == hooks.customer_code
        assert set(resource) == {"code", "url", "events", "customer_code", "created_at"}
        listed = api.get("/webhooks")
        assert code in {r["code"] for r in listed.json()["resources"]}
        with hooks.client(hooks.admin_token) as admin:
            texts = [response.text, one.text, listed.text, admin.get("/webhooks").text]
        for text in texts:
            assert SECRET not in text
        assert api.delete(f"/webhooks/{code}").status_code == 204
    with hooks.rt.db.read() as session:
        sealed = session.scalars(select(Webhook.secret_encrypted)).all()
    assert all(SECRET not in value for value in sealed)


@pytest.fixture(scope="module")
def tenants(hooks: Live) -> dict[str, str]:
    """Customer A with a webhook and a domain (for a postmaster token); customer B."""
    _, a_token = hooks.new_customer()
    _, b_token = hooks.new_customer()
    with hooks.client(a_token) as api:
        hook = subscribe(api, "https://hooks.example.com/a")
        domain = create_domain(api)
    return {
        "a": a_token,
        "b": b_token,
        "hook": hook,
        "postmaster": hooks.token(Role.POSTMASTER, domain_code=domain),
    }


ROUTES: list[tuple[str, str, Any]] = [
    ("GET", "/webhooks", None),
    ("POST", "/webhooks", {**VALID, "secret": SECRET}),
    ("GET", "/webhooks/{hook}", None),
    ("DELETE", "/webhooks/{hook}", None),
]
ROUTE_IDS = [f"{m} {p}" for m, p, _ in ROUTES]


def _call(hooks: Live, token: str | None, method: str, path: str, body: Any) -> httpx.Response:
    headers = {"X-Api-Token": token} if token is not None else {}
    with httpx.Client(base_url=hooks.base_url, headers=headers, timeout=30) as api:
        return api.request(method, path, json=body) if body else api.request(method, path)


def _hook_still_there(hooks: Live, tenants: dict[str, str]) -> None:
    with hooks.client(tenants["a"]) as api:
        assert api.get(f"/webhooks/{tenants['hook']}").status_code == 200


@pytest.mark.parametrize("who", ["no token", "unknown token"])
@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=ROUTE_IDS)
def test_unauthorized(
    hooks: Live, tenants: dict[str, str], who: str, method: str, path: str, body: Any
) -> None:
    token = None if who == "no token" else "mpk_" + "x" * 43
    response = _call(hooks, token, method, path.format(**tenants), body)
    assert response.status_code == 401, response.text
    assert response.json() == {"message": "Unauthorized", "errors": []}
    _hook_still_there(hooks, tenants)


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=ROUTE_IDS)
def test_postmaster_forbidden(
    hooks: Live, tenants: dict[str, str], method: str, path: str, body: Any
) -> None:
    response = _call(hooks, tenants["postmaster"], method, path.format(**tenants), body)
    assert response.status_code == 403, response.text
    assert response.json() == {"message": "Forbidden", "errors": []}
    _hook_still_there(hooks, tenants)


@pytest.mark.parametrize(("method", "path", "body"), ROUTES[2:], ids=ROUTE_IDS[2:])
def test_other_customer_gets_not_found(
    hooks: Live, tenants: dict[str, str], method: str, path: str, body: Any
) -> None:
    response = _call(hooks, tenants["b"], method, path.format(**tenants), body)
    assert response.status_code == 404, response.text
    assert response.json() == {"message": "Not found", "errors": []}
    _hook_still_there(hooks, tenants)


def test_lists_show_own_webhooks_and_admin_sees_all(hooks: Live, tenants: dict[str, str]) -> None:
    def codes(token: str) -> set[str]:
        response = _call(hooks, token, "GET", "/webhooks", None)
        assert response.status_code == 200
        return {r["code"] for r in response.json()["resources"]}

    assert tenants["hook"] in codes(tenants["a"])
    assert tenants["hook"] not in codes(tenants["b"])
    assert tenants["hook"] in codes(hooks.admin_token)
    for path in ("/webhooks/nope", "/webhooks/%00", "/webhooks/W12345678", "/webhooks/w123456789"):
        response = _call(hooks, hooks.admin_token, "GET", path, None)
        assert response.status_code == 404, path


# ---- crash safety ---------------------------------------------------------------------------


def all_delivered(rt: Runtime, events: int) -> bool:
    with rt.db.read() as session:
        deliveries = list(session.scalars(select(Delivery)))
    return len(deliveries) == events and all(d.delivered_at is not None for d in deliveries)


# on PostgreSQL, the database of several worker hosts (SQLite's claims are shown by the live
# server's two worker threads above; a worker process takes seconds to start on a busy machine)
@pytest.mark.parametrize("kind", ["postgresql"])
def test_worker_killed_mid_delivery_loses_nothing(
    kind: str,
    new_database: Callable[[str], str],
    tmp_path: Path,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = test_settings(
        new_database(kind),
        tmp_path,
        worker_lease_seconds=1.0,
        webhook_timeout_seconds=1.5,
        webhook_retry_base_seconds=0.05,
        webhook_allow_private_addresses=True,
    )
    for name in ("timeout_seconds", "retry_base_seconds", "allow_private_addresses"):
        value = getattr(settings, f"webhook_{name}")
        monkeypatch.setenv(f"MAILPLANE_WEBHOOK_{name.upper()}", str(value).lower())
    rt = Runtime(settings)
    upgrade(rt.db)
    webhooks.create(
        rt,
        ADMIN,
        WebhookCreate.parse({"url": receiver.url, "events": list(EVENT_TYPES), "secret": SECRET}),
    )
    queue_activations(rt, 4)  # ownership proven: 4 events now, 8 more once activated
    receiver.stall_next = 5.0  # the first delivery hangs: its worker dies while it waits
    log = tmp_path / "worker.log"
    # two worker processes (started together: a start takes seconds); the one holding the
    # stalled delivery is killed, the other takes it over once its lease has run out
    workers = {w.pid: w for w in (start_worker(settings, log), start_worker(settings, log))}
    try:
        assert receiver.arrived.wait(30), log.read_text()
        with rt.db.read() as session:
            owner = session.scalars(
                select(Delivery.lease_owner).where(Delivery.lease_owner.is_not(None))
            ).one()
        victim = workers.pop(int(owner.rsplit(":", 2)[1]))
        victim.send_signal(signal.SIGKILL)
        victim.wait(10)
        in_flight = receiver.requests[0].payload["id"]
        (survivor,) = workers.values()
        deadline = time.monotonic() + 30
        while not all_delivered(rt, 12):
            assert time.monotonic() < deadline and survivor.poll() is None, log.read_text()
            time.sleep(0.05)
    finally:
        for worker in workers.values():
            worker.terminate()
            worker.wait(10)
    with rt.db.read() as session:
        uids = set(session.scalars(select(Event.uid)))
        deliveries = list(session.scalars(select(Delivery)))
    assert len(uids) == 12
    assert {p["id"] for p in receiver.accepted()} == uids
    assert sum(1 for r in receiver.requests if r.payload["id"] == in_flight) >= 2
    assert len(deliveries) == 12 and all(d.delivered_at is not None for d in deliveries)
    assert all(r.signature_ok for r in receiver.requests)
    rt.close()


def test_secret_is_sealed_and_opens_with_the_service_key(hooks: Live) -> None:
    hook = webhooks.create(
        hooks.rt,
        ADMIN,
        WebhookCreate.parse({**VALID, "secret": SECRET}),
    )
    assert hook.secret_encrypted != SECRET
    assert unseal(hooks.rt.settings, hook.secret_encrypted) == SECRET
    with hooks.client(hooks.admin_token) as admin:
        assert admin.delete(f"/webhooks/{hook.code}").status_code == 204


# ---- giving up, and private addresses (one worker, in this process) --------------------------


def drain(worker: Worker, until: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not until():
        assert time.monotonic() < deadline
        if worker.run_once() == 0:
            time.sleep(0.02)


def test_a_delivery_is_given_up_after_its_attempts_and_the_next_goes(
    tmp_path: Path, receiver: Receiver
) -> None:
    settings = test_settings(
        f"sqlite:///{tmp_path / 'm.db'}",
        tmp_path,
        webhook_retry_base_seconds=0.01,
        webhook_max_attempts=3,
        webhook_allow_private_addresses=True,
    )
    rt = Runtime(settings)
    upgrade(rt.db)
    body = {"url": receiver.url, "events": ["domain.ownership_verified"], "secret": SECRET}
    webhooks.create(rt, ADMIN, WebhookCreate.parse(body))
    receiver.fail_next = 3
    queue_activations(rt, 2)
    worker = Worker(rt, "in-test")
    drain(worker, lambda: len(receiver.accepted()) == 1)
    with rt.db.read() as session:
        first, second = session.scalars(select(Delivery).order_by(Delivery.event_id)).all()
    assert (first.attempts, first.delivered_at, first.due_at) == (3, None, None)
    assert first.last_error is not None and first.last_error.startswith(
        "gave up after 3 attempts: HTTP 500"
    )
    assert second.delivered_at is not None and second.attempts == 1
    worker.deliveries.close()
    rt.close()


def test_customer_webhooks_may_not_reach_private_addresses(
    tmp_path: Path, receiver: Receiver
) -> None:
    settings = test_settings(f"sqlite:///{tmp_path / 'm.db'}", tmp_path, webhook_max_attempts=1)
    assert settings.webhook_allow_private_addresses is False
    rt = Runtime(settings)
    upgrade(rt.db)
    body = {"url": receiver.url, "events": ["domain.ownership_verified"], "secret": SECRET}
    codes = queue_activations(rt, 1)  # a customer with a domain; no worker has run yet
    with rt.db.read() as session:
        customer_id = session.scalars(
            select(Domain.customer_id).where(Domain.code == codes[0])
        ).one()
    webhooks.create(
        rt, Principal(Role.CUSTOMER, customer_id=customer_id), WebhookCreate.parse(body)
    )
    webhooks.create(rt, ADMIN, WebhookCreate.parse(body))  # an admin's may
    worker = Worker(rt, "in-test")

    def settled() -> bool:
        with rt.db.read() as session:
            return all(d.due_at is None for d in session.scalars(select(Delivery)))

    drain(worker, lambda: bool(receiver.requests) and settled())
    with rt.db.read() as session:
        rows = session.execute(
            select(Webhook.customer_id, Delivery).join(Webhook, Webhook.id == Delivery.webhook_id)
        ).all()
    outcome = {customer is None: delivery for customer, delivery in rows}
    assert outcome[True].delivered_at is not None
    assert outcome[False].delivered_at is None
    assert "refused: 127.0.0.1 resolves to 127.0.0.1" in (outcome[False].last_error or "")
    assert len(receiver.requests) == 1
    worker.deliveries.close()
    rt.close()
