# SPDX-License-Identifier: BSD-2-Clause
"""Small pieces every part of the harness shares: polling, free ports,
directories other users can traverse, and a log file that tests wait on."""

import os
import re
import socket
import time

# Default time limit for anything a test waits on. Generous, because a
# loaded CI machine is slow, and harmless, because every wait polls and
# returns as soon as its condition holds.
TIMEOUT = float(os.environ.get("SMF_TIMEOUT", "15"))
POLL = 0.02


class WaitTimeout(AssertionError):
    """A condition did not become true in time (an assertion, so pytest
    reports it as a test failure with the message, not as a crash)."""


def wait_until(predicate, timeout=None, what="condition", detail=None):
    """Polls predicate() until it returns something truthy and returns that.
    On timeout raises WaitTimeout naming `what`, plus detail() if given (use
    it to attach a log tail to the failure)."""
    limit = TIMEOUT if timeout is None else timeout
    deadline = time.monotonic() + limit
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            msg = f"timed out after {limit:g}s waiting for {what}"
            if detail is not None:
                msg += "\n" + detail()
            raise WaitTimeout(msg)
        time.sleep(POLL)


def free_port(host="127.0.0.1"):
    """A TCP port nobody listens on right now (small race; fine for tests)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def tcp_listening(port, host="127.0.0.1"):
    """True if a socket listens on host:port, found without connecting (a
    connection to Postfix's smtpd would make it contact the milter)."""
    want = f"{socket.inet_aton(host)[::-1].hex().upper()}:{port:04X}"
    try:
        with open("/proc/net/tcp") as f:
            return any(line.split()[1] == want and line.split()[3] == "0A"
                       for line in list(f)[1:])
    except OSError:
        return False


def make_dir(path, mode=0o755, owner=None, group=None):
    """mkdir -p with an exact mode (umask ignored) and optional owner, so
    Postfix and the milter's unprivileged user can use it."""
    os.makedirs(path, exist_ok=True)
    os.chmod(path, mode)
    if owner is not None or group is not None:
        os.chown(path, _uid(owner), _gid(group))
    return path


def write_file(path, text, mode=0o644):
    """Writes atomically (temp file + rename) so a daemon re-reading the
    file never sees half of it."""
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w" if isinstance(text, str) else "wb") as f:
        f.write(text)
    os.chmod(tmp, mode)
    os.rename(tmp, path)
    return path


def _uid(user):
    if user is None:
        return -1
    if isinstance(user, int):
        return user
    import pwd
    return pwd.getpwnam(user).pw_uid


def _gid(group):
    if group is None:
        return -1
    if isinstance(group, int):
        return group
    import grp
    return grp.getgrnam(group).gr_gid


def tail(text, lines=40):
    return "\n".join(text.splitlines()[-lines:])


class LogFile:
    """A growing text file (a daemon's stderr, Postfix's maillog) that tests
    search and wait on. `start` hides what was there before (the part of the
    session's Postfix log that belongs to earlier tests). A mark() is an
    offset; pass it as `since` to look only at what came after it."""

    def __init__(self, path, start=0, name=None):
        self.path = str(path)
        self.start = start
        self.name = name or os.path.basename(self.path)

    def _read(self):
        try:
            with open(self.path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            return ""
        return data.decode("utf-8", "replace")

    def mark(self):
        """The current end of the file, for a later `since=`."""
        return len(self._read())

    def text(self, since=None):
        return self._read()[self.start if since is None else max(since, self.start):]

    def lines(self, regex=None, since=None):
        out = self.text(since).splitlines()
        if regex is None:
            return out
        rx = re.compile(regex)
        return [line for line in out if rx.search(line)]

    def search(self, regex, since=None):
        """The first re.Match in the text (multi-line mode), or None."""
        return re.search(regex, self.text(since), re.M)

    def count(self, regex, since=None):
        return len(self.lines(regex, since))

    def wait(self, regex, timeout=None, since=None, count=1):
        """Waits until `count` lines match regex; returns the match of the
        first such line (re.Match). On timeout fails with the log's tail."""
        rx = re.compile(regex)

        def found():
            hits = [m for m in map(rx.search, self.text(since).splitlines()) if m]
            return hits[0] if len(hits) >= count else None

        return wait_until(found, timeout,
                          what=f"{count} line(s) matching {regex!r} in {self.name}",
                          detail=lambda: f"--- {self.path} (tail) ---\n{tail(self.text())}")

    def assert_no(self, regex, since=None):
        bad = self.lines(regex, since)
        assert not bad, f"unexpected lines in {self.name} matching {regex!r}:\n" + "\n".join(bad)

    def __str__(self):
        return self.text()
