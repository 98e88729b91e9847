"""`mailplane mail-config`: the Dovecot and Postfix configuration for this mailplane."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mailplane.config import load_settings
from mailplane.mailconf import MailOptions, render, write

DEFAULTS = MailOptions()


def register(app: typer.Typer) -> None:
    """Add the `mail-config` command to the `mailplane` app."""
    app.command("mail-config")(mail_config)


def mail_config(
    out: Annotated[
        Path | None,
        typer.Option(help="write the files into this directory instead of printing them"),
    ] = None,
    config_dir: Annotated[
        Path | None,
        typer.Option(help="where the files will live, when printing (default: --out)"),
    ] = None,
    state_dir: Annotated[
        Path | None,
        typer.Option(help="keep sockets, queue and logs here (default: the system's places)"),
    ] = None,
    hostname: Annotated[str, typer.Option(help="Postfix myhostname (default: FQDN)")] = "",
    listen: Annotated[str, typer.Option(help="address for IMAP and SMTP clients")] = "*",
    internal_address: Annotated[
        str, typer.Option(help="address Postfix reaches Dovecot's LMTP and quota-status on")
    ] = DEFAULTS.internal_address,
    imap_port: Annotated[int, typer.Option()] = DEFAULTS.imap_port,
    smtp_port: Annotated[int, typer.Option()] = DEFAULTS.smtp_port,
    lmtp_port: Annotated[int, typer.Option()] = DEFAULTS.lmtp_port,
    quota_status_port: Annotated[int, typer.Option()] = DEFAULTS.quota_status_port,
    tls_cert: Annotated[Path | None, typer.Option(help="PEM certificate for IMAP/SMTP")] = None,
    tls_key: Annotated[Path | None, typer.Option(help="PEM key for IMAP/SMTP")] = None,
) -> None:
    """Print (or write) Dovecot and Postfix configuration reading mailplane's database.

    Run them with `dovecot -c DIR/dovecot.conf` and `postfix -c DIR start`; point mailplane's
    worker at the same file with MAILPLANE_DOVECOT_CONFIG=DIR/dovecot.conf.
    """
    settings = load_settings()
    target_dir = config_dir or out or DEFAULTS.config_dir
    options = MailOptions(
        config_dir=target_dir.resolve(),
        state_dir=state_dir.resolve() if state_dir else None,
        hostname=hostname,
        listen=listen,
        internal_address=internal_address,
        imap_port=imap_port,
        smtp_port=smtp_port,
        lmtp_port=lmtp_port,
        quota_status_port=quota_status_port,
        tls_cert=tls_cert,
        tls_key=tls_key,
    )
    if out is not None:
        if config_dir is not None and config_dir.resolve() != out.resolve():
            raise typer.BadParameter("--config-dir differs from --out", param_hint="--config-dir")
        for path in write(settings, options):
            typer.echo(str(path))
        return
    for name, text in render(settings, options).items():
        typer.echo(f"# ==> {options.config_dir / name} <==")
        typer.echo(text)
