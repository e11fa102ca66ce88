# SPDX-License-Identifier: BSD-2-Clause
"""The daemon as a process: flags, configuration check, reload, socket
handling, privileges, signals."""

import ctypes
import fcntl
import grp
import os
import pwd
import re
import shutil
import signal
import socket
import stat
import struct
import subprocess
import time

import pytest

from harness.milter import (EX_CONFIG, EX_USAGE, NO_CREDENTIALS_ENV, STOP_TIMEOUT, line_of, probe,
                            run, socket_path)
from harness.util import free_port, make_dir

EX_CANTCREAT = 73

ALICE = "alice@example.com"
RCPT = "rcpt@example.net"

# One broken value per case: (section, key, value).
BROKEN = [
    ("milter", "unknown_sender", "maybe"),
    ("milter", "scope", "everyone"),
    ("milter", "socket", "tcp:25"),
    ("milter", "umask", "9z"),
    ("milter", "no_such_key", "1"),
    ("dns", "timeout_ms", "soon"),
    ("ses", "sync", "sometimes"),
    ("identity example.com", "mail_from_domain", "bounce.example.org"),
    ("identity example.com", "behavior_on_mx_failure", "Bounce"),
]

IDENTITY = {"identity example.com": {"mail_from_domain": "bounce.example.com",
                                     "behavior_on_mx_failure": "RejectMessage"}}


def problem_lines(stderr, path):
    """Line numbers of the `PATH:LINE:` problems reported for path."""
    return [int(n) for n in re.findall(rf"(?m)^{re.escape(path)}:(\d+):", stderr)]


# -- flags ------------------------------------------------------------------

def test_version(smf_build):
    p = run(smf_build, "-V")
    assert p.returncode == 0, p.stderr
    assert re.search(r"\d+\.\d+", p.stdout + p.stderr)


def test_help(smf_build):
    p = run(smf_build, "-h")
    assert p.returncode == 0, p.stderr
    assert "-c" in p.stdout + p.stderr


def test_unknown_flag_is_usage_error(smf_build):
    p = run(smf_build, "-Z")
    assert p.returncode == EX_USAGE, (p.returncode, p.stderr)


# -- -n: configuration check ---------------------------------------------------

def test_check_example_conf(smf_build, smf_root, service_user):
    p = run(smf_build, "-n", "-c", os.path.join(smf_root, "conf", "ses-mailfrom-milter.conf"))
    assert p.returncode == 0, p.stderr


def test_check_example_conf_with_one_broken_value(smf_build, smf_root, testdir, service_user):
    text = open(os.path.join(smf_root, "conf", "ses-mailfrom-milter.conf")).read()
    candidates = [("unknown_sender", "maybe"), ("scope", "everyone"),
                  ("on_internal_error", "explode"), ("sync", "sometimes")]
    for key, bad in candidates:
        rx = re.compile(rf"(?m)^(\s*{key}\s*=)[^\n]*$")
        if rx.search(text):
            break
    else:
        pytest.fail("the example sets none of " + ", ".join(k for k, _ in candidates))
    text = rx.sub(rf"\g<1> {bad}", text, count=1)
    path = os.path.join(testdir, "broken.conf")
    open(path, "w").write(text)
    line = line_of(text, key)

    p = run(smf_build, "-n", "-c", path)
    assert p.returncode == EX_CONFIG, (p.returncode, p.stderr)
    assert problem_lines(p.stderr, path) == [line], p.stderr


def test_check_harness_conf(milter):
    p = milter.check(IDENTITY)
    assert p.returncode == 0, p.stderr


@pytest.mark.parametrize("section,key,value", BROKEN,
                         ids=[f"{s.split()[0]}.{k}" for s, k, _ in BROKEN])
def test_check_reports_file_and_line(milter, section, key, value):
    text = milter.conf_text({**IDENTITY, section: {key: value}})
    path = milter.write_conf(text)
    p = milter.check(path=path)
    assert p.returncode == EX_CONFIG, (p.returncode, p.stderr)
    assert problem_lines(p.stderr, path) == [line_of(text, key, section)], p.stderr


def test_check_reports_every_problem(milter):
    text = milter.conf_text({"milter": {"unknown_sender": "maybe", "scope": "everyone"}})
    path = milter.write_conf(text)
    p = milter.check(path=path)
    assert p.returncode == EX_CONFIG, p.stderr
    assert sorted(problem_lines(p.stderr, path)) == sorted(
        [line_of(text, "unknown_sender"), line_of(text, "scope")]), p.stderr


def test_check_duplicate_identity(milter):
    base = milter.conf_text(IDENTITY)
    text = base + "\n[identity EXAMPLE.com]\nmail_from_domain = mx.example.com\n"
    path = milter.write_conf(text)
    p = milter.check(path=path)
    assert p.returncode == EX_CONFIG, p.stderr
    second = len(base.splitlines()) + 2
    lines = problem_lines(p.stderr, path)
    assert lines and all(second <= n <= second + 1 for n in lines), p.stderr


def test_check_missing_file(smf_build, testdir):
    path = os.path.join(testdir, "absent.conf")
    p = run(smf_build, "-n", "-c", path)
    assert p.returncode != 0
    assert path in p.stderr


# -- reload (SIGUSR1) -----------------------------------------------------------

def test_reload_good_file(milter, postfix, sink):
    m = milter()
    assert postfix.send(ALICE, [RCPT]).accepted

    new = milter.conf_text({"identity example.com": {"mail_from_domain": ""}})
    m.reload(new, expect=r"configuration reloaded")
    assert m.alive()

    t = postfix.send(ALICE, [RCPT])
    assert t.accepted, t
    assert sink.wait_for(t).sender == ALICE
    m.wait_log(rf"\b{t.queue_id}: .*sender={re.escape(ALICE)} ")
    postfix.assert_milter_ok()


def test_reload_takes_effect(milter, postfix):
    """After a reload to unknown_sender = reject, a sender with no identity
    is refused at MAIL FROM while a configured identity still passes."""
    m = milter()
    assert postfix.send("someone@other.example", [RCPT]).accepted
    new = milter.conf_text({"identity example.com": {"mail_from_domain": ""},
                            "milter": {"unknown_sender": "reject"}})
    m.reload(new, expect=r"configuration reloaded")

    refused = postfix.send("someone@other.example", [RCPT])
    assert refused.mail.permanent, refused
    assert postfix.send(ALICE, [RCPT]).accepted


def test_reload_broken_file_keeps_running_configuration(milter, postfix, sink):
    m = milter()
    broken = milter.conf_text({"milter": {"unknown_sender": "maybe"}})
    line = line_of(broken, "unknown_sender")
    err = m.reload(broken, expect=rf"{re.escape(m.conf_path)}:{line}:")
    assert m.alive()
    m.wait_log(r"keeping the running configuration")
    assert "configuration reloaded" not in m.log.text(since=err.start())

    t = postfix.send("someone@other.example", [RCPT])
    assert t.accepted, t  # still unknown_sender = accept
    assert sink.wait_for(t).sender == "someone@other.example"
    postfix.assert_milter_ok()


# -- the socket ---------------------------------------------------------------

def test_stale_socket_is_removed(milter, postfix, sink, milter_socket):
    path = socket_path(milter_socket)
    if os.path.exists(path):
        os.unlink(path)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.bind(path)  # a socket file nobody listens on, as after a crash
    assert stat.S_ISSOCK(os.stat(path).st_mode)

    m = milter()
    m.wait_log(r"removed stale socket")
    t = postfix.send(ALICE, [RCPT])
    assert t.accepted, t
    sink.wait_for(t)


def test_live_socket_refuses_second_instance(milter, postfix, sink, milter_socket):
    path = socket_path(milter_socket)
    first = milter()
    inode = os.stat(path).st_ino

    second = milter(wait=False)
    rc = second.wait_exit()
    assert rc != 0, second.log.text()
    assert re.search(r"another instance", second.log.text()), second.log.text()

    assert first.alive()
    assert os.stat(path).st_ino == inode, "the second instance replaced the socket"
    t = postfix.send(ALICE, [RCPT])
    assert t.accepted, t
    sink.wait_for(t)
    first.wait_log(rf"sender={re.escape(ALICE)} ")
    postfix.assert_milter_ok()


def test_sigterm_removes_socket(milter, milter_socket):
    m = milter()
    assert stat.S_ISSOCK(os.stat(socket_path(milter_socket)).st_mode)
    m.stop()  # asserts exit 0 within a few seconds and the socket gone


def test_sigterm_exits_promptly(milter):
    """An idle daemon stops well within a second or two of SIGTERM (a
    service manager's stop, and every test's teardown, wait for it)."""
    m = milter()
    started = time.monotonic()
    m.stop(timeout=STOP_TIMEOUT)
    elapsed = time.monotonic() - started
    assert elapsed < 2, f"SIGTERM took {elapsed:.1f}s"


def test_sigterm_with_a_client_connected(milter, postfix, milter_socket):
    """Stopping while Postfix holds a milter connection (an SMTP session
    between MAIL and DATA) still exits promptly and cleanly."""
    m = milter()
    with postfix.smtp() as c:
        # Postfix answers MAIL only once the milter has
        assert c.mail(ALICE).code == 250
        m.stop()
    assert not os.path.exists(socket_path(milter_socket))


# -- privileges -----------------------------------------------------------------

@pytest.mark.parametrize("how", ["flag", "config"])
def test_privilege_drop(milter, postfix, sink, milter_socket, how):
    nobody = pwd.getpwnam("nobody").pw_uid
    postfix_gid = grp.getgrnam("postfix").gr_gid
    if how == "flag":
        m = milter({"milter": {"umask": "007"}}, extra_args=("-u", "nobody:postfix"))
    else:
        m = milter({"milter": {"user": "nobody:postfix", "umask": "007"}})

    st = m.status()
    assert st["Uid"] == [str(nobody)] * 4, st["Uid"]
    assert st["Gid"] == [str(postfix_gid)] * 4, st["Gid"]
    assert "0" not in st.get("Groups", []), st.get("Groups")

    path = socket_path(milter_socket)
    sst = os.stat(path)
    assert stat.S_ISSOCK(sst.st_mode)
    assert (sst.st_uid, sst.st_gid) == (nobody, postfix_gid)
    assert stat.S_IMODE(sst.st_mode) == 0o770, oct(stat.S_IMODE(sst.st_mode))  # umask 007

    t = postfix.send(ALICE, [RCPT])
    assert t.accepted, t
    assert sink.wait_for(t).sender == ALICE
    postfix.assert_milter_ok()

    # An unprivileged reload must still read the file.
    m.reload(expect=r"configuration reloaded")
    m.stop()
    # Root's socket directory is not the dropped user's to change: the
    # socket stays, and the next start removes it.
    m.wait_log(r"stays until the next start removes it")
    assert stat.S_ISSOCK(os.stat(path).st_mode)
    milter().wait_log(r"removed stale socket")


def test_umask_applies_to_socket(milter, milter_socket):
    milter({"milter": {"umask": "077"}})
    assert stat.S_IMODE(os.stat(socket_path(milter_socket)).st_mode) == 0o700


def pid_dir(testdir):
    """A directory root may work in by name: root's, 0755 (testdir/var is
    1777, which the daemon refuses for its pidfile)."""
    return make_dir(os.path.join(testdir, "run"))


def test_pidfile(milter, testdir):
    pidfile = os.path.join(pid_dir(testdir), "milter.pid")
    m = milter(extra_args=("-P", pidfile))
    assert int(open(pidfile).read().split()[0]) == m.pid
    # Locked for the daemon's whole life: that is how a second one knows.
    with open(pidfile) as f, pytest.raises(BlockingIOError):
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    m.stop()
    assert not os.path.exists(pidfile)


def test_second_instance_leaves_the_first_ones_pidfile(milter, testdir):
    """An inet socket has no stale-socket check: the pidfile's lock stops
    the second instance before it writes anything (it used to open the
    file with O_TRUNC, emptying the first one's pid)."""
    pidfile = os.path.join(pid_dir(testdir), "milter.pid")
    conf = {"milter": {"socket": f"inet:{free_port()}@127.0.0.1"}}
    first = milter(conf, extra_args=("-P", pidfile))
    before = open(pidfile).read()
    assert int(before) == first.pid

    second = milter(conf, extra_args=("-P", pidfile), wait=False)
    rc = second.wait_exit()
    assert open(pidfile).read() == before
    assert rc == EX_CANTCREAT, second.log.text()
    assert f"pidfile {pidfile} is locked by another instance; not starting" in \
        second.log.text(), second.log.text()
    assert first.alive()
    first.stop()


def test_symlink_pidfile_is_not_followed(milter, testdir):
    target = os.path.join(testdir, "precious")
    open(target, "w").write("keep me\n")
    pidfile = os.path.join(pid_dir(testdir), "milter.pid")
    os.symlink(target, pidfile)
    m = milter(extra_args=("-P", pidfile), wait=False)
    assert m.wait_exit() == EX_CANTCREAT, m.log.text()
    assert f"pidfile {pidfile} is a symbolic link; not following it" in m.log.text()
    assert open(target).read() == "keep me\n"


@pytest.mark.parametrize("reader", [False, True], ids=["no-reader", "reader"])
def test_fifo_pidfile_does_not_hang(milter, testdir, reader):
    """A FIFO in the pidfile's place: refused at once (it used to block in
    open() until someone read it)."""
    pidfile = os.path.join(pid_dir(testdir), "milter.pid")
    os.mkfifo(pidfile)
    rfd = os.open(pidfile, os.O_RDONLY | os.O_NONBLOCK) if reader else None
    try:
        m = milter(extra_args=("-P", pidfile), wait=False)
        assert m.wait_exit(timeout=5) == EX_CANTCREAT, m.log.text()
        if reader:
            assert f"pidfile {pidfile} is not a regular file" in m.log.text()
            assert os.read(rfd, 64) == b""
    finally:
        if rfd is not None:
            os.close(rfd)


def test_pidfile_in_a_directory_others_write_is_refused(milter, testdir):
    pidfile = os.path.join(testdir, "var", "milter.pid")  # var is 1777
    m = milter(extra_args=("-P", pidfile), wait=False)
    assert m.wait_exit() == EX_CANTCREAT, m.log.text()
    assert re.search(rf"pidfile directory {re.escape(testdir)}/var is writable by its group "
                     r"or by others; refusing", m.log.text()), m.log.text()
    assert not os.path.exists(pidfile)


def test_socket_flag_overrides_config(milter, testdir):
    spec = f"unix:{testdir}/other.sock"
    m = milter(extra_args=("-p", spec), socket=spec)
    assert stat.S_ISSOCK(os.stat(f"{testdir}/other.sock").st_mode)
    m.stop()


@pytest.mark.parametrize("kind", ["local", "inet", "inet6"])
def test_socket_kinds(milter, testdir, kind):
    """Each libmilter socket syntax; the factory waits until the socket
    answers a milter option negotiation."""
    spec = {"local": f"local:{testdir}/local.sock",
            "inet": f"inet:{free_port()}@127.0.0.1",
            "inet6": f"inet6:{free_port('::1')}@::1"}[kind]
    m = milter({"milter": {"socket": spec}})
    m.stop()


@pytest.mark.parametrize("spec", ["inet:{port}@127.0.0.1", "inet:{port}@0.0.0.0",
                                  "inet6:{port6}@::1"])
def test_sigterm_prompt_on_an_inet_socket(milter, spec):
    """libmilter's listener looks at its stop flag only when its poll()
    times out, 5 s after the last connection (here the factory's probe):
    the daemon knocks on its own inet socket as on a unix one. Before,
    this stop took about 4.5 s."""
    spec = spec.format(port=free_port(), port6=free_port("::1"))
    m = milter({"milter": {"socket": spec}})
    time.sleep(0.5)
    started = time.monotonic()
    m.stop(timeout=STOP_TIMEOUT)
    elapsed = time.monotonic() - started
    assert elapsed < 2, f"SIGTERM took {elapsed:.1f}s"


# -- the socket's directory: root works only where nobody else writes ---------

def test_socket_dir_created_for_the_service_group(milter, testdir):
    nobody = pwd.getpwnam("nobody").pw_uid
    postfix_gid = grp.getgrnam("postfix").gr_gid
    spec = f"unix:{testdir}/sockdir/milter.sock"
    m = milter({"milter": {"socket": spec, "user": "nobody:postfix", "umask": "007"}})
    m.wait_log(rf"created {re.escape(testdir)}/sockdir \(uid 0, gid {postfix_gid}, mode 750\)")
    dst = os.stat(f"{testdir}/sockdir")
    assert (dst.st_uid, dst.st_gid, stat.S_IMODE(dst.st_mode)) == (0, postfix_gid, 0o750)
    sst = os.stat(f"{testdir}/sockdir/milter.sock")
    assert (sst.st_uid, sst.st_gid) == (nobody, postfix_gid)


@pytest.mark.parametrize("mode,owner,why", [
    (0o1777, "root", "writable by its group or by others"),
    (0o770, "root", "writable by its group or by others"),
    (0o755, "nobody", "owned by another account"),
], ids=["sticky", "group", "owner"])
def test_unsafe_socket_dir_is_refused(milter, testdir, mode, owner, why):
    d = os.path.join(testdir, "unsafe")
    os.mkdir(d)
    os.chmod(d, mode)
    os.chown(d, pwd.getpwnam(owner).pw_uid, 0)
    m = milter({"milter": {"socket": f"unix:{d}/milter.sock"}}, wait=False)
    assert m.wait_exit() == 69, m.log.text()  # EX_UNAVAILABLE
    assert re.search(rf"socket directory {re.escape(d)} is {why}; refusing", m.log.text()), \
        m.log.text()
    assert os.listdir(d) == []


def test_symlink_in_place_of_the_socket_is_not_followed(milter, testdir):
    d = os.path.join(testdir, "sockdir")
    os.mkdir(d, 0o750)
    target = os.path.join(testdir, "precious")
    open(target, "w").write("keep me\n")
    os.symlink(target, os.path.join(d, "milter.sock"))
    m = milter({"milter": {"socket": f"unix:{d}/milter.sock", "user": "nobody:postfix"}},
               wait=False)
    assert m.wait_exit() != 0
    assert "exists and is not a socket; not touching it" in m.log.text(), m.log.text()
    assert open(target).read() == "keep me\n"
    assert os.stat(target).st_uid == 0


# -- signals during start-up ---------------------------------------------------

class OpenWatch:
    """inotify (through libc) on a directory: tells when a process opens a
    file ending in `suffix` there."""

    IN_OPEN = 0x20

    def __init__(self, path, suffix):
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.fd = self.libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        assert self.fd >= 0, os.strerror(ctypes.get_errno())
        assert self.libc.inotify_add_watch(self.fd, path.encode(), self.IN_OPEN) >= 0
        self.suffix = suffix.encode()

    def opened(self):
        try:
            buf = os.read(self.fd, 65536)
        except BlockingIOError:
            return False
        while buf:
            _, _, _, length = struct.unpack_from("iIII", buf)
            name = buf[16:16 + length].rstrip(b"\0")
            if name.endswith(self.suffix):
                return True
            buf = buf[16 + length:]
        return False

    def close(self):
        os.close(self.fd)


def test_reload_signals_during_start_up(milter, testdir):
    """`systemctl reload` right after a start: SIGUSR1 every 2 ms from the
    moment main() opens the configuration until the socket answers. The
    signal used to kill the daemon (its default action: the mask was set
    only after the configuration, the socket and the detach); now it waits,
    and the daemon reloads once its signal thread runs. (Before main() the
    dynamic loader runs and nothing can be done: hence the inotify wait.)
    5,000 identities make reading the file take some milliseconds, as on a
    large host."""
    many = {f"identity d{i}.example": {"mail_from_domain": f"bounce.d{i}.example"}
            for i in range(5000)}
    for _ in range(3):
        watch = OpenWatch(testdir, ".conf")
        try:
            m = milter(many, wait=False)
            deadline = time.monotonic() + 10
            while not watch.opened() and m.alive() and time.monotonic() < deadline:
                time.sleep(0.0002)
        finally:
            watch.close()
        sent = 0
        while m.alive() and time.monotonic() < deadline:
            m.signal(signal.SIGUSR1)
            sent += 1
            time.sleep(0.002)
            if sent % 10 == 0 and probe(m.socket, timeout=0.5) is not None:
                break
        assert m.alive(), f"killed after {sent} SIGUSR1\n" + m.log.text()
        m.wait_ready()
        m.wait_log(r"configuration reloaded")
        m.reload(expect=r"configuration reloaded")
        m.stop()


def test_sigusr2_from_outside_does_not_end_reloads(milter):
    """SIGUSR2 ends the signal thread only when main() sends it at stop: a
    stray one, pending since start-up, leaves reloads working."""
    m = milter()
    m.signal(signal.SIGUSR2)
    m.reload(expect=r"configuration reloaded")


# -- root only when asked ---------------------------------------------------------

REFUSE_ROOT = (r"refusing to run as root without \[milter\] user: set user = ses-mailfrom "
               r"\(or another service account, or -u USER\); user = root runs as root on purpose")


@pytest.mark.parametrize("user", ["", None], ids=["empty", "absent"])
def test_root_without_user_is_refused(milter, user):
    m = milter({"milter": {"user": user}}, wait=False)
    assert m.wait_exit() == EX_CONFIG, m.log.text()
    assert re.search(REFUSE_ROOT, m.log.text()), m.log.text()
    # -n as root says the same: the file would not start.
    p = milter.check({"milter": {"user": user}})
    assert p.returncode == EX_CONFIG, (p.returncode, p.stderr)
    assert re.search(REFUSE_ROOT, p.stderr), p.stderr
    # An explicit -u names the account.
    assert milter.check({"milter": {"user": user}}, "-u", "nobody").returncode == 0


@pytest.mark.parametrize("how", ["config", "flag"])
def test_user_root_starts_with_a_warning(milter, postfix, sink, milter_socket, how):
    """user = root runs as root, warns, and, group 0 being no service
    group, makes the socket's directory 0755 (0750 root:root would lock
    Postfix out) as without a user."""
    d = os.path.dirname(socket_path(milter_socket))
    if os.path.exists(d):
        shutil.rmtree(d)
    if how == "config":
        m = milter({"milter": {"user": "root"}})
    else:
        m = milter({"milter": {"user": ""}}, extra_args=("-u", "root"))
    m.wait_log(r"running as root \(user = root\): the filter parses DNS, XML and HTTP answers "
               r"with every privilege; a service account is safer")
    assert m.status()["Uid"] == ["0"] * 4
    st = os.stat(d)
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (0, 0, 0o755)
    t = postfix.send(ALICE, [RCPT])
    assert t.accepted, t
    sink.wait_for(t)


# -- no core, no ptrace: the process holds AWS secrets ------------------------------

def core_limit(pid):
    """(soft, hard) of "Max core file size" in /proc/PID/limits."""
    with open(f"/proc/{pid}/limits") as f:
        for line in f:
            if line.startswith("Max core file size"):
                return tuple(line.split()[4:6])
    raise AssertionError(f"no core limit in /proc/{pid}/limits")


def wrapper(testdir, cwd, *prefix):
    """An executable that allows core files (soft limit = hard), moves to
    cwd, then runs the daemon, through prefix (setpriv) if given."""
    path = os.path.join(testdir, "wrap.sh")
    with open(path, "w") as f:
        f.write("#!/bin/sh\n# SPDX-License-Identifier: BSD-2-Clause\n"
                f"ulimit -S -c unlimited\ncd {cwd}\n"
                f'exec {" ".join(prefix)} "$SMF_DAEMON" "$@"\n')
    os.chmod(path, 0o755)
    return path


def test_daemon_is_not_dumpable(milter, testdir, smf_build):
    """Started as an unprivileged account with core files allowed: the
    limit is 0 (soft and hard) and the process is not dumpable, which the
    kernel shows as /proc/PID/status owned by root; SIGABRT leaves no
    core."""
    nobody = pwd.getpwnam("nobody")
    d = make_dir(os.path.join(testdir, "nobody"), owner=nobody.pw_uid, group=nobody.pw_gid)
    spec = f"unix:{d}/milter.sock"
    wrap = wrapper(testdir, d, "setpriv", f"--reuid={nobody.pw_uid}",
                   f"--regid={nobody.pw_gid}", "--clear-groups")
    m = milter({"milter": {"socket": spec, "user": ""}}, socket=spec, binary=wrap,
               env=dict(os.environ, SMF_DAEMON=os.path.join(smf_build, "ses-mailfrom-milter")))
    assert m.status()["Uid"] == [str(nobody.pw_uid)] * 4
    assert core_limit(m.pid) == ("0", "0")
    assert os.stat(f"/proc/{m.pid}/status").st_uid == 0, "dumpable"

    m.signal(signal.SIGABRT)
    assert m.wait_exit() == -signal.SIGABRT
    assert [n for n in os.listdir(d) if n.startswith("core")] == []


@pytest.mark.parametrize("user", ["nobody:postfix", "root"])
def test_daemon_has_no_core_after_the_drop(milter, testdir, smf_build, user):
    """Started as root with core files allowed: after the switch to the
    service account (which resets the dumpable flag to the sysctl's) and
    with user = root alike, the core limit stays 0."""
    wrap = wrapper(testdir, testdir)
    m = milter({"milter": {"user": user}}, binary=wrap,
               env=dict(os.environ, SMF_DAEMON=os.path.join(smf_build, "ses-mailfrom-milter")))
    assert core_limit(m.pid) == ("0", "0")
    if user != "root":
        assert os.stat(f"/proc/{m.pid}/status").st_uid == 0, "dumpable"


TOOL_PROBE = """#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# A credential_process that looks at the tool which runs it.
cat /proc/$PPID/limits > "$(dirname "$0")/limits"
stat -c %u /proc/$PPID/status > "$(dirname "$0")/owner"
echo '{"Version": 1, "AccessKeyId": "AKIDPROBE", "SecretAccessKey": "probe"}'
"""


def test_tool_is_not_dumpable(smf_build, testdir):
    """ses-mailfrom, run by an unprivileged account with core files
    allowed: by the time it reads credentials (here from a
    credential_process that inspects its parent) the core limit is 0 and
    the process is not dumpable."""
    nobody = pwd.getpwnam("nobody")
    home = make_dir(os.path.join(testdir, "toolhome"), owner=nobody.pw_uid, group=nobody.pw_gid)
    helper = os.path.join(home, "probe.sh")
    with open(helper, "w") as f:
        f.write(TOOL_PROBE)
    os.chmod(helper, 0o755)
    with open(os.path.join(home, "config"), "w") as f:
        f.write(f"[default]\nregion = us-east-1\ncredential_process = {helper}\n")
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": home,
           "AWS_CONFIG_FILE": os.path.join(home, "config"),
           "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
           "AWS_EC2_METADATA_DISABLED": "true",
           "AWS_ENDPOINT_URL_SES": f"http://127.0.0.1:{free_port()}"}
    p = subprocess.run(
        ["sh", "-c", 'ulimit -S -c unlimited; exec "$@"', "sh", "setpriv",
         f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups",
         os.path.join(smf_build, "ses-mailfrom"), "get-identity-mail-from-domain-attributes",
         "--identities", "example.com"],
        capture_output=True, text=True, timeout=60, env=env, stdin=subprocess.DEVNULL)
    assert os.path.exists(os.path.join(home, "limits")), (p.returncode, p.stderr)
    limits = open(os.path.join(home, "limits")).read()
    assert re.search(r"(?m)^Max core file size\s+0\s+0\s", limits), limits
    assert open(os.path.join(home, "owner")).read().strip() == "0", "dumpable"


# -- make run on a machine without AWS credentials ------------------------------

# Every line `make run` may print besides the one credentials warning.
CLEAN_START = [
    r"created \S+ \(uid \d+, gid \d+, mode 750\)",
    r"starting ses-mailfrom-milter .* \(2 identities\)",
    r"state file \S+ does not exist \(yet\): SES is read at once",
    r"SES: synchroniser started \(apply, 2 identities, every 3600 s\); first pass in 0 s",
    r"SES: next pass in 30 s",
    r"signal 15: stopping",
    r"\S+ stays until the next start removes it",
    r"SES: synchroniser stopped",
    r"stopped",
]


def test_example_conf_starts_clean(milter, smf_root, testdir, service_user):
    """`make run`'s configuration as root on a host without credentials:
    the socket's and the state file's directories are made for the user,
    and nothing is logged but start-up lines and one warning per pass that
    names how to give the daemon credentials. Only the two paths move into
    the test's directory."""
    text = open(os.path.join(smf_root, "conf", "ses-mailfrom-milter.conf")).read()
    sock = f"{testdir}/run/ses-mailfrom/milter.sock"
    state = f"{testdir}/lib/ses-mailfrom-milter/state.json"
    os.makedirs(f"{testdir}/run")
    os.makedirs(f"{testdir}/lib")
    text = re.sub(r"(?m)^socket = .*$", f"socket = unix:{sock}", text)
    text = re.sub(r"(?m)^state_file = .*$", f"state_file = {state}", text)
    env = dict(NO_CREDENTIALS_ENV, HOME=testdir)
    m = milter(text, socket=f"unix:{sock}", env=env)
    m.wait_log(r"SES: next pass in")

    svc = pwd.getpwnam(service_user)
    st = os.stat(os.path.dirname(state))
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (svc.pw_uid, svc.pw_gid, 0o750)
    st = os.stat(os.path.dirname(sock))
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (0, svc.pw_gid, 0o750)
    m.stop()

    lines = m.log.text().splitlines()
    warnings = [ln for ln in lines if "no AWS credentials found" in ln]
    assert len(warnings) == 1, m.log.text()
    assert re.search(r"AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.*instance role",
                     warnings[0]), warnings[0]
    others = [ln for ln in lines if ln not in warnings
              and not any(re.fullmatch(rx, ln) for rx in CLEAN_START)]
    assert others == [], "unexpected lines:\n" + "\n".join(others)
    # Saved by the dropped user after the failed pass.
    assert os.path.exists(state)


# -- systemd's notification protocol (Type=notify) -------------------------------

class FakeSystemd:
    """systemd's side of $NOTIFY_SOCKET: an abstract datagram socket."""

    def __init__(self):
        self.name = f"@smf-notify-{os.getpid()}-{time.monotonic_ns()}"
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind("\0" + self.name[1:])
        self.sock.settimeout(15)

    def next(self):
        return self.sock.recv(4096).decode()

    def close(self):
        self.sock.close()


def test_systemd_notify(milter, testdir):
    sd = FakeSystemd()
    try:
        m = milter({**IDENTITY, "ses": {"sync": "yes", "state_file": f"{testdir}/var/s.json"}},
                   wait=False, env=dict(NO_CREDENTIALS_ENV, HOME=testdir, NOTIFY_SOCKET=sd.name))
        # READY=1 and the first pass's STATUS, in either order.
        got = [sd.next(), sd.next()]
        ready = [g for g in got if g.startswith("READY=1")]
        assert len(ready) == 1, got
        # READY=1 only once the socket takes connections.
        assert probe(m.socket) is not None, m.log.text()
        assert ready[0].startswith("READY=1\nSTATUS=1 identities; SES sync yes"), got
        assert "\n" not in ready[0].split("STATUS=", 1)[1]
        status = [g for g in got if not g.startswith("READY=1")][0]
        assert re.fullmatch(r"STATUS=1 identities; SES sync yes: last pass "
                            r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC failed \(no AWS credentials\)",
                            status), status

        before = time.monotonic_ns() // 1000
        m.signal(signal.SIGUSR1)
        reloading = sd.next()
        after = time.monotonic_ns() // 1000
        mt = re.fullmatch(r"RELOADING=1\nMONOTONIC_USEC=(\d+)", reloading)
        assert mt, reloading
        assert before <= int(mt.group(1)) <= after
        assert sd.next().startswith("READY=1\nSTATUS=1 identities")
        # A reload runs a pass at once.
        assert sd.next().startswith("STATUS=1 identities; SES sync yes: last pass")

        m.stop()
        assert sd.next() == "STOPPING=1"
        sd.sock.settimeout(0.5)
        extra = []
        try:
            while True:
                extra.append(sd.next())
        except socket.timeout:
            pass
        assert extra == [], extra  # STOPPING=1 once, and nothing after it
    finally:
        sd.close()


def test_no_notify_socket_no_messages(milter, testdir):
    """Outside systemd nothing is sent and NOTIFY_SOCKET is not needed."""
    m = milter()
    assert "NOTIFY_SOCKET" not in m.log.text()
