"""The Dovecot mail backend.

Dovecot and Postfix read mailboxes, passwords, quotas and status straight from mailplane's
database (see ``mailplane.mailconf``), so enabling, disabling and quota changes need nothing
here. What is left is what lives on disk: removing maildirs, recalculating quota, reading usage.
Maildirs are at ``<mail_root>/<domain>/<local>/``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from mailplane.backends.mail import AliasDomainSpec, AliasSpec, DomainSpec, MailboxSpec
from mailplane.config import Settings

DOVEADM_TIMEOUT = 30.0
EX_NOUSER = 67  # doveadm: the user is not in the userdb (not active, or unknown)


class DoveadmError(RuntimeError):
    pass


class DovecotBackend:
    name = "dovecot"

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._root = settings.effective_mail_root

    # -- the MailBackend protocol -----------------------------------------------------------

    def apply_domain(self, domain: DomainSpec) -> None:
        self._root.mkdir(parents=True, exist_ok=True)
        path = self._domain_dir(domain.name)
        path.mkdir(mode=0o700, exist_ok=True)
        if os.geteuid() == 0:
            os.chown(path, self._settings.mail_uid, self._settings.mail_gid)

    def remove_domain(self, domain: DomainSpec, mailboxes: list[MailboxSpec]) -> None:
        shutil.rmtree(self._domain_dir(domain.name), ignore_errors=True)

    def apply_mailbox(self, mailbox: MailboxSpec) -> None:
        # a mailbox that never received mail has nothing on disk yet: Dovecot creates it
        if mailbox.enabled and self._mailbox_dir(mailbox).exists():
            self._doveadm("quota", "recalc", "-u", mailbox.address)

    def remove_mailbox(self, mailbox: MailboxSpec) -> None:
        shutil.rmtree(self._mailbox_dir(mailbox), ignore_errors=True)

    def used_space(self, mailbox: MailboxSpec) -> int | None:
        """Bytes in use according to Dovecot's quota (it counts in KiB), None if unknown."""
        out = self._doveadm("-f", "tab", "quota", "get", "-u", mailbox.address)
        if out is None:
            return None
        for line in out.splitlines()[1:]:
            fields = line.split("\t")
            if len(fields) >= 3 and fields[1] == "STORAGE" and fields[2].isdigit():
                return int(fields[2]) * 1024
        return None

    # Postfix reads aliases, alias domains and the catch-all from the database as they commit
    # (virtual alias maps, see ``mailplane.mailconf``): nothing lives on disk for them.

    def apply_alias(self, alias: AliasSpec) -> None:
        pass

    def remove_alias(self, alias: AliasSpec) -> None:
        pass

    def apply_alias_domain(self, alias_domain: AliasDomainSpec) -> None:
        pass

    def remove_alias_domain(self, alias_domain: AliasDomainSpec) -> None:
        pass

    # -- internals --------------------------------------------------------------------------

    def _doveadm(self, *args: str) -> str | None:
        """Run doveadm; its output, or None when the user is not (or no longer) active."""
        command = [self._settings.doveadm_path]
        if self._settings.dovecot_config is not None:
            command += ["-c", str(self._settings.dovecot_config)]
        command += args
        result = subprocess.run(command, capture_output=True, text=True, timeout=DOVEADM_TIMEOUT)
        if result.returncode == EX_NOUSER:
            return None
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip()
            raise DoveadmError(f"doveadm {' '.join(args)} failed ({result.returncode}): {detail}")
        return result.stdout

    def _domain_dir(self, domain: str) -> Path:
        return self._root / _segment(domain)

    def _mailbox_dir(self, mailbox: MailboxSpec) -> Path:
        local = mailbox.address.rpartition("@")[0]
        return self._domain_dir(mailbox.domain_name) / _segment(local)


def _segment(name: str) -> str:
    """One path component, never a way out of the mail root."""
    if not name or name in {".", ".."} or "/" in name or "\0" in name:
        raise ValueError(f"not a safe path component: {name!r}")
    return name
