# SPDX-License-Identifier: BSD-2-Clause
"""Bounded work on local input (issue 11, items 2 and 7), through the
daemon's configuration check: a line of any length costs no memory, and a
FIFO in place of the file is refused at once instead of hanging."""

import os
import re
import subprocess

from harness.milter import DAEMON, EX_CONFIG, run

HUGE = 100 << 20  # bytes in the one long line


def run_measured(build_dir, *args):
    """Runs the daemon to completion -> (exit status, stderr, its own peak
    RSS in KiB), the RSS from wait4 so that no other child counts (but the
    forked copy of this interpreter before the exec does)."""
    with open(os.devnull, "rb") as null:
        p = subprocess.Popen([os.path.join(build_dir, DAEMON), *args], stdin=null,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            err = p.stderr.read().decode(errors="replace")
            _, status, usage = os.wait4(p.pid, 0)
        finally:
            p.stderr.close()
    p.returncode = os.waitstatus_to_exitcode(status)  # keeps Popen from waiting again
    return p.returncode, err, usage.ru_maxrss


def check_long_line(build_dir, path, length):
    """-n on a file whose line 2 is LENGTH bytes long -> peak RSS in KiB."""
    chunk = b"a" * (1 << 20)
    with open(path, "wb") as f:
        f.write(b"[ses]\nstate_file = /")
        for _ in range(length // len(chunk)):
            f.write(chunk)
        f.write(b"a" * (length % len(chunk)))
        f.write(b"\n[milter]\nscope all\n")
    try:
        rc, err, rss_kib = run_measured(build_dir, "-n", "-c", path)
    finally:
        os.unlink(path)
    assert rc == EX_CONFIG, (rc, err)
    assert f"{path}:2: line longer than 197 bytes" in err, err
    assert [int(n) for n in re.findall(rf"(?m)^{re.escape(path)}:(\d+):", err)] == [2, 4], err
    return rss_kib


def test_huge_line_refused_in_bounded_memory(smf_build, testdir):
    """The old reader took the whole line first (getline): 100 MiB more for
    this file than for one of 1 KiB. Now the rest of the line is read and
    dropped: the peak is that of a short line, and the problems after it
    are still reported."""
    path = os.path.join(testdir, "long.conf")
    base = check_long_line(smf_build, path, 1024)
    huge = check_long_line(smf_build, path, HUGE)
    assert huge < base + 16 * 1024, f"peak RSS {huge} KiB, {base} KiB for a 1 KiB line"


def test_fifo_configuration_refused_at_once(smf_build, testdir):
    """fopen() on a FIFO with no writer blocked for ever (the old daemon
    ran into this test's timeout)."""
    path = os.path.join(testdir, "fifo.conf")
    os.mkfifo(path)
    p = run(smf_build, "-n", "-c", path, timeout=10)
    assert p.returncode == EX_CONFIG, (p.returncode, p.stderr)
    assert f"{path}:0: cannot open: not a regular file" in p.stderr, p.stderr
