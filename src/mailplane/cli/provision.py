"""`mailplane provision`: the seed's workflow as one command.

It talks to the API only through the SDK (`mailplane.client`), so it runs against mailplane and
against Qboxmail alike. Every step first looks at what exists, so a run that was interrupted
picks up where it stopped: an existing domain or mailbox is reused, never duplicated.
"""

from __future__ import annotations

import ipaddress
import json
import re
import socket
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any, TextIO

import dns.exception
import dns.nameserver
import dns.resolver
import typer
from rich.console import Console
from rich.progress import Progress, ProgressColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Column

from mailplane.client import (
    APIConnectionError,
    AuthenticationError,
    Client,
    Domain,
    EmailAccount,
    MailplaneError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    ValidationError,
    WaitTimeoutError,
)

__all__ = ["ProvisionError", "Reporter", "explain_api_error", "parse_quota", "register"]

DEFAULT_TIMEOUT = 1800.0

_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
_QUOTA = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$", re.IGNORECASE)


class ProvisionError(Exception):
    """A failure with the fix to tell the user."""

    def __init__(self, message: str, fix: str | None = None) -> None:
        self.message = message
        self.fix = fix
        super().__init__(message if fix is None else f"{message}; {fix}")


def parse_quota(text: str) -> int:
    """Bytes from `2GiB`, `2G`, `2GB`, `50MiB`, `1073741824`.

    Units are binary (1 G = 1 GiB = 1073741824 bytes), as the API's quota values are.
    """
    match = _QUOTA.match(text)
    if match is None:
        raise ValueError(f"invalid quota {text!r}: use bytes or a size like 2GiB, 2G or 50MiB")
    number, unit = match.groups()
    value = float(number) * _UNITS[unit.lower()]
    if value != int(value) or value <= 0:
        raise ValueError(f"invalid quota {text!r}: not a positive whole number of bytes")
    return int(value)


def human_bytes(value: int | None) -> str:
    if value is None:
        return "?"
    for unit, size in (("TiB", 1024**4), ("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if value >= size and value % size == 0:
            return f"{value // size} {unit}"
    return f"{value} bytes"


def normalise_domain(name: str) -> str:
    """Lowercase, no trailing dot, A-label form for IDNs (as the API stores names)."""
    text = name.strip().rstrip(".").lower()
    try:
        return text.encode("idna").decode("ascii")
    except UnicodeError:
        return text


# --------------------------------------------------------------------------------------------
# Output: a rich spinner with elapsed time on a terminal, plain timestamped lines otherwise.
# Shared with `mailplane domains …` / `mailplane mailboxes …`.

HEARTBEAT = 30.0


class Spinner:
    """What a wait reports through: `update(text)` with the latest state."""

    def __init__(self, reporter: Reporter, progress: Progress | None, task: Any, label: str):
        self._reporter, self._progress, self._task, self._label = reporter, progress, task, label
        self._last_text: str | None = None
        self._last_time = 0.0

    def update(self, text: str) -> None:
        if self._progress is not None:
            self._progress.update(self._task, detail=text)
            return
        now = time.monotonic()
        if text != self._last_text or now - self._last_time >= HEARTBEAT:
            self._reporter.info(f"  {text}")
            self._last_text, self._last_time = text, now


class Reporter:
    """Progress for humans, on `stream` (stderr when stdout carries JSON)."""

    def __init__(self, stream: TextIO, fancy: bool) -> None:
        self.stream = stream
        self.fancy = fancy
        self.started = time.monotonic()
        self.console = Console(file=stream, highlight=False, soft_wrap=True) if fancy else None

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def info(self, text: str) -> None:
        if self.console is not None:
            self.console.print(text, markup=False)
        else:
            self.line(f"[{self.elapsed():7.1f}s] {text}")

    def line(self, text: str) -> None:
        if self.console is not None:
            self.console.print(text, markup=False)
        else:
            print(text, file=self.stream, flush=True)

    @contextmanager
    def waiting(self, label: str) -> Iterator[Spinner]:
        if self.console is None:
            self.info(f"{label} …")
            yield Spinner(self, None, None, label)
            return
        with Progress(*_progress_columns(), console=self.console, transient=True, expand=True) as p:
            task = p.add_task(label, detail="")
            yield Spinner(self, p, task, label)


def _progress_columns() -> tuple[ProgressColumn, ...]:
    """Spinner, elapsed time, what is awaited (cut to fit), the latest state seen."""
    return (
        SpinnerColumn(),
        TimeElapsedColumn(table_column=Column(min_width=7, no_wrap=True)),
        TextColumn(
            "{task.description}", table_column=Column(no_wrap=True, overflow="ellipsis", ratio=1)
        ),
        TextColumn("[dim]{task.fields[detail]}", table_column=Column(no_wrap=True)),
    )


def make_reporter(as_json: bool) -> Reporter:
    stream = sys.stderr if as_json else sys.stdout
    return Reporter(stream, fancy=stream.isatty())


def fail_with(out: Reporter, message: str, fix: str | None, as_json: bool) -> typer.Exit:
    """Report a failure (and its fix) on stderr, and as JSON on stdout with `--json`."""
    print(f"error: {message}", file=sys.stderr, flush=True)
    if fix:
        print(f"fix: {fix}", file=sys.stderr, flush=True)
    if as_json:
        sys.stdout.write(json.dumps({"ok": False, "error": message, "fix": fix}) + "\n")
        sys.stdout.flush()
    return typer.Exit(code=1)


def explain_api_error(exc: MailplaneError) -> tuple[str, str | None]:
    """A message (field errors one per line) and the fix to suggest, for an SDK error."""
    if isinstance(exc, ValidationError):
        lines = [f"the API refused the request ({exc.status_code} {exc.message}):"]
        lines += [f"  {e.field or 'request'}: {e.description}" for e in exc.errors]
        return "\n".join(lines), "correct the fields above and run again"
    if isinstance(exc, AuthenticationError):
        return (
            f"the API rejected the token ({exc.status_code} {exc.message})",
            "pass --token or set QBOXMAIL_API_TOKEN to a valid Management API token",
        )
    if isinstance(exc, PermissionDeniedError):
        return str(exc), "use a token whose role may do this (customer or admin)"
    if isinstance(exc, NotFoundError):
        return str(exc), "check the code (mailplane domains list / mailboxes list show them)"
    if isinstance(exc, RateLimitError | ServerError):
        return str(exc), "run again in a moment"
    if isinstance(exc, APIConnectionError):
        return str(exc), "check --api-base / QBOXMAIL_API_BASE and that the API is reachable"
    if isinstance(exc, WaitTimeoutError):
        return str(exc), "run the same command again later; it resumes where it stopped"
    return str(exc), None


# --------------------------------------------------------------------------------------------
# Passwords: from an option or the environment (typer reads both), else a hidden prompt.


def obtain_password(value: str | None, env: str, option: str, label: str) -> str:
    if value:
        return value
    if not sys.stdin.isatty():
        raise ProvisionError(
            f"a {label.lower()} password is needed and there is no terminal to ask for it",
            f"set {env} or pass {option}",
        )
    return str(typer.prompt(f"{label} password", hide_input=True, confirmation_prompt=True))


# --------------------------------------------------------------------------------------------
# DNS: watching for the ownership record ourselves, through chosen resolvers.


def parse_resolver(spec: str) -> tuple[str, int]:
    """`host`, `host:port`, `::1`, `[::1]:5353` → (address, port); hostnames are looked up."""
    text = spec.strip()
    host, port = text, "53"
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ("53" if not rest else "x")
    elif text.count(":") == 1:
        host, _, port = text.partition(":")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"invalid resolver {spec!r}: use host, host:port or [ipv6]:port")
    try:
        return str(ipaddress.ip_address(host)), int(port)
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_DGRAM)
    except (OSError, UnicodeError) as exc:
        raise ValueError(f"invalid resolver {spec!r}: cannot resolve {host!r}") from exc
    return str(infos[0][4][0]), int(port)


class DnsWatcher:
    """Looks up A records through the given resolvers (the system's when none), uncached."""

    def __init__(self, specs: list[str], lifetime: float) -> None:
        try:
            self.resolver = dns.resolver.Resolver(configure=not specs)
        except dns.resolver.NoResolverConfiguration:
            raise ProvisionError(
                "no system DNS resolver is configured", "pass --resolver host[:port]"
            ) from None
        if specs:
            self.resolver.nameservers = [
                dns.nameserver.Do53Nameserver(*parse_resolver(spec)) for spec in specs
            ]
        self.resolver.timeout = self.resolver.lifetime = lifetime
        self.resolver.cache = None

    def lookup(self, name: str) -> list[str]:
        """The A addresses of `name` now; empty when none (or when the lookup fails)."""
        try:
            answer = self.resolver.resolve(name, "A", raise_on_no_answer=False, search=False)
        except dns.exception.DNSException:
            return []
        if answer.rrset is None:
            return []
        return [rdata.to_text() for rdata in answer.rrset]


# --------------------------------------------------------------------------------------------
# Options and state


@dataclass
class Options:
    domain: str
    mailbox: str
    quota: int
    plan: str = "basic"
    customer: str | None = None
    api_base: str | None = None
    token: str | None = None
    resolvers: list[str] = field(default_factory=list)
    ownership_ip: str | None = None
    firstname: str = "Example"
    lastname: str | None = "User"
    postmaster_password: str | None = None
    mailbox_password: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    dns_timeout: float = DEFAULT_TIMEOUT
    poll_interval: float = 0.2
    max_poll_interval: float = 10.0
    http_timeout: float = 30.0

    @property
    def max_interval(self) -> float:
        return max(self.max_poll_interval, self.poll_interval)


@dataclass
class Result:
    domain: Domain
    mailbox: EmailAccount
    created_domain: bool
    created_mailbox: bool

    def facts(self, elapsed: float) -> dict[str, Any]:
        return {
            "ok": True,
            "domain": self.domain.name,
            "domain_code": self.domain.code,
            "domain_status": f"{self.domain.status}/{self.domain.status_detail}",
            "mailbox_code": self.mailbox.code,
            "email_address": self.mailbox.email_address,
            "quota_bytes": self.mailbox.max_email_quota,
            "mailbox_status": f"{self.mailbox.status}/{self.mailbox.status_detail}",
            "created_domain": self.created_domain,
            "created_mailbox": self.created_mailbox,
            "elapsed_seconds": round(elapsed, 3),
        }


# --------------------------------------------------------------------------------------------
# The domain


def find_domain(client: Client, name: str) -> Domain | None:
    """The domain called exactly `name`, if the token can see one."""
    for domain in client.domains.list(query=name):
        if (domain.name or "").lower() == name:
            return domain
    return None


def ensure_domain(client: Client, opts: Options, out: Reporter) -> tuple[Domain, bool]:
    """Find the domain or create it; (domain, created)."""
    existing = find_domain(client, opts.domain)
    if existing is not None:
        out.info(
            f"Domain {existing.name} exists ({existing.code}, "
            f"{existing.status}/{existing.status_detail}); reusing it"
        )
        return existing, False
    password = obtain_password(
        opts.postmaster_password, "POSTMASTER_PASSWORD", "--postmaster-password", "Postmaster"
    )
    code = client.domains.create(
        opts.domain, password, plan=opts.plan, customer_code=opts.customer or None
    )
    out.info(f"Domain created: {opts.domain} ({code})")
    return client.domains.retrieve(code), True


def ownership_record(domain: Domain, opts: Options) -> tuple[str, str | None]:
    """The A record to publish: (name, expected address or None if the API does not say)."""
    record = domain.expected_a_record
    if record is None or not record.name:
        raise ProvisionError(
            f"the API gave no DNS ownership data for {domain.name} ({domain.code})",
            "run again in a moment",
        )
    return record.name.rstrip("."), record.value or opts.ownership_ip


def describe_record(name: str, ip: str | None) -> str:
    return f"publish A {name} → {ip or '<the ownership IP your provider gives>'}"


def activate_domain(client: Client, domain: Domain, opts: Options, out: Reporter) -> Domain:
    """Take the domain from wherever it is to enabled/ok."""
    if domain.is_ready:
        return domain
    if domain.status_detail == "deleting":
        raise ProvisionError(
            f"domain {domain.name} ({domain.code}) is being deleted",
            "wait until it is gone, then run again",
        )
    if domain.status == "disabled":
        raise ProvisionError(
            f"domain {domain.name} ({domain.code}) is disabled",
            f"enable it (mailplane domains status {domain.code} enabled), then run again",
        )
    if domain.status == "ownership_check":
        prove_ownership(client, domain, opts, out)
    return wait_domain_ready(client, domain, opts, out)


def prove_ownership(client: Client, domain: Domain, opts: Options, out: Reporter) -> None:
    domain = client.domains.wait_for_ownership_data(
        domain.code,
        timeout=opts.timeout,
        initial_interval=opts.poll_interval,
        max_interval=opts.max_interval,
    )
    name, ip = ownership_record(domain, opts)
    out.info(describe_record(name, ip))
    if ip is None:
        out.info("(the API does not say which address; any A record will be accepted here)")
    watch_dns(name, ip, opts, out)
    client.domains.verify_dns_ownership(domain.code)
    out.info("DNS ownership check queued")


def wait_domain_ready(client: Client, domain: Domain, opts: Options, out: Reporter) -> Domain:
    recheck = _Rechecker(client, domain.code, every=max(2 * opts.max_poll_interval, 1.0))
    with out.waiting(f"Waiting for domain {domain.name} to be enabled") as spin:

        def on_poll(d: Domain) -> None:
            spin.update(f"{d.status}/{d.status_detail}")
            if d.status == "ownership_check":
                recheck.maybe()

        ready = client.domains.wait_until_enabled(
            domain.code,
            on_poll=on_poll,
            timeout=opts.timeout,
            initial_interval=opts.poll_interval,
            max_interval=opts.max_interval,
        )
    out.info(f"Domain {ready.name} is enabled ({ready.code})")
    return ready


class _Rechecker:
    """Asks the API to check ownership again now and then while the domain still waits for it
    (the server's own retries back off; a new PUT checks at once)."""

    def __init__(self, client: Client, code: str, every: float) -> None:
        self.client, self.code, self.every = client, code, every
        self.last = time.monotonic()

    def maybe(self) -> None:
        if time.monotonic() - self.last >= self.every:
            self.last = time.monotonic()
            self.client.domains.verify_dns_ownership(self.code)


# --------------------------------------------------------------------------------------------
# DNS


def watch_dns(name: str, ip: str | None, opts: Options, out: Reporter) -> None:
    """Wait until `name` resolves to `ip` (to anything when `ip` is None)."""
    watcher = DnsWatcher(opts.resolvers, lifetime=min(3.0, max(opts.poll_interval, 0.5)))
    deadline = time.monotonic() + opts.dns_timeout
    interval = opts.poll_interval
    where = ", ".join(opts.resolvers) or "the system resolvers"
    with out.waiting(f"Waiting for {name} to resolve to {ip or 'an address'} ({where})") as spin:
        while True:
            seen = watcher.lookup(name)
            if (ip in seen) if ip else bool(seen):
                break
            spin.update(", ".join(seen) if seen else "no A record yet")
            if time.monotonic() + interval > deadline:
                raise ProvisionError(
                    f"{name} did not resolve to {ip or 'an address'} within "
                    f"{opts.dns_timeout:g}s (last seen: {', '.join(seen) or 'nothing'})",
                    f"{describe_record(name, ip)}, then run again",
                )
            time.sleep(interval)
            interval = min(interval * 1.5, opts.max_interval)
    out.info(f"{name} resolves to {ip or ', '.join(seen)}")


# --------------------------------------------------------------------------------------------
# The mailbox


def find_mailbox(client: Client, domain: Domain, name: str) -> EmailAccount | None:
    address = f"{name}@{domain.name}".lower()
    for account in client.email_accounts.list(domain.code, query=name):
        if (account.name or "").lower() == name or (account.email_address or "") == address:
            return account
    return None


def ensure_mailbox(
    client: Client, domain: Domain, opts: Options, out: Reporter
) -> tuple[EmailAccount, bool]:
    existing = find_mailbox(client, domain, opts.mailbox)
    if existing is not None:
        out.info(f"Mailbox {existing.email_address} exists ({existing.code}); reusing it")
        return existing, False
    password = obtain_password(
        opts.mailbox_password, "MAILBOX_PASSWORD", "--mailbox-password", "Mailbox"
    )
    code = client.email_accounts.create(
        domain.code, opts.mailbox, password, firstname=opts.firstname, lastname=opts.lastname
    )
    out.info(f"Mailbox creation queued: {opts.mailbox}@{domain.name} ({code})")
    return client.email_accounts.retrieve(domain.code, code), True


def wait_mailbox(
    client: Client,
    domain: Domain,
    account: EmailAccount,
    opts: Options,
    out: Reporter,
    predicate: Callable[[EmailAccount], bool] | None = None,
    what: str = "enabled",
) -> EmailAccount:
    if account.status == "disabled":
        raise ProvisionError(
            f"mailbox {account.email_address} ({account.code}) is disabled",
            f"enable it (mailplane mailboxes enable {domain.code} {account.code}), then run again",
        )
    if account.status_detail == "deleting":
        raise ProvisionError(
            f"mailbox {account.email_address} is being deleted", "wait, then run again"
        )
    with out.waiting(f"Waiting for mailbox {account.email_address} to be {what}") as spin:
        ready = client.email_accounts.wait_until_enabled(
            domain.code,
            account.code,
            predicate=predicate,
            on_poll=lambda a: spin.update(f"{a.status}/{a.status_detail}"),
            timeout=opts.timeout,
            initial_interval=opts.poll_interval,
            max_interval=opts.max_interval,
        )
    return ready


def apply_quota(
    client: Client, domain: Domain, account: EmailAccount, opts: Options, out: Reporter
) -> EmailAccount:
    if account.max_email_quota != opts.quota:
        client.email_accounts.update(domain.code, account.code, max_email_quota=opts.quota)
        out.info(f"Mailbox quota update queued: {opts.quota} bytes ({human_bytes(opts.quota)})")
    return wait_mailbox(
        client,
        domain,
        account,
        opts,
        out,
        predicate=lambda a: a.max_email_quota == opts.quota,
        what=f"at quota {human_bytes(opts.quota)}",
    )


# --------------------------------------------------------------------------------------------
# The workflow


def provision(client: Client, opts: Options, out: Reporter) -> Result:
    """Run the whole workflow; idempotent."""
    domain, created_domain = ensure_domain(client, opts, out)
    domain = activate_domain(client, domain, opts, out)
    account, created_mailbox = ensure_mailbox(client, domain, opts, out)
    account = wait_mailbox(client, domain, account, opts, out)
    account = apply_quota(client, domain, account, opts, out)
    return Result(domain, account, created_domain, created_mailbox)


def print_facts(facts: dict[str, Any], as_json: bool, out: Reporter) -> None:
    if as_json:
        sys.stdout.write(json.dumps(facts) + "\n")
        sys.stdout.flush()
        return
    out.info(
        f"Done in {facts['elapsed_seconds']:.1f}s: {facts['email_address']} "
        f"(mailbox {facts['mailbox_code']}, quota {facts['quota_bytes']} bytes "
        f"= {human_bytes(facts['quota_bytes'])}) on domain {facts['domain']} "
        f"({facts['domain_code']})"
    )
    for key in ("domain_code", "mailbox_code", "email_address", "quota_bytes"):
        out.line(f"  {key}: {facts[key]}")


def run(opts: Options, as_json: bool) -> None:
    """Run with output and exit codes: the body of the command."""
    out = make_reporter(as_json)
    started = time.monotonic()
    try:
        with Client(opts.api_base, opts.token, timeout=opts.http_timeout) as client:
            out.info(f"Provisioning {opts.mailbox}@{opts.domain} via {client.base_url}")
            result = provision(client, opts, out)
    except ProvisionError as exc:
        raise fail_with(out, exc.message, exc.fix, as_json) from None
    except MailplaneError as exc:
        raise fail_with(out, *explain(exc, opts), as_json) from None
    except KeyboardInterrupt:
        raise fail_with(
            out, "interrupted", "run the same command again to pick up where it stopped", as_json
        ) from None
    print_facts(result.facts(time.monotonic() - started), as_json, out)


def explain(exc: MailplaneError, opts: Options) -> tuple[str, str | None]:
    """A message and a fix for an SDK error."""
    message, fix = explain_api_error(exc)
    if fix is None:
        fix = "fix the cause above, then run the same command again (it resumes)"
    return message, fix


# --------------------------------------------------------------------------------------------
# The command


def _quota(value: str) -> int:
    try:
        return parse_quota(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def provision_command(
    domain: Annotated[str, typer.Argument(help="the domain to host, e.g. example.com")],
    mailbox: Annotated[str, typer.Option("--mailbox", help="local part of the first mailbox")],
    quota: Annotated[
        str, typer.Option("--quota", help="mailbox quota: 2GiB, 2G, 50MiB or bytes")
    ] = "2GiB",
    plan: Annotated[
        str, typer.Option("--plan", envvar="DOMAIN_PLAN", help="basic, professional, enterprise")
    ] = "basic",
    customer: Annotated[
        str | None,
        typer.Option("--customer", envvar="CUSTOMER_CODE", help="customer code (admin tokens)"),
    ] = None,
    api_base: Annotated[
        str | None,
        typer.Option("--api-base", envvar="QBOXMAIL_API_BASE", help="API base URL"),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option("--token", envvar="QBOXMAIL_API_TOKEN", help="API token", show_default=False),
    ] = None,
    resolver: Annotated[
        list[str] | None,
        typer.Option("--resolver", help="DNS resolver host[:port] to watch with (repeatable)"),
    ] = None,
    ownership_ip: Annotated[
        str | None,
        typer.Option(help="expected A record address when the API does not say"),
    ] = None,
    firstname: Annotated[str, typer.Option(help="mailbox owner's first name")] = "Example",
    lastname: Annotated[str, typer.Option(help="mailbox owner's last name")] = "User",
    postmaster_password: Annotated[
        str | None,
        typer.Option(
            envvar="POSTMASTER_PASSWORD",
            help="postmaster password (only when the domain is created); prompted if unset",
            show_default=False,
            show_envvar=True,
        ),
    ] = None,
    mailbox_password: Annotated[
        str | None,
        typer.Option(
            envvar="MAILBOX_PASSWORD",
            help="mailbox password (only when the mailbox is created); prompted if unset",
            show_default=False,
            show_envvar=True,
        ),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="print a JSON object at the end")] = (
        False
    ),
    timeout: Annotated[
        float, typer.Option(help="seconds to wait for each API state change")
    ] = DEFAULT_TIMEOUT,
    dns_timeout: Annotated[
        float, typer.Option(help="seconds to wait for the DNS record to resolve")
    ] = DEFAULT_TIMEOUT,
    poll_interval: Annotated[
        float, typer.Option(help="first poll interval in seconds (it grows ×1.5)")
    ] = 0.2,
    max_poll_interval: Annotated[float, typer.Option(help="longest poll interval")] = 10.0,
) -> None:
    """Create (or resume) a domain with its first mailbox: the seed workflow in one command.

    Prints the A record to publish, watches DNS until it resolves, asks for the ownership check,
    waits for activation, creates the mailbox and sets its quota. Run it again after an
    interruption: what exists is reused.
    """
    opts = Options(
        domain=normalise_domain(domain),
        mailbox=mailbox.strip().lower(),
        quota=_quota(quota),
        plan=plan,
        customer=customer,
        api_base=api_base,
        token=token,
        resolvers=list(resolver or []),
        ownership_ip=ownership_ip,
        firstname=firstname,
        lastname=lastname or None,
        postmaster_password=postmaster_password,
        mailbox_password=mailbox_password,
        timeout=timeout,
        dns_timeout=dns_timeout,
        poll_interval=poll_interval,
        max_poll_interval=max_poll_interval,
    )
    _check_resolvers(opts.resolvers)
    run(opts, json_output)


def _check_resolvers(specs: list[str]) -> None:
    for spec in specs:
        try:
            parse_resolver(spec)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--resolver") from None


def register(app: typer.Typer) -> None:
    """Add the provisioning command to the `mailplane` app."""
    app.command("provision")(provision_command)
