# SPDX-License-Identifier: BSD-2-Clause
"""milter/dns/resolver against real DNS servers, through build/tests/mxprobe:
knotd for every MX state a MAIL FROM domain can be in, a dnslib server for
what knot will not do on demand (SERVFAIL, REFUSED, silence, slowness) and
for counting the queries that actually reach a server.

mxprobe prints one line per lookup, "name=N result=R ttl=T ms=E kind=K
nmx=X host=H"; Probe keeps one running for tests that need its cache
across lookups. The ThreadSanitizer variant of the parallel test runs the
mxprobe of $SMF_TSAN_BUILD (default build/tsan), built with
    make B=build/tsan CFLAGS="-O1 -g" SANFLAGS="-fsanitize=thread" build/tsan/tests/mxprobe
and is skipped when that binary does not exist."""

import os
import subprocess
import time

import pytest

from dnsfix import free_udp_port
from dnsfix.fakedns import FakeDNS
from dnsfix.knot import EXAMPLE_TEST, SES_MX, Knot, make_zone, EXAMPLE_RECORDS, SOA_MINIMUM

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MARGIN_MS = 250          # RESOLVER_WAIT_MARGIN_MS
SLACK_MS = 250           # scheduling noise on a loaded machine


def parse(line):
    out = {}
    for field in line.split():
        k, _, v = field.partition("=")
        out[k] = v
    for k in ("ttl", "nmx"):
        if k in out:
            out[k] = int(out[k])
    if "ms" in out:
        out["ms"] = float(out["ms"])
    return out


def probe_args(exe, servers, timeout=1000, tries=2, min_ttl=0, max_ttl=3600,
               transient=None, expected=SES_MX, threads=None):
    args = [exe, "-s", servers, "-t", str(timeout), "-r", str(tries),
            "-m", str(min_ttl), "-M", str(max_ttl), "-e", expected]
    if transient is not None:
        args += ["-T", str(transient)]
    if threads is not None:
        args += ["-j", str(threads)]
    return args


def run_probe(exe, names, env=None, **opts):
    """One mxprobe run over names; returns (lookups as dicts, the run)."""
    p = subprocess.run(probe_args(exe, **opts) + list(names), capture_output=True,
                       text=True, timeout=60, env=env)
    assert p.returncode == 0, f"mxprobe exited {p.returncode}:\n{p.stderr}"
    return [parse(line) for line in p.stdout.splitlines() if line.startswith("name=")], p


class Probe:
    """A running mxprobe reading names on stdin: one cache for the test."""

    def __init__(self, exe, **opts):
        self.proc = subprocess.Popen(probe_args(exe, **opts), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, bufsize=1)

    def lookup(self, name):
        self.proc.stdin.write(name + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, f"mxprobe died:\n{self.proc.stderr.read()}"
        return parse(line)

    def close(self):
        self.proc.stdin.close()
        rc = self.proc.wait(timeout=10)
        err = self.proc.stderr.read()
        self.proc.stdout.close()
        self.proc.stderr.close()
        assert rc == 0, f"mxprobe exited {rc}:\n{err}"


@pytest.fixture(scope="module")
def mxprobe(smf_build):
    exe = os.path.join(smf_build, "tests", "mxprobe")
    if not os.access(exe, os.X_OK):
        pytest.fail(f"{exe} is missing: run `make tests` first")
    return exe


@pytest.fixture(scope="module")
def knot(workdir):
    k = Knot(os.path.join(workdir, "knot-resolver"),
             {"example.test": EXAMPLE_TEST, "broken.test": "this is no zone file\n"})
    k.start()
    yield k
    k.stop()


@pytest.fixture
def fake():
    f = FakeDNS().start()
    yield f
    f.stop()


@pytest.fixture
def probes():
    opened = []

    def make(exe, **opts):
        p = Probe(exe, **opts)
        opened.append(p)
        return p

    yield make
    for p in opened:
        p.close()


@pytest.mark.parametrize("name, result, kind, nmx, host", [
    ("ok.example.test", "ok", "answer", 1, SES_MX),
    ("OK.Example.Test.", "ok", "answer", 1, SES_MX),
    ("wrong.example.test", "wrong-host", "answer", 1, "mail.example.net"),
    ("multi.example.test", "multiple", "answer", 2, ""),
    ("null.example.test", "null-mx", "answer", 1, "."),
    ("nodata.example.test", "nodata", "nodata", 0, ""),
    ("nothere.example.test", "nxdomain", "nxdomain", 0, ""),
    ("cname.example.test", "ok", "answer", 1, SES_MX),
    ("x.broken.test", "servfail", "servfail", 0, ""),
])
def test_knot_every_state(mxprobe, knot, name, result, kind, nmx, host):
    (r,), _ = run_probe(mxprobe, [name], servers=knot.server)
    assert (r["result"], r["kind"], r["nmx"], r["host"]) == (result, kind, nmx, host), r


def test_knot_expected_any(mxprobe, knot):
    names = ["ok.example.test", "wrong.example.test", "multi.example.test",
             "null.example.test", "nodata.example.test"]
    rs, _ = run_probe(mxprobe, names, servers=knot.server, expected="any")
    assert [r["result"] for r in rs] == ["ok", "ok", "multiple", "null-mx", "nodata"]


def test_knot_ttls(mxprobe, knot):
    rs, _ = run_probe(mxprobe, ["ok.example.test", "cname.example.test",
                                "nothere.example.test", "nodata.example.test"],
                      servers=knot.server)
    # The record's 60 s; the CNAME's 30 s (the chain's minimum); the SOA's MINIMUM.
    assert [r["ttl"] for r in rs] == [60, 30, SOA_MINIMUM, SOA_MINIMUM]


def test_ttl_clamped(mxprobe, knot):
    names = ["ok.example.test", "nothere.example.test"]
    rs, _ = run_probe(mxprobe, names, servers=knot.server, min_ttl=100, max_ttl=1000)
    assert [r["ttl"] for r in rs] == [100, 100]
    rs, _ = run_probe(mxprobe, names, servers=knot.server, min_ttl=0, max_ttl=10)
    assert [r["ttl"] for r in rs] == [10, SOA_MINIMUM]
    # An answer is never cached past max_ttl, even when min_ttl asks for it.
    rs, _ = run_probe(mxprobe, names, servers=knot.server, min_ttl=0, max_ttl=0)
    assert [(r["result"], r["ttl"]) for r in rs] == [("ok", 0), ("nxdomain", 0)]


def test_negative_answers_cached(mxprobe, fake, probes):
    fake.nxdomain("gone.fake.test", soa_ttl=300, minimum=20)
    fake.nodata("www.fake.test", soa_ttl=15, minimum=300)
    fake.nxdomain("nosoa.fake.test")
    p = probes(mxprobe, servers=fake.server)
    first = [p.lookup(n) for n in ("gone.fake.test", "www.fake.test", "nosoa.fake.test")]
    assert [(r["result"], r["ttl"]) for r in first] == [
        ("nxdomain", 20), ("nodata", 15), ("nxdomain", 30)]
    again = [p.lookup(n) for n in ("gone.fake.test", "www.fake.test", "nosoa.fake.test")]
    assert [r["result"] for r in again] == ["nxdomain", "nodata", "nxdomain"]
    assert all(0 < r["ttl"] <= f["ttl"] for r, f in zip(again, first)), again
    assert fake.counts() == {"gone.fake.test": 1, "www.fake.test": 1, "nosoa.fake.test": 1}


def test_positive_answer_cached(mxprobe, fake, probes):
    fake.mx("ok.fake.test", SES_MX, ttl=120)
    p = probes(mxprobe, servers=fake.server)
    assert [p.lookup("ok.fake.test")["result"] for _ in range(3)] == ["ok"] * 3
    assert p.lookup("OK.FAKE.TEST.")["result"] == "ok"
    assert fake.count("ok.fake.test") == 1


def test_servfail_refused_and_closed_port(mxprobe, fake):
    fake.servfail("sf.fake.test")
    fake.refused("acl.fake.test")
    rs, _ = run_probe(mxprobe, ["sf.fake.test", "acl.fake.test"], servers=fake.server,
                      timeout=300)
    assert [(r["result"], r["kind"], r["ttl"]) for r in rs] == [
        ("servfail", "servfail", 5), ("servfail", "refused", 5)]
    # Both tries reached the server: a SERVFAIL is not from a dead port.
    assert fake.count("sf.fake.test") == 2

    closed = f"127.0.0.1:{free_udp_port()}"
    (r,), _ = run_probe(mxprobe, ["sf.fake.test"], servers=closed, timeout=300)
    assert (r["result"], r["kind"]) == ("timeout", "timeout"), r
    # The port's ICMP error ends each try at once, no waiting for timeouts.
    assert r["ms"] < 300, r


def test_failover_past_closed_port_and_servfail(mxprobe, fake):
    fake.mx("ok.fake.test", SES_MX)
    closed = f"127.0.0.1:{free_udp_port()}"
    (r,), _ = run_probe(mxprobe, ["ok.fake.test"], servers=f"{closed},{fake.server}")
    assert r["result"] == "ok", r

    broken = FakeDNS().start()
    try:
        broken.default = ("servfail",)
        (r,), _ = run_probe(mxprobe, ["ok.fake.test"], servers=f"{broken.server},{fake.server}")
        assert r["result"] == "ok", r
        assert broken.count("ok.fake.test") == 1
        # Every server fails: the SERVFAIL is what is reported, not the dead port.
        (r,), _ = run_probe(mxprobe, ["x.fake.test"], servers=f"{closed},{broken.server}",
                            timeout=300)
        assert (r["result"], r["kind"]) == ("servfail", "servfail"), r
    finally:
        broken.stop()


def test_unqueryable_names(mxprobe, fake):
    """A name the resolver cannot query is its own fault, "internal", never
    NXDOMAIN (which RejectMessage would turn into a 550); no query is sent."""
    names = ["a..fake.test", "b\u00fccher.fake.test", "x" * 64 + ".fake.test", "sp ace.fake.test"]
    p = subprocess.run(probe_args(mxprobe, servers=fake.server), input="\n".join(names[:3]),
                       capture_output=True, text=True, timeout=30)
    rs = [parse(line) for line in p.stdout.splitlines()]
    assert [(r["result"], r["kind"], r["ttl"]) for r in rs] == [("internal", "internal", 0)] * 3
    (r,), _ = run_probe(mxprobe, names[3:], servers=fake.server)
    assert r["result"] == "internal", r
    assert fake.counts() == {}


@pytest.mark.parametrize("servers, message", [
    ("not-an-address", "DNS servers 'not-an-address'"),
    (",".join(f"127.0.0.{i}:53" for i in range(1, 10)), "9 configured, expected 1 to 8"),
])
def test_bad_servers(mxprobe, servers, message):
    p = subprocess.run(probe_args(mxprobe, servers=servers) + ["ok.example.test"],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 1 and message in p.stderr, p.stderr


def test_ipv6_server(mxprobe):
    fake6 = FakeDNS("::1").start()
    try:
        fake6.mx("v6.fake.test", SES_MX)
        closed = f"127.0.0.1:{free_udp_port()}"
        (r,), _ = run_probe(mxprobe, ["v6.fake.test"], servers=f"{closed},{fake6.server}")
        assert r["result"] == "ok", r
        assert fake6.count("v6.fake.test") == 1
    finally:
        fake6.stop()


@pytest.mark.parametrize("timeout, tries", [(200, 2), (200, 3)])
def test_timeout_bounded(mxprobe, fake, probes, timeout, tries):
    """No answer: the lookup gives up after timeout x tries (+ the margin)
    even where c-ares, doubling its timeout per round, would go on (3 tries:
    200 + 400 + 800 ms); then the verdict is cached for a few seconds."""
    fake.drop("dead.fake.test")
    p = probes(mxprobe, servers=fake.server, timeout=timeout, tries=tries)
    r = p.lookup("dead.fake.test")
    assert (r["result"], r["kind"], r["ttl"]) == ("timeout", "timeout", 5), r
    bound = timeout * tries + MARGIN_MS
    assert timeout * tries * 0.9 <= r["ms"] <= bound + SLACK_MS, r
    r = p.lookup("dead.fake.test")
    assert r["result"] == "timeout" and r["ms"] < 50, r


def test_slow_answer(mxprobe, fake, probes):
    fake.mx("slow.fake.test", SES_MX, delay=0.3)
    (r,), _ = run_probe(mxprobe, ["slow.fake.test"], servers=fake.server, timeout=1000, tries=1)
    assert r["result"] == "ok" and 300 <= r["ms"] < 1000, r


def test_late_answer_still_cached(mxprobe, fake, probes):
    """The caller gives up at 3 x 300 + 250 ms, c-ares keeps trying until
    300 + 600 + 1200 ms; the answer at 1.5 s lands in the cache."""
    fake.mx("late.fake.test", SES_MX, delay=1.5)
    p = probes(mxprobe, servers=fake.server, timeout=300, tries=3, transient=1)
    r = p.lookup("late.fake.test")
    assert r["result"] == "timeout" and r["ms"] < 1500, r
    time.sleep(max(0.0, 1.9 - r["ms"] / 1000))
    sent = fake.count("late.fake.test")
    r = p.lookup("late.fake.test")
    assert r["result"] == "ok" and r["ms"] < 50, r
    assert fake.count("late.fake.test") == sent


def _variant(mxprobe, variant):
    """(mxprobe, env) for the plain build or the ThreadSanitizer one."""
    if variant == "plain":
        return mxprobe, None
    base = os.environ.get("SMF_TSAN_BUILD") or os.path.join(ROOT, "build", "tsan")
    exe = os.path.join(base, "tests", "mxprobe")
    if not os.access(exe, os.X_OK):
        pytest.skip(f"{exe} not built (see this module's docstring)")
    opts = "halt_on_error=1 exitcode=66 second_deadlock_stack=1"
    supp = os.path.join(ROOT, "tests", "tsan.supp")
    if os.path.exists(supp):
        opts += f" suppressions={supp}"
    return exe, dict(os.environ, TSAN_OPTIONS=opts)


@pytest.mark.parametrize("variant", ["plain", "tsan"])
def test_parallel_lookups_share_one_query(mxprobe, fake, variant):
    exe, env = _variant(mxprobe, variant)
    fake.mx("cold.fake.test", SES_MX, delay=0.3)
    fake.servfail("coldfail.fake.test", delay=0.2)
    rs, p = run_probe(exe, ["cold.fake.test", "coldfail.fake.test"], env=env,
                      servers=fake.server, threads=200, timeout=2000, tries=1)
    assert "ThreadSanitizer" not in p.stderr, p.stderr
    assert len(rs) == 400
    assert {r["result"] for r in rs if r["name"] == "cold.fake.test"} == {"ok"}
    assert {r["result"] for r in rs if r["name"] == "coldfail.fake.test"} == {"servfail"}
    assert fake.count("cold.fake.test") == 1
    assert fake.count("coldfail.fake.test") == 1


@pytest.mark.parametrize("variant", ["plain", "tsan"])
def test_stress_hits_misses_evictions(mxprobe, fake, variant):
    """20 threads going round 13 names in a cache of 4: answers with TTL 0
    (a new query whenever the last one is answered), SERVFAILs, a dead name
    with short timeouts, a slow one; hits, misses, shared waits, timeouts
    and evictions all race, and meanwhile the resolver is replaced 30 times
    as a reload does, each lookup holding its own reference."""
    exe, env = _variant(mxprobe, variant)
    names = {}
    for i in range(8):
        fake.mx(f"z{i}.fake.test", SES_MX, ttl=0)
        names[f"z{i}.fake.test"] = "ok"
    for i in range(3):
        fake.servfail(f"f{i}.fake.test")
        names[f"f{i}.fake.test"] = "servfail"
    fake.drop("d0.fake.test")
    names["d0.fake.test"] = "timeout"
    fake.mx("slow.fake.test", "mail.example.net", ttl=1, delay=0.05)
    names["slow.fake.test"] = "wrong-host"
    p = subprocess.run(probe_args(exe, servers=fake.server, timeout=100, tries=1,
                                  transient=1, threads=20)
                       + ["-c", "4", "-b", "300", "-R", "30"] + list(names),
                       capture_output=True, text=True, timeout=120, env=env)
    assert p.returncode == 0 and "ThreadSanitizer" not in p.stderr, p.stderr
    rs = [parse(line) for line in p.stdout.splitlines() if line.startswith("name=")]
    assert len(rs) == 20 * len(names)
    assert all(r["result"] == names[r["name"]] for r in rs), rs
    assert "bench names=13 threads=20 lookups=6000 reloads=30" in p.stdout


def test_changed_record_seen_after_ttl(mxprobe, knot, probes):
    """short.example.test has a 2 s TTL: a change in the zone is not seen
    while the cached answer lives, and is seen once it has expired."""
    p = probes(mxprobe, servers=knot.server)
    t0 = time.monotonic()
    r = p.lookup("short.example.test")
    assert (r["result"], r["ttl"]) == ("ok", 2), r
    changed = EXAMPLE_RECORDS.replace(f"short     2 IN MX    10 {SES_MX}.",
                                      "short     2 IN MX    10 mail.example.net.")
    assert changed != EXAMPLE_RECORDS
    try:
        knot.set_zone("example.test", make_zone("example.test", changed, serial=2))
        assert str(knot.query("short.example.test").rr[0].rdata.label) == "mail.example.net."
        r = p.lookup("short.example.test")
        assert time.monotonic() - t0 < 1.9, "too slow to check the cache before expiry"
        assert r["result"] == "ok" and r["ttl"] <= 2, r
        time.sleep(max(0.0, t0 + 2.05 - time.monotonic()))
        r = p.lookup("short.example.test")
        assert (r["result"], r["host"]) == ("wrong-host", "mail.example.net"), r
    finally:
        knot.set_zone("example.test", make_zone("example.test", EXAMPLE_RECORDS, serial=3))
