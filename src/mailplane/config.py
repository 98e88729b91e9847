"""One settings object, read from ``MAILPLANE_*`` variables and an optional file."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def _settings_file() -> str | None:
    return os.environ.get("MAILPLANE_CONFIG_FILE") or None


class Settings(BaseSettings):
    """Everything mailplane can be told.

    Each field reads ``MAILPLANE_<NAME>`` from the environment; a ``.env``-style file named by
    ``MAILPLANE_CONFIG_FILE`` may supply the same variables.
    """

    model_config = SettingsConfigDict(env_prefix="MAILPLANE_", extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="where the SQLite file and mail live")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default sqlite:///<data_dir>/mailplane.db"
    )
    mode: Literal["production", "sandbox"] = "production"
    host: str = "127.0.0.1"
    port: int = 8080
    ownership_ip: str = "203.0.113.7"
    dns_nameservers: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="host or host:port; empty means the system's resolvers"
    )
    dns_timeout: float = 3.0
    mail_backend: Literal["sandbox", "dovecot"] = "sandbox"
    sandbox_delay_seconds: float = Field(
        default=0.0, description="simulated mail-server latency of the sandbox backend"
    )
    run_worker: bool = Field(default=True, description="run the worker inside `serve`")
    worker_threads: int = 2
    worker_lease_seconds: float = 30.0
    worker_poll_seconds: float = 1.0
    ownership_retry_hours: float = 72.0
    password_bcrypt_rounds: int = 10
    secret_key: str | None = Field(
        default=None,
        description="encrypts DKIM keys and webhook secrets at rest; default: a key kept in "
        "<data_dir>/secret.key (hosts sharing a database must share this value)",
    )
    token_cache_seconds: float = Field(
        default=5.0,
        description="how long a process trusts a token it has looked up; a revocation made "
        "elsewhere takes effect within this time (0: look up on every request)",
    )
    usage_refresh_seconds: float = Field(
        default=300.0, description="how often the worker reads mailbox usage back"
    )

    # outgoing mail: the one-time code of the e-mail ownership proof
    smtp_host: str = Field(default="127.0.0.1", description="SMTP server for outgoing mail")
    smtp_port: int = 25
    smtp_security: Literal["none", "starttls", "tls"] = Field(
        default="none", description="none, starttls (upgrade the connection) or tls (implicit)"
    )
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "mailplane@localhost"
    smtp_timeout: float = 10.0
    # the HTML ownership proof
    ownership_html_allow_private: bool = Field(
        default=False,
        description="fetch the HTML proof from private, loopback and link-local addresses too",
    )
    ownership_html_port: int = Field(
        default=80, description="the port the HTML proof is fetched from (80; tests use others)"
    )
    # the MX check (PUT …/dns)
    mx_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="the hosts a domain's MX records must point at"
    )

    # webhooks (spec §6)
    webhook_timeout_seconds: float = Field(
        default=10.0, description="how long one delivery may wait for the receiver"
    )
    webhook_retry_base_seconds: float = Field(
        default=10.0, description="the first retry delay of a failed delivery; doubles each time"
    )
    webhook_retry_max_seconds: float = Field(default=3600.0, description="the longest retry delay")
    webhook_max_attempts: int = Field(default=15, description="attempts before giving up")
    webhook_max_age_seconds: float = Field(
        default=86400.0, description="give up on a delivery this long after its event"
    )
    webhook_allow_private_addresses: bool = Field(
        default=False,
        description="let customers' webhooks reach private, loopback and link-local addresses "
        "(admins' webhooks always may)",
    )

    # the Dovecot/Postfix mail backend
    mail_root: Path | None = Field(default=None, description="maildirs; default <data_dir>/mail")
    mail_uid: int = 5000
    mail_gid: int = 5000
    doveadm_path: str = "doveadm"
    dovecot_config: Path | None = Field(
        default=None, description="the dovecot.conf doveadm is pointed at (-c)"
    )

    @field_validator("dns_nameservers", mode="before")
    @classmethod
    def _split_nameservers(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
        return value

    @field_validator("mx_hosts", mode="before")
    @classmethod
    def _split_mx_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part for part in value.replace(";", ",").split(",")]
        if isinstance(value, list):
            return [str(h).strip().rstrip(".").lower() for h in value if str(h).strip()]
        return value

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'mailplane.db').resolve()}"

    @property
    def effective_mail_root(self) -> Path:
        return (self.mail_root or self.data_dir / "mail").resolve()

    @property
    def sandbox(self) -> bool:
        return self.mode == "sandbox"


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the environment, the optional file and explicit overrides."""
    file = _settings_file()
    if file:
        return Settings(_env_file=file, **overrides)  # type: ignore[call-arg]
    return Settings(**overrides)


@lru_cache(maxsize=1)
def default_settings() -> Settings:
    return load_settings()
