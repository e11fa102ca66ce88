# SPDX-License-Identifier: BSD-2-Clause
"""The Debian package (`make deb`) installed on this machine: its user, its
files and directories, the installed daemon's check of the installed
configuration, the unit through `systemd-analyze verify`, the installed
daemon as the test Postfix's milter, then a purge that leaves nothing but
what Debian policy keeps (the system account: policy 9.2.2 advises leaving
it, so files it owned elsewhere keep a name).

The machine is left as it was found, pass or fail: the package is purged
and an account the suite created is removed by the finalizers. A host
that already has the package installed is not touched (the test fails)."""

import glob
import grp
import os
import pwd
import re
import stat
import subprocess

import pytest

from harness.fixtures_system import CREATED, SERVICE_USER, account_exists, remove_account
from harness.logfmt import audit_rx
from harness.milter import NO_CREDENTIALS_ENV

PKG = "ses-mailfrom-milter"
RCPT = "rcpt@example.net"
DAEMON = "/usr/sbin/ses-mailfrom-milter"
SOCKET_DIR = "/var/spool/postfix/ses-mailfrom"
STATE_DIR = "/var/lib/ses-mailfrom-milter"
UNIT = "/lib/systemd/system/ses-mailfrom-milter.service"
# Everything the package puts on the machine.
FILES = ["/usr/sbin/ses-mailfrom-milter", "/usr/bin/ses-mailfrom",
         "/usr/share/man/man8/ses-mailfrom-milter.8.gz", "/usr/share/man/man1/ses-mailfrom.1.gz",
         "/etc/ses-mailfrom-milter.conf", UNIT,
         "/usr/lib/tmpfiles.d/ses-mailfrom-milter.conf",
         "/usr/lib/sysusers.d/ses-mailfrom-milter.conf",
         "/usr/share/doc/ses-mailfrom-milter/copyright"]
LEFTOVERS = FILES + [SOCKET_DIR, STATE_DIR, "/usr/share/doc/ses-mailfrom-milter",
                     "/etc/systemd/system/multi-user.target.wants/ses-mailfrom-milter.service",
                     "/var/lib/systemd/deb-systemd-helper-enabled/ses-mailfrom-milter.service"]


def installed():
    p = subprocess.run(["dpkg-query", "-W", "-f=${db:Status-Abbrev}", PKG],
                       capture_output=True, text=True)
    return p.returncode == 0 and p.stdout.startswith(("i", "h", "u", "c", "t")) \
        and not p.stdout.startswith("un")


def purge():
    return subprocess.run(["dpkg", "--purge", PKG], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def deb(smf_root):
    """The package `make deb` builds (built here when missing)."""
    version = re.search(r"(?m)^VERSION\s*=\s*(\S+)", open(os.path.join(smf_root, "Makefile")).read())
    path = os.path.join(smf_root, "build", "deb", f"{PKG}_{version.group(1)}_amd64.deb")
    if not os.path.exists(path):
        p = subprocess.run(["make", "-C", smf_root, "deb"], capture_output=True, text=True,
                           timeout=900)
        assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    return path


@pytest.fixture(scope="module")
def package(deb):
    assert not installed(), f"{PKG} is already installed on this machine; not touching it"
    # The package must create the account itself: drop one this session made.
    user_before = account_exists(SERVICE_USER)
    if user_before and SERVICE_USER in CREATED:
        remove_account(SERVICE_USER)
    dirs_before = {d: os.path.exists(d) for d in (SOCKET_DIR, STATE_DIR)}
    try:
        p = subprocess.run(["dpkg", "-i", deb], capture_output=True, text=True, timeout=300,
                           env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        assert p.returncode == 0, p.stdout + p.stderr
        yield {"install": p, "user_before": user_before and SERVICE_USER not in CREATED}
    finally:
        if installed():
            purge()
        # The session's own account comes back for the tests that use it.
        if not account_exists(SERVICE_USER) and SERVICE_USER in CREATED:
            subprocess.run([os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
                os.path.abspath(__file__)))), "contrib", "add-user")], capture_output=True)
        # Left by the package (policy), not by this machine's owner.
        if not user_before and account_exists(SERVICE_USER):
            remove_account(SERVICE_USER)
        for d, existed in dirs_before.items():
            if not existed and os.path.isdir(d):
                subprocess.run(["rm", "-rf", d])


def test_installed(package):
    u = pwd.getpwnam(SERVICE_USER)
    if not package["user_before"]:
        assert u.pw_uid < 1000, u  # a system account, made by sysusers.d
    assert u.pw_shell == "/usr/sbin/nologin" and u.pw_dir == "/nonexistent", u
    g = grp.getgrgid(u.pw_gid)
    assert g.gr_name == SERVICE_USER
    assert "postfix" in g.gr_mem, g  # postinst: Postfix reaches the socket

    for f in FILES:
        assert os.path.exists(f), f
    conffiles = subprocess.run(["dpkg-query", "-W", "-f=${Conffiles}", PKG],
                               capture_output=True, text=True).stdout
    assert "/etc/ses-mailfrom-milter.conf" in conffiles, conffiles

    st = os.stat(SOCKET_DIR)
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (0, u.pw_gid, 0o750)
    st = os.stat(STATE_DIR)
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (u.pw_uid, u.pw_gid, 0o750)

    # The installed daemon checks the installed configuration (default path).
    p = subprocess.run([DAEMON, "-n"], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr


def test_unit_verifies(package):
    p = subprocess.run(["systemd-analyze", "verify", UNIT], capture_output=True, text=True,
                       timeout=60)
    ours = [ln for ln in (p.stdout + p.stderr).splitlines() if "ses-mailfrom" in ln]
    assert p.returncode == 0 and not ours, p.stdout + p.stderr
    unit = open(UNIT).read()
    assert re.search(r"(?m)^Type=notify$", unit)
    assert re.search(r"(?m)^ProtectSystem=strict$", unit)
    assert re.search(r"(?m)^ExecStart=/usr/sbin/ses-mailfrom-milter ", unit)


def test_installed_daemon_with_postfix(package, milter, postfix, sink, testdir):
    """The installed daemon, on the installed configuration (only the socket
    given with -p: the test Postfix's queue stands in for
    /var/spool/postfix), as root dropping to ses-mailfrom: Postfix reaches
    the socket through the group postinst gave it."""
    spec = postfix.shipped_socket()
    conf = open("/etc/ses-mailfrom-milter.conf").read()
    m = milter(conf, extra_args=("-p", spec), socket=spec, binary=DAEMON,
               env=dict(NO_CREDENTIALS_ENV, HOME=testdir))
    assert m.status()["Uid"][0] == str(pwd.getpwnam(SERVICE_USER).pw_uid)

    senders = ["someone@unknown.example", "", "other@elsewhere.example"]
    for s in senders:
        t = postfix.send(s, [RCPT])
        assert t.accepted, t
        assert sink.wait_for(t).sender == s
        m.wait_log(audit_rx(s, action="accept"))
    sub = postfix.sendmail("local@unknown.example", [RCPT])
    assert sub.returncode == 0, sub.stderr
    assert sink.wait_for(sub.message_id).sender == "local@unknown.example"
    m.wait_log(r"sender=local@unknown\.example .*origin=local")
    postfix.assert_milter_ok()

    # The synchroniser's first pass (no credentials here) saved its state
    # as the dropped user in the package's state directory.
    m.wait_log(r"no AWS credentials found")
    state = os.path.join(STATE_DIR, "state.json")
    assert os.stat(state).st_uid == pwd.getpwnam(SERVICE_USER).pw_uid
    m.stop()


def test_purge_leaves_nothing(package):
    p = purge()
    assert p.returncode == 0, p.stdout + p.stderr
    assert not installed()
    left = [f for f in LEFTOVERS if os.path.lexists(f)]
    assert left == [], left
    assert glob.glob("/etc/ses-mailfrom-milter.conf*") == []
    # Kept, as Debian policy advises for system accounts.
    assert account_exists(SERVICE_USER)
