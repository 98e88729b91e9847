"""Real Dovecot and Postfix on loopback ports, configured by ``mailplane.mailconf``.

Usage::

    from tests.support.mailstack import MailStack

    with MailStack(settings) as stack:   # settings: database URL, mail_root in a temp dir
        imaplib.IMAP4(stack.host, stack.imap_port)
        smtplib.SMTP(stack.host, stack.smtp_port)
        DovecotBackend(stack.settings)   # settings with dovecot_config pointing at the stack

Everything the daemons write (config, sockets, queue, logs) lives in one temporary directory,
removed on exit; nothing of the system's mail setup is used or touched. Needs root (Dovecot
switches to the mail uid, Postfix to its own user).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

from mailplane.config import Settings
from mailplane.mailconf import MailOptions, write
from mailplane.mailconf.sql import db_target
from tests.support.needs import missing, need_binary

START_TIMEOUT = 15.0
HOST = "127.0.0.1"


def _free_ports(count: int) -> list[int]:
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((HOST, 0))
            sockets.append(s)
        return [int(s.getsockname()[1]) for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _greeting(port: int, expect: bytes) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1.0) as conn:
            conn.settimeout(2.0)
            return conn.recv(200).startswith(expect)
    except OSError:
        return False


class MailStack:
    """Dovecot (IMAP, LMTP, quota-status) and Postfix (SMTP), started and stopped together."""

    host = HOST

    def __init__(self, settings: Settings) -> None:
        self.dovecot_bin = need_binary("dovecot", "/usr/sbin")
        self.postfix_bin = need_binary("postfix", "/usr/sbin")
        need_binary("doveadm", "/usr/bin")
        if os.geteuid() != 0:
            missing("the mail stack needs root (Dovecot and Postfix switch users)")
        self._given = settings
        self.settings = settings
        self.base: Path | None = None
        self.options: MailOptions | None = None
        self._dovecot: subprocess.Popen[bytes] | None = None
        self._postfix_started = False
        self.imap_port = self.smtp_port = self.lmtp_port = self.quota_status_port = 0

    # -- public -----------------------------------------------------------------------------

    def start(self) -> MailStack:
        self.base = Path(tempfile.mkdtemp(prefix="mailplane-mail-"))
        try:
            self._prepare()
            self._start_dovecot()
            self._start_postfix()
            self._wait()
            return self
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self._postfix_started and self.options is not None:
            self._postfix_started = False
            self._stop_postfix(self.options)
        proc, self._dovecot = self._dovecot, None
        if proc is not None:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=5)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
        base, self.base = self.base, None
        if base is not None:
            shutil.rmtree(base, ignore_errors=True)

    def logs(self) -> str:
        """Both daemons' logs, for assertion messages."""
        if self.options is None:
            return "(not started)"
        parts = []
        for path in (self.options.dovecot_log, self.options.postfix_log):
            if path is not None:
                with contextlib.suppress(OSError):
                    parts.append(f"==> {path.name} <==\n{path.read_text(errors='replace')}")
        return "\n".join(parts) or "(no logs)"

    def __enter__(self) -> MailStack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- internals --------------------------------------------------------------------------

    def _prepare(self) -> None:
        assert self.base is not None
        os.chmod(self.base, 0o755)  # the mail uid and postfix must traverse it
        self.imap_port, self.smtp_port, self.lmtp_port, self.quota_status_port = _free_ports(4)
        options = MailOptions(
            config_dir=self.base / "etc",
            state_dir=self.base / "var",
            hostname="mail.mailplane.test",
            listen=HOST,
            internal_address=HOST,
            imap_port=self.imap_port,
            smtp_port=self.smtp_port,
            lmtp_port=self.lmtp_port,
            quota_status_port=self.quota_status_port,
            auth_failure_delay=0,
            login_penalty=False,
            message_size_limit=200 * 1024 * 1024,  # above every quota: quota-status decides
        )
        self.options = options
        self.settings = self._given.model_copy(update={"dovecot_config": options.dovecot_conf})
        assert options.state_dir is not None
        options.state_dir.mkdir(mode=0o755)
        options.postfix_queue_dir.mkdir(mode=0o755)
        options.postfix_data_dir.mkdir(mode=0o700)
        shutil.chown(options.postfix_data_dir, "postfix", "postfix")
        root = self.settings.effective_mail_root
        root.mkdir(parents=True, exist_ok=True)
        os.chown(root, self.settings.mail_uid, self.settings.mail_gid)
        target = db_target(self.settings.effective_database_url)
        if target.driver == "sqlite":
            _open_sqlite_to_postfix(Path(target.path))
        write(self.settings, options)

    def _start_dovecot(self) -> None:
        assert self.options is not None and self.base is not None
        with (self.base / "dovecot.stderr").open("wb") as err:
            self._dovecot = subprocess.Popen(
                [self.dovecot_bin, "-F", "-c", str(self.options.dovecot_conf)],
                stdin=subprocess.DEVNULL,
                stdout=err,
                stderr=err,
                start_new_session=True,
            )

    def _start_postfix(self) -> None:
        assert self.options is not None
        result = subprocess.run(
            [self.postfix_bin, "-c", str(self.options.config_dir), "start"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        self._postfix_started = True
        if result.returncode != 0:
            raise RuntimeError(
                f"postfix start failed ({result.returncode}): {result.stdout}{result.stderr}\n"
                + self.logs()
            )

    def _stop_postfix(self, options: MailOptions) -> None:
        """SIGTERM to the master (what `postfix stop` does, minus its one-second polling)."""
        pidfile = options.postfix_queue_dir / "pid" / "master.pid"
        try:
            pid = int(pidfile.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while _alive(pid):
            if time.monotonic() > deadline:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                break
            time.sleep(0.02)

    def _wait(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._dovecot is not None and self._dovecot.poll() is not None:
                raise RuntimeError(f"dovecot exited ({self._dovecot.returncode}):\n{self.logs()}")
            if _greeting(self.imap_port, b"* OK") and _greeting(self.smtp_port, b"220"):
                return
            time.sleep(0.05)
        raise RuntimeError(f"mail stack did not answer within {START_TIMEOUT:g} s:\n{self.logs()}")


def _alive(pid: int) -> bool:
    """True while the process runs (a zombie waiting for init to reap it counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def _open_sqlite_to_postfix(path: Path) -> None:
    """Postfix's lookups run as the ``postfix`` user, and a reader of a SQLite database in WAL
    mode must write its ``-shm`` file. SQLite creates ``-wal``/``-shm`` with the mode of the
    database file, so the file is created (empty is a valid database) and opened up before
    mailplane first writes it; the directory too, for whoever creates the ``-shm`` first."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o1777)
    path.touch(exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        file = path.with_name(path.name + suffix)
        if file.exists():
            os.chmod(file, 0o666)


@contextlib.contextmanager
def mail_stack(settings: Settings) -> Iterator[MailStack]:
    """``with mail_stack(settings) as stack:`` — skips (or fails under CI) if not installable."""
    stack = MailStack(settings)
    with stack:
        yield stack


__all__ = ["MailStack", "mail_stack"]
