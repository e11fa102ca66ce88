# SPDX-License-Identifier: BSD-2-Clause
"""Postfix the way Debian ships it: Debian's own master.cf (smtpd, cleanup
and the rest chrooted in the queue directory), only its smtpd moved to a
loopback port, the chroot prepared by Debian's configure-instance.sh, and
contrib/postfix-main.cf as shipped naming the socket inside the chroot
(unix:/ses-mailfrom/milter.sock, README's path). Mail through SMTP and
through sendmail(1)."""

import os
import re

import pytest

from harness.postfix import Postfix
from harness.smtp import send, sendmail
from harness.util import free_port

RCPT = "rcpt@example.net"
STRANGER = "someone@unknown.example"


@pytest.fixture
def debian_postfix(workdir, sink_server):
    pf = Postfix(workdir, free_port(), sink_server.port, master="debian", name="postfix-debian")
    try:
        pf.start()
        yield pf
    finally:
        pf.stop()


def chrooted_in(pid):
    return os.path.realpath(f"/proc/{pid}/root")


def test_debian_master_cf(milter, debian_postfix, sink):
    pf = debian_postfix
    master = open(os.path.join(pf.confdir, "master.cf")).read()
    assert re.search(rf"(?m)^127\.0\.0\.1:{pf.port}\s+inet\s+n\s+-\s+y\s", master), master
    assert re.search(r"(?m)^cleanup\s+unix\s+n\s+-\s+y\s", master), master

    m = milter({"milter": {"unknown_sender": "reject", "socket": pf.shipped_socket()}})
    # SMTP: smtpd, chrooted, reaches the filter, which refuses the stranger.
    t = send("127.0.0.1", pf.port, STRANGER, [RCPT])
    assert not t.accepted and t.last.code == 550, t
    assert "5.7.1" in str(t.last), t
    m.wait_log(rf"NOQUEUE: .*sender={re.escape(STRANGER)} .*action=reject")
    t = send("127.0.0.1", pf.port, "", [RCPT])
    assert t.accepted, t
    sink.wait_for(t)

    # sendmail(1): cleanup, chrooted, runs non_smtpd_milters; never refused.
    sub = sendmail(pf.confdir, STRANGER, [RCPT])
    assert sub.returncode == 0, sub.stderr
    assert sink.wait_for(sub.message_id).sender == STRANGER
    m.wait_log(rf"sender={re.escape(STRANGER)} .*spared=reject origin=local")

    smtpd = [p for p in os.listdir("/proc") if p.isdigit() and _is(p, "smtpd", pf)]
    assert smtpd, "no smtpd of this instance"
    assert all(chrooted_in(p) == os.path.realpath(pf.queue) for p in smtpd)
    assert "warning: connect to Milter" not in pf.log.text()


def _is(pid, name, pf):
    """PID is a NAME child of this instance's master."""
    try:
        master = open(os.path.join(pf.queue, "pid", "master.pid")).read().split()[0]
        comm = open(f"/proc/{pid}/comm").read().strip()
        ppid = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1]
    except (OSError, IndexError):
        return False
    return comm == name and ppid == master
