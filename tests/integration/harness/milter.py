# SPDX-License-Identifier: BSD-2-Clause
"""The daemon under test: configuration files, start/stop, its log.

A test gets a factory (the `milter` fixture):

    m = milter({"milter": {"unknown_sender": "reject"},
                "identity example.com": {"mail_from_domain": "bounce.example.com",
                                         "behavior_on_mx_failure": "RejectMessage"}})

A dict is merged into the harness defaults (socket = the one Postfix uses,
`[ses] sync = no`, a state file in the test's directory; a value of None
deletes a key); a str is written verbatim. The daemon runs as
`ses-mailfrom-milter -f -c FILE [extra args]`; its stderr (one line per
event under -f) goes to a file that m.log / m.wait_log() read. The factory
returns once the socket answers a milter option negotiation; at the end of
the test every instance still running gets SIGTERM and must exit 0 within a
few seconds, its unix socket removed (or, after a privilege drop, left for
the next start with a log line saying so)."""

import os
import re
import signal
import socket
import struct
import subprocess

from .logfmt import check_lines, man_keys
from .util import LogFile, WaitTimeout, tail, wait_until, write_file

DAEMON = "ses-mailfrom-milter"
MAN_PAGE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                        "man", "ses-mailfrom-milter.8")
EX_CONFIG = 78
EX_USAGE = 64
# How long SIGTERM may take. libmilter's listener only notices smfi_stop()
# when its poll() times out, every 5 s (measured with libmilter 8.17 on
# Debian 12), so a daemon that does nothing about it needs up to 5 s.
# test_daemon.py::test_sigterm_exits_promptly holds the daemon to less.
STOP_TIMEOUT = float(os.environ.get("SMF_STOP_TIMEOUT", "8"))

# A host without AWS credentials (and no instance role to wait for).
NO_CREDENTIALS_ENV = {
    "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
    "AWS_CONFIG_FILE": "/nonexistent/config",
}


def default_conf(socket_spec, state_file):
    # Root and umask 000 by default: Postfix (user postfix) can connect to
    # the socket without the test depending on the privilege drop, which
    # has tests of its own (user = nobody:postfix, umask 007). Test-only:
    # the daemon refuses root unless the file says `user = root` (and then
    # logs a warning at start), so the harness says it.
    return {
        "milter": {"socket": socket_spec, "user": "root", "umask": "000"},
        "ses": {"sync": "no", "state_file": state_file},
    }


def merge(base, override):
    """A copy of base with override's sections/keys applied (None deletes)."""
    out = {s: dict(kv) for s, kv in base.items()}
    for section, kv in (override or {}).items():
        if kv is None:
            out.pop(section, None)
            continue
        dst = out.setdefault(section, {})
        for k, v in kv.items():
            if v is None:
                dst.pop(k, None)
            else:
                dst[k] = v
    return out


def render(conf):
    """INI text from {section: {key: value}}; [milter], [dns], [ses] first,
    then the rest (identities) in the order given."""
    first = [s for s in ("milter", "dns", "ses") if s in conf]
    rest = [s for s in conf if s not in first]
    out = []
    for section in first + rest:
        out.append(f"[{section}]")
        for k, v in conf[section].items():
            if isinstance(v, bool):
                v = "yes" if v else "no"
            out.append(f"{k} = {v}")
        out.append("")
    return "\n".join(out)


def line_of(text, key, section=None):
    """1-based line number of `key =` (in `section` if given) in INI text."""
    current = None
    for n, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if s.startswith("[") and s.endswith("]"):
            current = s[1:-1].strip()
        elif re.match(rf"{re.escape(key)}\s*=", s) and (section is None or current == section):
            return n
    raise KeyError(f"{key} not in {section or 'any section'}")


def socket_path(spec):
    """The filesystem path of a unix:/local: spec, else None."""
    for prefix in ("unix:", "local:"):
        if spec.startswith(prefix):
            return spec[len(prefix):]
    return None


def postfix_spec(spec):
    """libmilter's socket syntax -> Postfix's (unix:/p, inet:host:port)."""
    path = socket_path(spec)
    if path is not None:
        return f"unix:{path}"
    m = re.match(r"inet6?:(\d+)@(.+)$", spec)
    if m:
        host = m.group(2)
        return f"inet:[{host}]:{m.group(1)}" if ":" in host else f"inet:{host}:{m.group(1)}"
    raise ValueError(f"unsupported socket spec {spec}")


def _connect(spec, timeout):
    path = socket_path(spec)
    if path is not None:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        addr = path
    else:
        m = re.match(r"(inet6?):(\d+)@(.+)$", spec)
        if not m:
            raise ValueError(f"unsupported socket spec {spec}")
        family = socket.AF_INET6 if m.group(1) == "inet6" else socket.AF_INET
        s = socket.socket(family, socket.SOCK_STREAM)
        addr = (m.group(3).strip("[]"), int(m.group(2)))
    s.settimeout(timeout)
    try:
        s.connect(addr)
    except OSError:
        s.close()
        raise
    return s


def _recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("milter closed the connection")
        buf += chunk
    return buf


def probe(spec, timeout=2):
    """Speaks the first step of the milter protocol (SMFIC_OPTNEG, version
    6, every action and protocol bit offered, then SMFIC_QUIT). Returns the
    filter's (version, actions, protocol) or None if nothing answers."""
    try:
        with _connect(spec, timeout) as s:
            payload = b"O" + struct.pack("!III", 6, 0x1FF, 0x1FFFFF)
            s.sendall(struct.pack("!I", len(payload)) + payload)
            (length,) = struct.unpack("!I", _recv_exact(s, 4))
            reply = _recv_exact(s, length)
            s.sendall(struct.pack("!I", 1) + b"Q")
            if reply[:1] != b"O" or len(reply) < 13:
                return None
            return struct.unpack("!III", reply[1:13])
    except (OSError, ConnectionError, struct.error):
        return None


def run(build_dir, *args, timeout=20):
    """Runs the daemon to completion (-n, -V, -h, bad flags) ->
    CompletedProcess with text stdout/stderr."""
    return subprocess.run([os.path.join(build_dir, DAEMON), *args], capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


class Milter:
    """One running daemon."""

    def __init__(self, binary, conf_path, socket_spec, log_path, extra_args=(), env=None):
        self.binary = binary
        self.conf_path = conf_path
        self.socket = socket_spec
        self.socket_path = socket_path(socket_spec)
        self.log_path = log_path
        self.log = LogFile(log_path, name=os.path.basename(log_path))
        self.argv = [binary, "-f", "-c", conf_path, *extra_args]
        self.env = env
        self.proc = None
        self.exit_seen = False  # the test looked at how it ended

    # -- process ---------------------------------------------------------
    def start(self, wait=True, timeout=None):
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=log, env=self.env)
        if wait:
            self.wait_ready(timeout)
        return self

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def wait_ready(self, timeout=None):
        """Until the socket answers a milter negotiation; fails at once if
        the daemon exits instead."""
        def ready():
            if not self.alive():
                return "exited"
            return probe(self.socket) is not None

        if wait_until(ready, timeout, what=f"{DAEMON} to accept on {self.socket}",
                      detail=self._tail) == "exited":
            self.exit_seen = True
            raise AssertionError(f"{DAEMON} exited {self.proc.returncode} during start-up\n"
                                 + self._tail())

    def wait_exit(self, timeout=STOP_TIMEOUT):
        """Waits for the process to end on its own; returns the exit code."""
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise WaitTimeout(f"{DAEMON} still running after {timeout}s\n" + self._tail())
        self.exit_seen = True
        return rc

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=STOP_TIMEOUT):
        """SIGTERM; asserts exit 0 within `timeout` and the unix socket gone."""
        if not self.alive():
            rc = self.proc.returncode
            self.exit_seen = True
            raise AssertionError(f"{DAEMON} was not running at stop (exit {rc})\n" + self._tail())
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            self.exit_seen = True
            raise AssertionError(f"{DAEMON} ignored SIGTERM for {timeout}s (killed)\n" + self._tail())
        self.exit_seen = True
        assert rc == 0, f"{DAEMON} exited {rc} on SIGTERM\n" + self._tail()
        # A daemon that dropped root cannot unlink in root's socket
        # directory: it must say so, and the next start removes the socket.
        if self.socket_path and not re.search(r"stays until the next start", self.log.text()):
            assert not os.path.exists(self.socket_path), \
                f"{DAEMON} left its socket {self.socket_path} behind\n" + self._tail()
        return rc

    def kill(self):
        if self.alive():
            self.proc.kill()
            self.proc.wait()

    def status(self):
        """/proc/PID/status as a dict ('Uid' -> ['0','0','0','0'], ...)."""
        out = {}
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                k, _, v = line.partition(":")
                out[k] = v.split()
        return out

    # -- configuration ---------------------------------------------------
    def reload(self, conf=None, expect=None, timeout=None):
        """Rewrites the configuration file (if conf is given: text, written
        verbatim) and sends SIGUSR1. With `expect`, waits for a log line
        matching it after the signal and returns that match; else returns
        the log mark taken just before the signal."""
        if conf is not None:
            write_file(self.conf_path, conf)
        mark = self.log.mark()
        self.signal(signal.SIGUSR1)
        if expect is None:
            return mark
        return self.log.wait(expect, timeout, since=mark)

    # -- log ---------------------------------------------------------------
    def wait_log(self, regex, timeout=None, since=None, count=1):
        return self.log.wait(regex, timeout, since=since, count=count)

    def mark(self):
        return self.log.mark()

    def _tail(self):
        return f"--- {self.log_path} (tail) ---\n{tail(self.log.text())}"

    def __repr__(self):
        state = "running" if self.alive() else f"exit {self.proc.returncode if self.proc else '-'}"
        return f"<Milter pid={self.proc.pid if self.proc else '-'} {state} {self.socket}>"


class MilterFactory:
    """The `milter` fixture: call it to start a daemon (see module doc)."""

    def __init__(self, build_dir, testdir, socket_spec):
        self.binary = os.path.join(build_dir, DAEMON)
        self.build_dir = build_dir
        self.testdir = testdir
        self.socket = socket_spec
        self.state_file = os.path.join(testdir, "var", "state.json")
        self.instances = []
        self._n = 0

    def defaults(self):
        return default_conf(self.socket, self.state_file)

    def conf_text(self, conf=None):
        """The text a call with `conf` would write (dict merged on defaults)."""
        if isinstance(conf, str):
            return conf
        return render(merge(self.defaults(), conf))

    def write_conf(self, conf=None, name=None):
        """Writes a configuration file in the test's directory; returns its path."""
        self._n += 1
        path = os.path.join(self.testdir, name or f"milter{self._n}.conf")
        write_file(path, self.conf_text(conf))
        return path

    def check(self, conf=None, *extra_args, path=None):
        """`-n -c FILE` on a conf (dict/str) or an existing file (path=)."""
        path = path or self.write_conf(conf)
        return run(self.build_dir, "-n", "-c", path, *extra_args)

    def __call__(self, conf=None, extra_args=(), wait=True, socket=None, timeout=None,
                 env=None, binary=None):
        if not os.path.exists(binary or self.binary):
            raise AssertionError(f"{binary or self.binary} not built (run make)")
        conf_path = self.write_conf(conf)
        spec = socket or self._socket_of(conf)
        n = len(self.instances) + 1
        log_path = os.path.join(self.testdir, f"milter{n}.log")
        m = Milter(binary or self.binary, conf_path, spec, log_path, extra_args, env)
        self.instances.append(m)
        return m.start(wait=wait, timeout=timeout)

    def _socket_of(self, conf):
        if isinstance(conf, dict) and conf.get("milter", {}).get("socket"):
            return conf["milter"]["socket"]
        if isinstance(conf, str):
            m = re.search(r"(?m)^\s*socket\s*=\s*(\S+)", conf)
            if m:
                return m.group(1)
        return self.socket

    def finish(self):
        """Teardown: stop what still runs (must exit 0); flag daemons that
        died without the test noticing."""
        problems = []
        for m in reversed(self.instances):
            if m.alive():
                try:
                    m.stop()
                except AssertionError as e:
                    problems.append(str(e))
            elif not m.exit_seen:
                problems.append(f"{DAEMON} pid {m.pid} died during the test "
                                f"(exit {m.proc.returncode})\n{m._tail()}")
        for m in self.instances:
            m.kill()
        # Every audit line of the suite, read by an independent parser.
        documented = man_keys(MAN_PAGE)
        for m in self.instances:
            problems += check_lines(m.log.text(), documented)
        assert not problems, "\n\n".join(problems)

