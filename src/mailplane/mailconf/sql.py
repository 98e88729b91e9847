"""The SQL lookups Dovecot and Postfix run on mailplane's own tables.

The queries only use plain SQL that SQLite and PostgreSQL both accept (``||``, ``COALESCE``,
``NULLIF``, ``REPLACE``). Boolean columns are never compared with a value (SQLite stores 0/1,
PostgreSQL true/false): they are only used as conditions (``a.imap_disabled OR ...``), which
both accept. A mailbox is *active* (may log in and receive mail) when it and its domain are
enabled, provisioned and not being deleted; a domain routes mail only once its ownership is
proven (``activated_at``). The per-protocol flags (``imap_disabled``, ``pop_disabled``,
``smtp_disabled`` of the mailbox or of its domain) refuse the login for that protocol only:
they are checked by the passdb query against Dovecot's service name (``%s``), and delivery
(LMTP, which only asks the userdb) is not affected.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Driver = Literal["sqlite", "pgsql"]

DEFAULT_BOUNCE = "This mailbox is disabled"

DOMAIN_ROUTES = (
    "d.status = 'enabled' AND d.activated_at IS NOT NULL AND d.delete_requested_at IS NULL"
)
MAILBOX_ACTIVE = (
    "a.status = 'enabled' AND a.provisioned_at IS NOT NULL AND a.delete_requested_at IS NULL"
    f" AND {DOMAIN_ROUTES}"
)
MAILBOX_DISABLED = (
    "a.status = 'disabled' AND a.provisioned_at IS NOT NULL AND a.delete_requested_at IS NULL"
    f" AND {DOMAIN_ROUTES}"
)
FROM_MAILBOXES = "FROM email_accounts a JOIN domains d ON d.id = a.domain_id"

# Dovecot service names (``%s`` in passdb queries) each flag shuts out: ``smtp`` is Postfix
# asking Dovecot for SMTP AUTH (smtpd_sasl_type = dovecot), ``submission`` Dovecot's own
# submission service; ``webmail_disabled`` has no service here (webmail logs in over IMAP).
PROTOCOL_FLAGS = (
    ("imap_disabled", ("imap",)),
    ("pop_disabled", ("pop3",)),
    ("smtp_disabled", ("smtp", "submission")),
)
PROTOCOL_ALLOWED = (
    "NOT ("
    + " OR ".join(
        "('%s' IN (" + ", ".join(f"'{service}'" for service in services) + ")"
        f" AND (a.{flag} OR d.{flag}))"
        for flag, services in PROTOCOL_FLAGS
    )
    + ")"
)


@dataclass(frozen=True)
class DbTarget:
    """Where mailplane's database is, in the terms Dovecot and Postfix use."""

    driver: Driver
    path: str = ""  # sqlite
    host: str = ""
    port: int = 5432
    dbname: str = ""
    user: str = ""
    password: str = ""


def db_target(url: str) -> DbTarget:
    """Translate a SQLAlchemy URL (``sqlite:///...`` or ``postgresql+psycopg://...``)."""
    from sqlalchemy.engine import make_url  # here: `mailplane` commands start without it

    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise ValueError("the mail servers need a SQLite database file, not :memory:")
        return DbTarget("sqlite", path=str(Path(parsed.database).resolve()))
    if backend == "postgresql":
        host = parsed.host or str(parsed.query.get("host") or "") or "localhost"
        return DbTarget(
            "pgsql",
            host=host,
            port=parsed.port or 5432,
            dbname=parsed.database or "",
            user=parsed.username or "",
            password=parsed.password or "",
        )
    raise ValueError(f"the mail servers cannot read a {backend!r} database")


def literal(value: str) -> str:
    """A SQL string literal that is also safe inside Dovecot/Postfix query templates."""
    return "'" + value.replace("'", "''").replace("%", "%%") + "'"


def _one_line(driver: Driver, column: str) -> str:
    char = "char" if driver == "sqlite" else "chr"
    return f"REPLACE(REPLACE({column}, {char}(13), ' '), {char}(10), ' ')"


def dovecot_password_query(mail_root: Path, uid: int, gid: int) -> str:
    """passdb query; returns the userdb fields too (prefetch), ``%u`` is lower-cased.

    A mailbox whose protocol is disabled (by itself or by its domain) is not found for that
    service, so the login fails as for a wrong password."""
    return (
        "SELECT a.email_address AS user, a.password_hash AS password, "
        + _userdb_fields(mail_root, uid, gid, prefix="userdb_")
        + f" {FROM_MAILBOXES} WHERE a.email_address = '%u' AND {MAILBOX_ACTIVE}"
        + f" AND {PROTOCOL_ALLOWED}"
    )


def dovecot_user_query(mail_root: Path, uid: int, gid: int) -> str:
    return (
        "SELECT "
        + _userdb_fields(mail_root, uid, gid, prefix="")
        + f" {FROM_MAILBOXES} WHERE a.email_address = '%u' AND {MAILBOX_ACTIVE}"
    )


def dovecot_iterate_query() -> str:
    return f"SELECT a.email_address AS user {FROM_MAILBOXES} WHERE {MAILBOX_ACTIVE}"


def _userdb_fields(mail_root: Path, uid: int, gid: int, prefix: str) -> str:
    root = literal(str(mail_root).rstrip("/") + "/")
    return (
        f"{root} || d.name || '/' || a.name AS {prefix}home, "
        f"{uid} AS {prefix}uid, {gid} AS {prefix}gid, "
        f"'*:bytes=' || a.max_email_quota AS {prefix}quota_rule"
    )


def postfix_domains_query() -> str:
    return f"SELECT d.name FROM domains d WHERE d.name = '%s' AND {DOMAIN_ROUTES}"


def postfix_mailboxes_query() -> str:
    return (
        f"SELECT a.email_address {FROM_MAILBOXES} WHERE a.email_address = '%s' AND {MAILBOX_ACTIVE}"
    )


def postfix_disabled_query(driver: Driver) -> str:
    """check_recipient_access: a disabled mailbox answers ``REJECT <its bounce_msg>``."""
    text = _one_line(driver, "TRIM(a.bounce_msg)")
    return (
        f"SELECT 'REJECT ' || COALESCE(NULLIF({text}, ''), {literal(DEFAULT_BOUNCE)}) "
        f"{FROM_MAILBOXES} WHERE a.email_address = '%s' AND {MAILBOX_DISABLED}"
    )


# -- aliases, alias domains, catch-all (Postfix virtual_alias_maps) ------------------------------
#
# Postfix looks a recipient up in every virtual_alias_maps table by the full address first and
# only then by ``@domain``; so mailboxes are listed as aliases of themselves (the mailbox query
# above), which keeps a catch-all (``@domain``) from taking their mail, and an alias beats the
# catch-all too. ``%u`` and ``%d`` are the key's local part and domain; Postfix skips a query
# whose key has no local part (``@domain``) when the query uses ``%u``.

ALIAS_ACTIVE = (
    "e.status = 'enabled' AND e.provisioned_at IS NOT NULL AND e.delete_requested_at IS NULL"
    f" AND {DOMAIN_ROUTES}"
)
ALIAS_DOMAIN_ROUTES = (
    "ad.status = 'enabled' AND ad.activated_at IS NOT NULL AND ad.delete_requested_at IS NULL"
    f" AND {DOMAIN_ROUTES}"
)
FROM_ALIASES = "FROM email_aliases e JOIN domains d ON d.id = e.domain_id"
FROM_ALIAS_DOMAINS = "FROM alias_domains ad JOIN domains d ON d.id = ad.domain_id"


def _address_list(column: str) -> str:
    """A JSON array of addresses as Postfix's comma-separated list: ``["a@x", "b@y"]`` →
    ``a@x,b@y``. Addresses were validated (no quotes, brackets, commas or spaces in them)."""
    text = f"CAST({column} AS TEXT)"
    for char in ("[", "]", '"', " "):
        text = f"REPLACE({text}, {literal(char)}, '')"
    return text


def postfix_aliases_query() -> str:
    """An active email alias: its destinations."""
    return (
        f"SELECT {_address_list('e.destinations')} {FROM_ALIASES}"
        f" WHERE e.address = '%s' AND {ALIAS_ACTIVE}"
    )


def postfix_catch_all_query() -> str:
    """``@domain``: the destination of the domain's catch-all, when it is enabled."""
    return (
        "SELECT d.catch_all_destination FROM domains d"
        " WHERE SUBSTR('%s', 1, 1) = '@' AND d.name = SUBSTR('%s', 2)"
        f" AND d.catch_all_enabled AND d.catch_all_destination IS NOT NULL AND {DOMAIN_ROUTES}"
    )


def postfix_alias_domains_query() -> str:
    """virtual_alias_domains: alias domains that are proven, enabled, and whose domain routes."""
    return f"SELECT ad.name {FROM_ALIAS_DOMAINS} WHERE ad.name = '%s' AND {ALIAS_DOMAIN_ROUTES}"


def postfix_alias_domain_addresses_query() -> str:
    """``x@alias`` → ``x@domain``, only where ``x@domain`` takes mail (an active mailbox or
    alias, or the domain's catch-all): other addresses are refused at RCPT, not bounced later."""
    target = "'%u@' || d.name"
    return (
        f"SELECT {target} {FROM_ALIAS_DOMAINS} WHERE ad.name = '%d' AND {ALIAS_DOMAIN_ROUTES}"
        " AND ((d.catch_all_enabled AND d.catch_all_destination IS NOT NULL)"
        f" OR EXISTS (SELECT 1 FROM email_accounts a WHERE a.email_address = {target}"
        f" AND {MAILBOX_ACTIVE})"
        f" OR EXISTS (SELECT 1 FROM email_aliases e WHERE e.address = {target}"
        f" AND {ALIAS_ACTIVE}))"
    )
