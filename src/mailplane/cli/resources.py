"""`mailplane domains …` and `mailplane mailboxes …`: daily work against any API base.

Everything goes through the SDK (`mailplane.client`), so these commands work against mailplane
and against Qboxmail alike. Tables on a terminal, `--json` for scripts; changes wait until the
API reports them applied unless `--no-wait` is given.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

from mailplane.cli.provision import (
    ProvisionError,
    Reporter,
    explain_api_error,
    fail_with,
    human_bytes,
    normalise_domain,
    obtain_password,
    parse_quota,
)
from mailplane.client import (
    Client,
    Domain,
    EmailAccount,
    MailplaneError,
    NotFoundError,
    WaitTimeoutError,
)
from mailplane.client.models import StatusResource

__all__ = ["register"]

domains_app = typer.Typer(help="Hosted domains, through the Management API.", no_args_is_help=True)
mailboxes_app = typer.Typer(help="Mailboxes, through the Management API.", no_args_is_help=True)

R = TypeVar("R", bound=StatusResource)

DOMAIN_CODE = re.compile(r"^D\d{9}$", re.IGNORECASE)
MAILBOX_CODE = re.compile(r"^(EA\d{8}|P\d{9})$", re.IGNORECASE)

ApiBase = Annotated[
    str | None,
    typer.Option("--api-base", envvar="QBOXMAIL_API_BASE", help="API base URL"),
]
Token = Annotated[
    str | None,
    typer.Option("--token", envvar="QBOXMAIL_API_TOKEN", help="API token", show_default=False),
]
AsJson = Annotated[bool, typer.Option("--json", help="print JSON instead of a table")]
Wait = Annotated[bool, typer.Option("--wait/--no-wait", help="wait until the change is applied")]
Timeout = Annotated[float, typer.Option(help="seconds to wait for a change to apply")]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="do not ask for confirmation")]
DomainArg = Annotated[str, typer.Argument(help="domain code (D…) or name")]
MailboxArg = Annotated[str, typer.Argument(help="mailbox code (EA…), name or address")]

# --------------------------------------------------------------------------------------------
# Plumbing


def _reporter(as_json: bool) -> Reporter:
    stream = sys.stderr if as_json else sys.stdout
    return Reporter(stream, fancy=stream.isatty())


@contextmanager
def api(api_base: str | None, token: str | None, as_json: bool) -> Iterator[Client]:
    """A client; SDK errors become a message, the fix, and exit code 1."""
    try:
        with Client(api_base, token) as client:
            yield client
    except ProvisionError as exc:
        raise fail_with(_reporter(as_json), exc.message, exc.fix, as_json) from None
    except MailplaneError as exc:
        raise fail_with(_reporter(as_json), *explain_api_error(exc), as_json) from None


def _console() -> Console:
    console = Console(highlight=False)
    if not console.is_terminal:
        console = Console(highlight=False, width=200)
    return console


def _emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, default=str) + "\n")
    sys.stdout.flush()


def _dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")


def _show(model: BaseModel, as_json: bool) -> None:
    if as_json:
        _emit_json(_dump(model))
        return
    table = Table("field", "value", show_header=False)
    for key, value in _dump(model).items():
        table.add_row(key, "" if value is None else str(value))
    _console().print(table)


def _state(resource: StatusResource) -> str:
    text = f"{resource.status}/{resource.status_detail}"
    return f"{text} ({resource.status_message})" if resource.status_message else text


def _poll(load: Callable[[], R], ready: Callable[[R], bool], timeout: float, what: str) -> R:
    """Poll `load` with growing intervals until `ready`; WaitTimeoutError at `timeout`."""
    deadline = time.monotonic() + timeout
    interval = 0.2
    while True:
        resource = load()
        if ready(resource):
            return resource
        if time.monotonic() + interval > deadline:
            raise WaitTimeoutError(
                f"Timed out after {timeout:g}s waiting for {what}; last seen {_state(resource)}",
                last_resource=resource,
            )
        time.sleep(interval)
        interval = min(interval * 1.5, 5.0)


def _confirm(question: str, yes: bool) -> None:
    if yes:
        return
    if not sys.stdin.isatty():
        raise ProvisionError(f"{question} needs confirmation", "pass --yes")
    if not typer.confirm(question, default=False):
        raise typer.Exit(code=1)


def find_domain(client: Client, ref: str) -> Domain:
    """A domain by code or by exact name."""
    if DOMAIN_CODE.match(ref):
        return client.domains.retrieve(ref.upper())
    name = normalise_domain(ref)
    for domain in client.domains.list(query=name):
        if (domain.name or "").lower() == name:
            return domain
    raise ProvisionError(f"no domain named {name} is visible to this token", _LIST_DOMAINS)


def find_mailbox(client: Client, domain: Domain, ref: str) -> EmailAccount:
    """A mailbox of `domain` by code, local part or address."""
    if MAILBOX_CODE.match(ref):
        return client.email_accounts.retrieve(domain.code, ref.upper())
    local = ref.split("@", 1)[0].lower()
    for account in client.email_accounts.list(domain.code, query=local):
        if (account.name or "").lower() == local:
            return account
    raise ProvisionError(
        f"no mailbox {local}@{domain.name}", f"mailplane mailboxes list {domain.code} shows them"
    )


_LIST_DOMAINS = "mailplane domains list shows the domains this token sees"


# --------------------------------------------------------------------------------------------
# Domains


def _domain_table(domains: Iterable[Domain]) -> Table:
    table = Table("code", "name", "plan", "status", "detail", "mailboxes", "created")
    for d in domains:
        table.add_row(
            d.code,
            d.name or "",
            d.plan or "",
            d.status or "",
            d.status_detail or "",
            "" if d.no_email_accounts is None else str(d.no_email_accounts),
            str(d.created_at or ""),
        )
    return table


@domains_app.command("list")
def domains_list(
    query: Annotated[str | None, typer.Option(help="substring of the name")] = None,
    status: Annotated[str | None, typer.Option(help="only this status")] = None,
    api_base: ApiBase = None,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """List the domains the token sees."""
    with api(api_base, token, as_json) as client:
        domains = list(client.domains.list(query=query, status=status))
    if as_json:
        _emit_json([_dump(d) for d in domains])
    else:
        _console().print(_domain_table(domains))


@domains_app.command("show")
def domains_show(
    domain: DomainArg, api_base: ApiBase = None, token: Token = None, as_json: AsJson = False
) -> None:
    """Show every field of one domain."""
    with api(api_base, token, as_json) as client:
        found = find_domain(client, domain)
    _show(found, as_json)


def _status_line(domain: Domain) -> str:
    line = f"{domain.name} ({domain.code}): {_state(domain)}"
    record = domain.expected_a_record
    if domain.status == "ownership_check" and record is not None:
        line += f"; publish A {record.name} → {record.value or '<ownership IP>'}"
    return line


@domains_app.command("status")
def domains_status(
    domain: DomainArg,
    new_status: Annotated[
        str | None, typer.Argument(metavar="[enabled|disabled]", help="set this status")
    ] = None,
    wait: Wait = True,
    timeout: Timeout = 300.0,
    api_base: ApiBase = None,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Show a domain's status, or set it (`enabled` / `disabled`)."""
    if new_status not in (None, "enabled", "disabled"):
        raise typer.BadParameter("use enabled or disabled", param_hint="STATUS")
    with api(api_base, token, as_json) as client:
        found = find_domain(client, domain)
        if new_status is not None:
            client.domains.set_status(found.code, new_status)
            found = client.domains.retrieve(found.code)
            if wait:
                found = _poll(
                    lambda: client.domains.retrieve(found.code),
                    lambda d: d.status == new_status and d.status_detail == "ok",
                    timeout,
                    f"domain {found.code} to be {new_status}",
                )
    if as_json:
        _emit_json(_dump(found))
    else:
        _console().print(_status_line(found), markup=False)


@domains_app.command("delete")
def domains_delete(
    domain: DomainArg,
    yes: Yes = False,
    wait: Wait = True,
    timeout: Timeout = 300.0,
    api_base: ApiBase = None,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Delete a domain with all its mailboxes and aliases."""
    with api(api_base, token, as_json) as client:
        found = find_domain(client, domain)
        _confirm(f"Delete {found.name} ({found.code}) and all its mailboxes?", yes)
        client.domains.delete(found.code)
        if wait:
            _wait_gone(lambda: client.domains.retrieve(found.code), timeout, found.code)
    _done({"deleted": found.code, "name": found.name, "gone": wait}, as_json)


def _wait_gone(load: Callable[[], StatusResource], timeout: float, code: str) -> None:
    try:
        _poll(load, lambda _r: False, timeout, f"{code} to be deleted")
    except NotFoundError:
        return


def _done(facts: dict[str, Any], as_json: bool) -> None:
    if as_json:
        _emit_json(facts)
    else:
        _console().print(", ".join(f"{k}: {v}" for k, v in facts.items()), markup=False)


# --------------------------------------------------------------------------------------------
# Mailboxes


def _mailbox_table(accounts: Iterable[EmailAccount]) -> Table:
    table = Table("code", "address", "status", "detail", "quota", "used")
    for a in accounts:
        table.add_row(
            a.code,
            a.email_address or "",
            a.status or "",
            a.status_detail or "",
            human_bytes(a.max_email_quota),
            "" if a.used_space is None else human_bytes(a.used_space),
        )
    return table


def _mailbox_out(account: EmailAccount, as_json: bool) -> None:
    if as_json:
        _emit_json(_dump(account))
    else:
        _console().print(
            f"{account.email_address} ({account.code}): {_state(account)}, "
            f"quota {human_bytes(account.max_email_quota)}",
            markup=False,
        )


def _wait_mailbox(
    client: Client,
    domain: Domain,
    code: str,
    timeout: float,
    predicate: Callable[[EmailAccount], bool] | None = None,
) -> EmailAccount:
    return client.email_accounts.wait_until_enabled(
        domain.code, code, predicate=predicate, timeout=timeout, max_interval=5.0
    )


@mailboxes_app.command("list")
def mailboxes_list(
    domain: DomainArg,
    query: Annotated[str | None, typer.Option(help="substring of the address")] = None,
    api_base: ApiBase = None,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """List a domain's mailboxes (postmaster included)."""
    with api(api_base, token, as_json) as client:
        found = find_domain(client, domain)
        accounts = list(client.email_accounts.list(found.code, query=query))
    if as_json:
        _emit_json([_dump(a) for a in accounts])
    else:
        _console().print(_mailbox_table(accounts))


@mailboxes_app.command("show")
def mailboxes_show(
    domain: DomainArg,
    mailbox: MailboxArg,
    api_base: ApiBase = None,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Show every field of one mailbox."""
    with api(api_base, token, as_json) as client:
        account = find_mailbox(client, find_domain(client, domain), mailbox)
    _show(account, as_json)


def _quota_option(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return parse_quota(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


Password = Annotated[
    str | None,
    typer.Option(
        envvar="MAILBOX_PASSWORD",
        help="the password; prompted (hidden) if unset",
        show_default=False,
        show_envvar=True,
    ),
]


@mailboxes_app.command("create")
def mailboxes_create(
    domain: DomainArg,
    name: Annotated[str, typer.Argument(help="local part, e.g. hello")],
    quota: Annotated[str | None, typer.Option(help="2GiB, 50MiB or bytes")] = None,
    firstname: Annotated[str | None, typer.Option(help="default: the name")] = None,
    lastname: Annotated[str | None, typer.Option()] = None,
    password: Password = None,
    wait: Wait = True,
    timeout: Timeout = 300.0,
    api_base: ApiBase = None,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Create a mailbox."""
    quota_bytes = _quota_option(quota)
    with api(api_base, token, as_json) as client:
        found = find_domain(client, domain)
        secret = obtain_password(password, "MAILBOX_PASSWORD", "--password", "Mailbox")
        extra = {} if quota_bytes is None else {"max_email_quota": quota_bytes}
        code = client.email_accounts.create(
            found.code, name, secret, firstname=firstname or name, lastname=lastname, **extra
        )
        account = (
            _wait_mailbox(client, found, code, timeout)
            if wait
            else client.email_accounts.retrieve(found.code, code)
        )
    _mailbox_out(account, as_json)


@mailboxes_app.command("set-quota")
def mailboxes_set_quota(
    domain: DomainArg,
    mailbox: MailboxArg,
    quota: Annotated[str, typer.Argument(help="2GiB, 50MiB or bytes")],
    wait: Wait = True,
    timeout: Timeout = 300.0,
    api_base: ApiBase = None,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Change a mailbox's quota."""
    quota_bytes = _quota_option(quota)
    with api(api_base, token, as_json) as client:
        found = find_domain(client, domain)
        account = find_mailbox(client, found, mailbox)
        client.email_accounts.update(found.code, account.code, max_email_quota=quota_bytes)
        account = (
            _wait_mailbox(
                client, found, account.code, timeout, lambda a: a.max_email_quota == quota_bytes
            )
            if wait
            else client.email_accounts.retrieve(found.code, account.code)
        )
    _mailbox_out(account, as_json)


@mailboxes_app.command("set-password")
def mailboxes_set_password(
    domain: DomainArg,
    mailbox: MailboxArg,
    password: Password = None,
    wait: Wait = True,
    timeout: Timeout = 300.0,
    api_base: ApiBase = None,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Change a mailbox's password (never echoed)."""
    with api(api_base, token, as_json) as client:
        found = find_domain(client, domain)
        account = find_mailbox(client, found, mailbox)
        secret = obtain_password(password, "MAILBOX_PASSWORD", "--password", "New mailbox")
        client.email_accounts.update(found.code, account.code, password=secret)
        if wait:
            account = _wait_mailbox(client, found, account.code, timeout)
    _mailbox_out(account, as_json)


def _set_mailbox_status(
    domain: str,
    mailbox: str,
    status: str,
    bounce_msg: str | None,
    wait: bool,
    timeout: float,
    api_base: str | None,
    token: str | None,
    as_json: bool,
) -> None:
    with api(api_base, token, as_json) as client:
        found = find_domain(client, domain)
        account = find_mailbox(client, found, mailbox)
        client.email_accounts.set_status(found.code, account.code, status, bounce_msg)
        account = client.email_accounts.retrieve(found.code, account.code)
        if wait:
            account = _poll(
                lambda: client.email_accounts.retrieve(found.code, account.code),
                lambda a: a.status == status and a.status_detail == "ok",
                timeout,
                f"mailbox {account.code} to be {status}",
            )
    _mailbox_out(account, as_json)


@mailboxes_app.command("enable")
def mailboxes_enable(
    domain: DomainArg,
    mailbox: MailboxArg,
    wait: Wait = True,
    timeout: Timeout = 300.0,
    api_base: ApiBase = None,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Enable a mailbox."""
    _set_mailbox_status(domain, mailbox, "enabled", None, wait, timeout, api_base, token, as_json)


@mailboxes_app.command("disable")
def mailboxes_disable(
    domain: DomainArg,
    mailbox: MailboxArg,
    bounce_msg: Annotated[str | None, typer.Option(help="what senders are told")] = None,
    wait: Wait = True,
    timeout: Timeout = 300.0,
    api_base: ApiBase = None,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Disable a mailbox: it cannot log in and rejects mail."""
    _set_mailbox_status(
        domain, mailbox, "disabled", bounce_msg, wait, timeout, api_base, token, as_json
    )


@mailboxes_app.command("delete")
def mailboxes_delete(
    domain: DomainArg,
    mailbox: MailboxArg,
    yes: Yes = False,
    wait: Wait = True,
    timeout: Timeout = 300.0,
    api_base: ApiBase = None,
    token: Token = None,
    as_json: AsJson = False,
) -> None:
    """Delete a mailbox and its mail."""
    with api(api_base, token, as_json) as client:
        found = find_domain(client, domain)
        account = find_mailbox(client, found, mailbox)
        _confirm(f"Delete {account.email_address} ({account.code}) and its mail?", yes)
        client.email_accounts.delete(found.code, account.code)
        if wait:
            _wait_gone(
                lambda: client.email_accounts.retrieve(found.code, account.code),
                timeout,
                account.code,
            )
    _done({"deleted": account.code, "email_address": account.email_address, "gone": wait}, as_json)


def register(app: typer.Typer) -> None:
    """Add the resource command groups to the `mailplane` app."""
    app.add_typer(domains_app, name="domains")
    app.add_typer(mailboxes_app, name="mailboxes")
