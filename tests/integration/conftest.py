# SPDX-License-Identifier: BSD-2-Clause
"""Fixtures shared by every integration test (see harness/__init__.py for
the list and how to add a case), and the suite's one-line result."""

import os
import pkgutil
import re
import shutil
import tempfile

import pytest

import harness
from dnsfix.fakedns import FakeDNS
from dnsfix.knot import EXAMPLE_RECORDS, Knot, make_zone
from harness.milter import MilterFactory
from harness.postfix import Postfix
from harness.sink import Sink
from harness.util import free_port, make_dir

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Every harness/fixtures_*.py is a plugin: its fixtures need no edit here.
pytest_plugins = sorted(f"harness.{m.name}" for m in pkgutil.iter_modules(harness.__path__)
                        if m.name.startswith("fixtures_"))

_session = {"workdir": None, "failed": 0}


@pytest.fixture(scope="session")
def smf_root():
    return ROOT


@pytest.fixture(scope="session")
def smf_build():
    return os.path.abspath(os.environ.get("SMF_BUILD") or os.path.join(ROOT, "build"))


@pytest.fixture(scope="session")
def workdir():
    """The session's temp dir, traversable by postfix and nobody (pytest's
    own tmp dirs are 0700). Removed at the end unless a test failed."""
    path = tempfile.mkdtemp(prefix="smf-it-", dir="/tmp")
    os.chmod(path, 0o755)
    _session["workdir"] = path
    return path


@pytest.fixture(scope="session")
def milter_socket(postfix_instance):
    """The libmilter socket spec the shipped Postfix lines reach: the
    daemon creates its directory in Postfix's queue directory, as on a
    Debian host."""
    return postfix_instance.shipped_socket()


@pytest.fixture(scope="session")
def sink_server(workdir):
    s = Sink(workdir, free_port()).start()
    yield s
    s.stop()


@pytest.fixture(scope="session")
def postfix_instance(workdir, sink_server):
    pf = Postfix(workdir, free_port(), sink_server.port)
    try:
        pf.start()
        yield pf
    finally:
        pf.stop()


@pytest.fixture
def postfix(postfix_instance):
    return postfix_instance.view()


@pytest.fixture
def sink(sink_server):
    return sink_server.view()


@pytest.fixture
def testdir(request, workdir):
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)[:80]
    base = os.path.join(workdir, "tests", name)
    path, n = base, 1
    while os.path.exists(path):
        n += 1
        path = f"{base}.{n}"
    make_dir(os.path.join(workdir, "tests"))
    make_dir(path)
    make_dir(os.path.join(path, "var"), 0o1777)
    return path


@pytest.fixture
def milter(smf_build, testdir, milter_socket):
    factory = MilterFactory(smf_build, testdir, milter_socket)
    yield factory
    factory.finish()


@pytest.fixture(scope="module")
def knot(workdir, request):
    """knot serving example.test with every MX state (EXAMPLE_RECORDS), one
    per test module; a module with zones of its own defines its own."""
    name = request.module.__name__.replace("test_", "knot-")
    k = Knot(os.path.join(workdir, name),
             {"example.test": make_zone("example.test", EXAMPLE_RECORDS)}).start()
    yield k
    k.stop()


@pytest.fixture
def fakedns():
    """The dnslib server for SERVFAIL, no answer and slow answers."""
    f = FakeDNS().start()
    yield f
    f.stop()


def _counts(stats):
    """Tests (not reports) that passed and failed. A setup/teardown error
    or a collection error counts as a failure; a test that passed its call
    but failed its teardown counts once, as failed."""
    def ids(*keys):
        return {r.nodeid for k in keys for r in stats.get(k, []) if hasattr(r, "nodeid")}

    failed = ids("failed", "error")
    passed = ids("passed", "xpassed") - failed
    skipped = ids("skipped") - failed - passed
    xfailed = ids("xfailed") - failed
    return len(passed), len(failed), len(skipped), len(xfailed)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    passed, failed, skipped, xfailed = _counts(terminalreporter.stats)
    tr = terminalreporter
    if _session["workdir"] and (failed or os.environ.get("SMF_KEEP")):
        tr.write_line(f"integration: files kept in {_session['workdir']}")
    if skipped or xfailed:
        tr.write_line(f"integration: {skipped} skipped, {xfailed} xfailed")
    line = f"integration: {passed} passed, {failed} failed"
    # pytest prints its own "N passed in Xs" after this hook; chain onto it
    # so that this line stays the last one of the run.
    stats = getattr(tr, "summary_stats", None)
    if stats is None:
        tr.write_line(line)
        return

    def summary_stats():
        stats()
        tr.write_line(line)

    tr.summary_stats = summary_stats


def pytest_sessionfinish(session, exitstatus):
    _session["failed"] = session.testsfailed


def pytest_unconfigure(config):
    path = _session["workdir"]
    if path and not _session.get("failed") and not os.environ.get("SMF_KEEP"):
        shutil.rmtree(path, ignore_errors=True)
