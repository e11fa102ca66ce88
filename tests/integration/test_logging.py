# SPDX-License-Identifier: BSD-2-Clause
"""Logging off the mail path: milter threads queue their lines and one
logger thread writes them, so a syslog reader that stops reading costs
mail nothing. The daemon runs with a /dev/log of the test's own
(harness/devlog.py) and bench_load plays Postfix's smtpd."""

import os
import re
import subprocess
import time

import pytest

from harness.devlog import DevLog
from harness.logfmt import is_audit, parse
from harness.milter import STOP_TIMEOUT
from harness.util import wait_until

CONNS, PER_CONN = 8, 250
CONF = {"milter": {"unknown_sender": "accept"}}


@pytest.fixture
def devlog(testdir):
    dl = DevLog(testdir)
    yield dl
    dl.close()


def load(smf_build, m, conns=CONNS, msgs=PER_CONN, timeout=20,
         sender="someone@unknown.test"):
    """bench_load -> its RESULT fields; fails if a message did not end in
    accept within `timeout` seconds."""
    argv = [os.path.join(smf_build, "tests", "bench", "bench_load"), "-s", m.socket,
            "-c", str(conns), "-m", str(msgs), "-x", "accept", "-t", str(timeout),
            "-F", sender]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout + 30)
    assert p.returncode == 0, f"{argv}\n{p.stdout}{p.stderr}\n{m._tail()}"
    res = dict(kv.split("=", 1) for kv in re.search(r"^RESULT (.*)$", p.stdout, re.M)
               .group(1).split())
    assert int(res["accept"]) == conns * msgs, p.stdout
    return res


def test_stalled_syslog_costs_mail_nothing(milter, devlog, smf_build):
    """Nothing reads /dev/log: every message is still answered at once,
    the lines that do not fit are dropped and counted, and once the
    reader is back the logger says how many."""
    m = milter(CONF, binary=devlog.wrap(milter.binary))
    t0 = time.monotonic()
    res = load(smf_build, m)
    took = time.monotonic() - t0
    # Before the logger thread every milter thread blocked in syslog()
    # after a few lines: bench_load timed out.
    assert float(res["p99_us"]) < 500_000, res
    assert took < 15, res
    devlog.resume()
    got = m.wait_log(r"dropped (\d+) lines")
    assert int(got.group(1)) > 0
    wait_until(lambda: any(re.search(r"dropped \d+ lines", x) for x in devlog.lines),
               what="the dropped count in syslog")


def test_sigterm_with_stalled_syslog_stops_in_time(milter, devlog, smf_build):
    """A full queue nobody can write does not hold the daemon at SIGTERM:
    it gives the logger its drain time and exits 0 within the stop
    deadline."""
    m = milter(CONF, binary=devlog.wrap(milter.binary))
    load(smf_build, m, conns=2, msgs=500)
    t0 = time.monotonic()
    m.stop()
    assert time.monotonic() - t0 < STOP_TIMEOUT


def test_queue_drained_at_sigterm(milter, devlog, smf_build):
    """With a reader, every message's audit reaches syslog and stderr in
    order, the last ones included: SIGTERM drains the queue before exit."""
    devlog.resume()
    m = milter(CONF, binary=devlog.wrap(milter.binary))
    load(smf_build, m, conns=4, msgs=100)
    m.stop()
    ids = re.findall(r"\bmsg=(\d+)\.(\d+) ", m.log.text())
    assert len({i for i in ids}) == 400, len(ids)
    assert "dropped" not in m.log.text()
    # per connection, messages in the order they were sent
    last = {}
    for conn, n in ids:
        assert int(n) >= last.get(conn, 0), (conn, n)
        last[conn] = int(n)
    time.sleep(0.2)
    assert len({re.search(r"msg=(\S+)", x).group(1) for x in devlog.lines
                if "msg=" in x}) == 400
    assert any("stopped" in x for x in devlog.lines)


def test_audit_line_round_trips_the_sender(milter, smf_build):
    """One logfmt line per message, at its end, whose sender field reads
    back (with the independent parser) as exactly what the client sent:
    spaces, quotes, backslashes and '=' included."""
    m = milter(CONF)
    senders = ['"a b"@unknown.test', '"say \\"hi\\""@unknown.test',
               'x=1@unknown.test', '"back\\\\slash"@unknown.test', ""]
    for s in senders:
        load(smf_build, m, conns=1, msgs=1, sender=s)
    m.stop()
    got = []
    for line in m.log.text().splitlines():
        if is_audit(line) and " msg=" in line:
            tag, fields = parse(line)
            f = dict(fields)
            assert f["stage"] == "eom" and f["action"] == "accept", line
            got.append(f["sender"])
    assert got == senders
