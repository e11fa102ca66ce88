# SPDX-License-Identifier: BSD-2-Clause
"""SIGTERM ends the daemon within 2 seconds whatever SES, the credential
sources or DNS do (issue 11, item 2).

Each test starts the daemon with the synchroniser pointed at a fault of
its own making, waits until the synchroniser is inside the fault, sends
SIGTERM and measures until the process has exited (0). The faults: an SES
endpoint that accepts and never answers, one that drips its body a byte
at a time, one that refuses (so the client sleeps between attempts),
SES's 1-request-per-second pacing at its slowest, instance metadata,
container and STS credential endpoints that never answer, a
credential_process that hangs (it must be killed too) and a DNS server that never answers
the synchroniser's MX check.

Every server here is the test's own, on 127.0.0.1."""

import os
import socket
import threading
import time

import pytest

from harness.fake_ses import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, FakeSES

STOP_LIMIT = 2.0
SYNC_STARTED = r"SES: synchroniser started"


# -- the faults -------------------------------------------------------------

class Server:
    """A TCP server on 127.0.0.1 whose connections HANDLER(conn) serves,
    each on a thread of its own; `accepted` counts connections."""

    def __init__(self, handler):
        self.handler = handler
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.accepted = threading.Event()
        self.conns = []
        self.closing = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.closing:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(conn)
            self.accepted.set()
            threading.Thread(target=self._run, args=(conn,), daemon=True).start()

    def _run(self, conn):
        try:
            self.handler(self, conn)
        except OSError:
            pass

    def close(self):
        self.closing = True
        self.sock.close()
        for c in self.conns:
            c.close()


def black_hole(server, conn):
    """Reads whatever comes and never answers."""
    while not server.closing and conn.recv(4096):
        pass


def slow_drip(server, conn):
    """Answers the headers, then one body byte every 300 ms."""
    conn.recv(65536)
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n"
                 b"Content-Length: 100000\r\n\r\n")
    while not server.closing:
        conn.sendall(b" ")
        time.sleep(0.3)


@pytest.fixture
def servers():
    made = []

    def make(handler):
        s = Server(handler)
        made.append(s)
        return s
    yield make
    for s in made:
        s.close()


@pytest.fixture
def home(tmp_path):
    h = tmp_path / "home"
    (h / ".aws").mkdir(parents=True)
    for name in ("config", "credentials"):
        (h / ".aws" / name).write_text("")
    return h


@pytest.fixture
def aws_env(monkeypatch, home):
    """A closed AWS environment for the daemon (it inherits the test's):
    static keys unless a test takes them away; the client's retry
    delays as in production (SES_RETRY_BASE_MS unset)."""
    for k in list(os.environ):
        if k.startswith("AWS_") or k == "SES_RETRY_BASE_MS":
            monkeypatch.delenv(k)
    env = {
        "HOME": str(home),
        "AWS_CONFIG_FILE": str(home / ".aws" / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / ".aws" / "credentials"),
        "AWS_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": DEFAULT_SECRET_KEY,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return monkeypatch


def conf(endpoint, dns, **ses):
    return {"ses": {"sync": "yes", "endpoint": endpoint, "sync_interval": "1h",
                    "rate": ses.pop("rate", 100), **ses},
            "dns": dns,
            "identity example.com": {"mail_from_domain": "bounce.example.com"}}


def stop_time(m):
    """SIGTERM to exit, in seconds; the daemon must exit 0."""
    started = time.monotonic()
    m.stop(timeout=30)
    return time.monotonic() - started


def assert_prompt(m):
    elapsed = stop_time(m)
    print(f"SIGTERM to exit: {elapsed:.3f} s")
    assert elapsed < STOP_LIMIT, f"SIGTERM took {elapsed:.2f} s"


def wait_for(event, what, timeout=10):
    assert event.wait(timeout), f"the daemon never reached {what}"


# -- SES ----------------------------------------------------------------------

@pytest.fixture
def no_dns():
    """The MX check answers at once (a refused DNS port), so that what a
    test measures is its own fault."""
    return {"servers": "127.0.0.1:1", "timeout_ms": 100, "tries": 1}


def test_stop_while_ses_never_answers(aws_env, milter, servers, no_dns):
    """Was 45 s: three attempts of 15 s each."""
    hole = servers(black_hole)
    m = milter(conf(hole.url, dns=no_dns))
    wait_for(hole.accepted, "SES")
    time.sleep(0.3)
    assert_prompt(m)


def test_stop_while_ses_drips(aws_env, milter, servers, no_dns):
    drip = servers(slow_drip)
    m = milter(conf(drip.url, dns=no_dns))
    wait_for(drip.accepted, "SES")
    time.sleep(0.5)
    assert_prompt(m)


def test_stop_between_attempts(aws_env, milter, servers, no_dns):
    """SES refuses: the client sleeps up to 1 s, 2 s, 4 s ... 20 s between
    attempts (ten of them here, so that the sleeps left add up to far more
    than the limit whatever the jitter), and the synchroniser 30 s between
    passes."""
    aws_env.setenv("AWS_MAX_ATTEMPTS", "10")
    hole = servers(black_hole)
    port = hole.port
    hole.close()  # refused from now on
    m = milter(conf(f"http://127.0.0.1:{port}/", dns=no_dns))
    m.wait_log(SYNC_STARTED)
    time.sleep(0.8)
    assert_prompt(m)


def test_stop_while_waiting_for_a_rate_slot(aws_env, milter, no_dns):
    """At rate = 0.05 the second request of a pass waits 21 s for its
    slot."""
    with FakeSES(rate=0) as fake:
        fake.verify_identity("example.com")
        m = milter(conf(fake.endpoint_url, rate=0.05, dns=no_dns))
        m.wait_log(r"SES: action=GetIdentityMailFromDomainAttributes ")
        time.sleep(0.3)
        assert_prompt(m)


# -- credential sources -------------------------------------------------------

def test_stop_while_instance_metadata_hangs(aws_env, milter, servers, no_dns):
    hole = servers(black_hole)
    for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_EC2_METADATA_DISABLED"):
        aws_env.delenv(k)
    aws_env.setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", hole.url)
    aws_env.setenv("AWS_METADATA_SERVICE_TIMEOUT", "60")
    m = milter(conf("http://127.0.0.1:1/", dns=no_dns))
    wait_for(hole.accepted, "the metadata endpoint")
    time.sleep(0.3)
    assert_prompt(m)


def test_stop_while_the_container_endpoint_hangs(aws_env, milter, servers, no_dns):
    hole = servers(black_hole)
    for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        aws_env.delenv(k)
    aws_env.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", hole.url + "creds")
    aws_env.setenv("AWS_METADATA_SERVICE_TIMEOUT", "60")
    m = milter(conf("http://127.0.0.1:1/", dns=no_dns))
    wait_for(hole.accepted, "the container endpoint")
    time.sleep(0.3)
    assert_prompt(m)


def test_stop_while_sts_hangs(aws_env, milter, home, servers, no_dns):
    """[ses] profile is a role assumed with the default profile's keys,
    from an STS endpoint that never answers."""
    hole = servers(black_hole)
    (home / ".aws" / "config").write_text(
        "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/r\n"
        "source_profile = default\n")
    (home / ".aws" / "credentials").write_text(
        f"[default]\naws_access_key_id = {DEFAULT_ACCESS_KEY}\n"
        f"aws_secret_access_key = {DEFAULT_SECRET_KEY}\n")
    for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        aws_env.delenv(k)
    aws_env.setenv("AWS_ENDPOINT_URL_STS", hole.url)
    m = milter(conf("http://127.0.0.1:1/", dns=no_dns, profile="role"))
    wait_for(hole.accepted, "STS")
    time.sleep(0.3)
    assert_prompt(m)


def test_stop_kills_a_hanging_credential_process(aws_env, milter, home, tmp_path,
                                                 no_dns):
    for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        aws_env.delenv(k)
    pidfile = tmp_path / "helper.pid"
    (home / ".aws" / "config").write_text(
        "[default]\ncredential_process = sh -c 'echo $$ > %s; exec sleep 600'\n"
        % pidfile)
    m = milter(conf("http://127.0.0.1:1/", dns=no_dns))
    deadline = time.monotonic() + 10
    while not (pidfile.exists() and pidfile.read_text().strip()):
        assert time.monotonic() < deadline, "credential_process never ran"
        time.sleep(0.05)
    pid = int(pidfile.read_text())
    time.sleep(0.3)
    assert_prompt(m)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


# -- DNS ----------------------------------------------------------------------

def test_stop_while_the_mx_check_waits_for_dns(aws_env, milter):
    """The synchroniser's MX check (after a good read of SES) against a
    DNS server that never answers would wait timeout_ms x tries + 250 ms,
    here 4.25 s: the stop ends the wait, and the synchroniser ends with it
    instead of being left behind."""
    with FakeSES(rate=0) as fake, \
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as dead:
        fake.verify_identity("example.com", mail_from_domain="bounce.example.com",
                             behavior="UseDefaultValue", status="Success")
        dead.bind(("127.0.0.1", 0))
        dns = {"servers": "127.0.0.1:%d" % dead.getsockname()[1],
               "timeout_ms": 2000, "tries": 2}
        m = milter(conf(fake.endpoint_url, dns=dns))
        dead.settimeout(10)
        dead.recvfrom(512)  # the MX query: the check waits now
        time.sleep(0.3)
        assert_prompt(m)
        assert "stopping without it" not in m.log.text()
        m.wait_log(r"SES: synchroniser stopped")
