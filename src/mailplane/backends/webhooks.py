"""Sending one webhook delivery: a signed JSON POST (spec §6)."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

SIGNATURE_HEADER = "X-Mailplane-Signature"
EVENT_HEADER = "X-Mailplane-Event"
DELIVERY_HEADER = "X-Mailplane-Delivery"


def body_of(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed)."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def signature(secret: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of the body under the webhook's secret."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Outcome:
    ok: bool
    error: str | None = None


def refused_address(url: str) -> str | None:
    """Why ``url``'s host may not be reached from here (private, loopback, link-local…)."""
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        return f"cannot resolve {host}: {exc}"
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if not address.is_global or address.is_multicast:
            return f"{host} resolves to {address}, a private or reserved address"
    return None


def deliver(
    client: httpx.Client,
    url: str,
    secret: str,
    payload: dict[str, Any],
    *,
    allow_private: bool,
) -> Outcome:
    """POST the event; any 2xx answer is success. Redirects are not followed."""
    if not allow_private and (problem := refused_address(url)):
        return Outcome(False, f"refused: {problem}")
    body = body_of(payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "mailplane-webhooks",
        SIGNATURE_HEADER: signature(secret, body),
        EVENT_HEADER: str(payload["type"]),
        DELIVERY_HEADER: str(payload["id"]),
    }
    try:
        response = client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return Outcome(False, f"{exc.__class__.__name__}: {exc}"[:500])
    if 200 <= response.status_code < 300:
        return Outcome(True)
    return Outcome(False, f"HTTP {response.status_code}: {response.text[:200]}")
