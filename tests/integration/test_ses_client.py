# SPDX-License-Identifier: BSD-2-Clause
"""The SES client (ses/client.c) through tests/tools/ses_call, against the
fake SES (signatures checked by botocore, faults injected), against moto,
and side by side with /usr/bin/aws where the exact wording matters.

Run: SMF_BUILD=/work/main/build /usr/bin/python3 -m pytest -q \
         tests/integration/test_ses_client.py
Retry delays are scaled down with SES_RETRY_BASE_MS and the rate limiter
is off (--rate 0) except in the tests about it.
"""

import http.server
import json
import os
import shutil
import subprocess
import threading
import time
import datetime

import pytest

from harness.tls_ses import TLSSES


REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from harness.fake_ses import (DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY,  # noqa: E402
                     FakeSES, max_per_window)

SESSION_CRED = ("ASIACLIENTTEST", "client/session+SECRET", "IQoJb3JpZ2luX2VjEXAMPLE/TOKEN+=")
SET = "SetIdentityMailFromDomain"
GET = "GetIdentityMailFromDomainAttributes"
AWS_CLI = "/usr/bin/aws"
REFUSED_URL = "http://127.0.0.1:1/"
# An ASan build (SMF_BUILD=.../build/asan) must stay silent.
SANITIZER_REPORTS = ("AddressSanitizer", "LeakSanitizer", "runtime error:")
SANITIZER_ENV = ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS")


@pytest.fixture(scope="module")
def ses_call_bin(smf_build):
    path = os.path.join(smf_build, "tests", "ses_call")
    assert os.access(path, os.X_OK), f"{path} missing: run `make tests`"
    return path


@pytest.fixture(scope="module")
def server():
    with FakeSES(creds=[(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY), SESSION_CRED],
                 rate=0) as fake:
        yield fake


@pytest.fixture
def ses(server):
    server.reset()
    return server


@pytest.fixture
def home(tmp_path):
    path = tmp_path / "home"
    path.mkdir()
    return str(path)


class Run:
    """One ses_call run: rc, the JSON lines, stderr."""

    def __init__(self, proc, elapsed):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.elapsed = elapsed
        self.calls = [json.loads(line) for line in proc.stdout.splitlines()
                      if line.startswith("{")]
        for report in SANITIZER_REPORTS:
            assert report not in proc.stderr, proc.stderr

    @property
    def call(self):
        assert len(self.calls) == 1, self.stdout + self.stderr
        return self.calls[0]

    def attempt_lines(self):
        return [line for line in self.stderr.splitlines()
                if line.startswith("debug: ") and " attempt " in line]


def run_client(binary, home, *command, endpoint=None, creds=None, rate=0,
               options=(), env=None, timeout=60):
    """ses_call COMMAND with a closed environment: the given credentials
    (akid, secret[, token]) in AWS_*, no shared files, no IMDS."""
    e = {"PATH": "/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8",
         "AWS_EC2_METADATA_DISABLED": "true",
         "AWS_CONFIG_FILE": os.path.join(home, "config"),
         "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "credentials"),
         "SES_RETRY_BASE_MS": "10"}
    if creds is not None:
        e["AWS_ACCESS_KEY_ID"] = creds[0]
        e["AWS_SECRET_ACCESS_KEY"] = creds[1]
        if len(creds) > 2 and creds[2]:
            e["AWS_SESSION_TOKEN"] = creds[2]
    e.update({k: os.environ[k] for k in SANITIZER_ENV if k in os.environ})
    e.update(env or {})
    argv = [binary, "--region", "us-east-1", "--debug"]
    if endpoint:
        argv += ["--endpoint", endpoint]
    if rate is not None:
        argv += ["--rate", str(rate)]
    argv += list(options) + list(command)
    start = time.monotonic()
    proc = subprocess.run(argv, env=e, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=timeout)
    return Run(proc, time.monotonic() - start)


@pytest.fixture
def client(ses_call_bin, ses, home):
    """client(*command, **kw): ses_call against the fake, default creds."""
    def call(*command, **kw):
        kw.setdefault("endpoint", ses.endpoint_url)
        kw.setdefault("creds", (ses.access_key, ses.secret_key))
        return run_client(ses_call_bin, home, *command, **kw)
    return call


def header(entry, name):
    for key, value in entry["headers"]:
        if key.lower() == name.lower():
            return value
    return None


def signed_headers(entry):
    auth = header(entry, "Authorization")
    return auth.split("SignedHeaders=")[1].split(",")[0]


# -- calls and parameters ----------------------------------------------------

def test_set_get_disable_round_trip(client, ses):
    ses.verify_identity("example.com")
    r = client("set", "example.com", "bounce.example.com", "RejectMessage",
               "--", "get", "example.com", "--",
               "set", "example.com", "--", "get", "example.com")
    assert r.rc == 0, r.stdout + r.stderr
    set1, get1, set2, get2 = r.calls
    assert set1["ok"] and set1["attempts"] == 1 and set1["entries"] == []
    assert set1["request_id"] == ses.log()[0]["request_id"]
    assert get1["entries"] == [{
        "identity": "example.com", "mail_from_domain": "bounce.example.com",
        "status": "Pending", "behavior": "RejectMessage",
        "verification_status": None, "verification_token": None}]
    assert set2["ok"]
    assert get2["entries"] == [{
        "identity": "example.com", "mail_from_domain": None, "status": None,
        "behavior": "UseDefaultValue", "verification_status": None,
        "verification_token": None}]
    bodies = [e["body"] for e in ses.log()]
    assert bodies == [
        "Action=SetIdentityMailFromDomain&Version=2010-12-01&Identity=example.com"
        "&MailFromDomain=bounce.example.com&BehaviorOnMXFailure=RejectMessage",
        "Action=GetIdentityMailFromDomainAttributes&Version=2010-12-01"
        "&Identities.member.1=example.com",
        "Action=SetIdentityMailFromDomain&Version=2010-12-01&Identity=example.com",
        "Action=GetIdentityMailFromDomainAttributes&Version=2010-12-01"
        "&Identities.member.1=example.com",
    ]
    assert all(e["signature_ok"] for e in ses.log())


def test_parameters_in_order_and_headers(client, ses):
    ses.verify_identity("user+tag@example.com")
    r = client("call", SET, "BehaviorOnMXFailure=UseDefaultValue",
               "MailFromDomain=m x.example.com", "Identity=user+tag@example.com")
    assert r.call["ok"], r.stdout + r.stderr
    entry = ses.log()[0]
    assert entry["params"] == [
        ["Action", SET], ["Version", "2010-12-01"],
        ["BehaviorOnMXFailure", "UseDefaultValue"],
        ["MailFromDomain", "m x.example.com"],
        ["Identity", "user+tag@example.com"]]
    assert entry["body"].endswith("MailFromDomain=m+x.example.com"
                                  "&Identity=user%2Btag%40example.com")
    assert entry["signature_ok"] is True
    assert header(entry, "Content-Type") == \
        "application/x-www-form-urlencoded; charset=utf-8"
    assert header(entry, "Host") == "127.0.0.1:%d" % ses.port
    assert header(entry, "X-Amz-Security-Token") is None
    assert signed_headers(entry) == "content-type;host;x-amz-date"
    assert header(entry, "Authorization").startswith(
        "AWS4-HMAC-SHA256 Credential=%s/" % DEFAULT_ACCESS_KEY)
    assert "/us-east-1/ses/aws4_request," in header(entry, "Authorization")


def test_session_token_signed_and_sent(client, ses):
    ses.verify_identity("example.com")
    r = client("get", "example.com", creds=SESSION_CRED)
    assert r.rc == 0 and r.call["ok"], r.stdout + r.stderr
    entry = ses.log()[0]
    assert entry["access_key"] == SESSION_CRED[0]
    assert header(entry, "X-Amz-Security-Token") == "<redacted>"
    assert signed_headers(entry) == "content-type;host;x-amz-date;x-amz-security-token"
    assert entry["signature_ok"] is True
    # The same key without its token is refused by the fake: not retried.
    r = client("get", "example.com", creds=SESSION_CRED[:2])
    assert (r.call["kind"], r.call["code"], r.call["attempts"]) == \
        ("service", "InvalidClientTokenId", 1)


def test_empty_identity_list(client, ses):
    r = client("get")
    assert r.call["ok"] and r.call["entries"] == []
    assert ses.log()[0]["body"] == \
        "Action=GetIdentityMailFromDomainAttributes&Version=2010-12-01&Identities="


def test_get_in_batches_of_100(client, ses):
    ids = ["d%03d.example.com" % i for i in range(250)]
    known = {i for n, i in enumerate(ids) if n % 7 != 3}
    ses.control("POST", "identities",
                [{"identity": i, "mail_from_domain": "m." + i} for i in ids
                 if i in known])
    wanted = ids[:249] + [ids[5]]     # ids[5] again, in the last batch
    r = client("get", *wanted)
    assert r.rc == 0, r.stderr
    call = r.call
    assert call["attempts"] == 3
    assert [e["identity"] for e in call["entries"]] == \
        [i for i in ids[:249] if i in known]
    assert all(e["mail_from_domain"] == "m." + e["identity"]
               for e in call["entries"])
    log = ses.log()
    assert [len([p for p in e["params"] if p[0].startswith("Identities.member.")])
             for e in log] == [100, 100, 50]
    assert log[0]["params"][2] == ["Identities.member.1", ids[0]]
    assert log[1]["params"][2] == ["Identities.member.1", ids[100]]
    assert log[2]["params"][-1] == ["Identities.member.50", ids[5]]


def test_verification_in_batches_of_100(client, ses):
    """GetIdentityVerificationAttributes goes out as the MAIL FROM Get does:
    100 identities a request, merged in order, unknown ones left out."""
    ids = ["v%03d.example.com" % i for i in range(150)] + ["u@example.org"]
    statuses = ["Success", "Pending", "Failed", "TemporaryFailure", "NotStarted"]
    ses.control("POST", "identities",
                [{"identity": i, "verification": statuses[n % 5]}
                 for n, i in enumerate(ids) if n % 10 != 9])
    r = client("verification", *ids)
    assert r.rc == 0, r.stderr
    call = r.call
    assert call["attempts"] == 2
    want = [(i, statuses[n % 5]) for n, i in enumerate(ids) if n % 10 != 9]
    assert [(e["identity"], e["verification_status"]) for e in call["entries"]] == want
    tokens = {e["identity"]: e["verification_token"] for e in call["entries"]}
    assert tokens["u@example.org"] is None and tokens["v000.example.com"]
    assert all(e["mail_from_domain"] is None for e in call["entries"])
    log = ses.log()
    assert [e["action"] for e in log] == ["GetIdentityVerificationAttributes"] * 2
    assert [len([p for p in e["params"] if p[0].startswith("Identities.member.")])
            for e in log] == [100, 51]


# -- errors and retries --------------------------------------------------------

def test_wrong_secret_not_retried(client, ses):
    r = client("get", "example.com", creds=(ses.access_key, "wrong-secret"))
    c = r.call
    assert r.rc == 1
    assert (c["kind"], c["code"], c["http_status"], c["attempts"]) == \
        ("service", "SignatureDoesNotMatch", 403, 1)
    assert c["retries_exhausted"] is False
    assert c["message"].startswith("The request signature we calculated")
    assert len(ses.log()) == 1


def test_500_twice_then_success(client, ses):
    ses.verify_identity("example.com")
    ses.inject("500", count=2)
    r = client("set", "example.com", "bounce.example.com")
    assert r.rc == 0 and r.call["ok"] and r.call["attempts"] == 3
    log = ses.log()
    assert [e["status"] for e in log] == [500, 500, 200]
    assert log[-1]["signature_ok"] is True
    lines = r.attempt_lines()
    assert len(lines) == 3
    assert "attempt 1/3" in lines[0] and "HTTP 500 InternalFailure" in lines[0]
    assert "retrying in" in lines[0] and "retrying in" in lines[1]
    assert "attempt 3/3" in lines[2] and "HTTP 200" in lines[2]
    assert ses.identity("example.com")["mail_from_domain"] == "bounce.example.com"


def test_503_retried(client, ses):
    ses.inject("503")
    r = client("get", "example.com")
    assert r.call["ok"] and r.call["attempts"] == 2
    ses.inject("503", count=3)
    r = client("get", "example.com")
    c = r.call
    assert (c["kind"], c["code"], c["http_status"], c["attempts"],
            c["retries_exhausted"]) == ("service", "ServiceUnavailable", 503, 3, True)


def test_other_5xx_and_4xx_not_retried(client, ses):
    ses.inject("error", code="NotImplemented", status=501, message="no")
    r = client("get", "example.com")
    assert (r.call["code"], r.call["attempts"], r.call["retries_exhausted"]) == \
        ("NotImplemented", 1, False)
    ses.inject("error", code="InvalidParameterValue", status=400, message="a &lt; b")
    r = client("get", "example.com")
    assert (r.call["code"], r.call["message"], r.call["attempts"]) == \
        ("InvalidParameterValue", "a &lt; b", 1)
    ses.inject("error", code="RequestTimeout", status=400, message="slow")
    r = client("get", "example.com")
    assert r.call["ok"] and r.call["attempts"] == 2


def test_message_entities_decoded(client, ses):
    ses.inject("error", code="InvalidParameterValue", status=400,
               message="Identity <x&y> does not exist.")
    r = client("get", "x&y")
    assert r.call["message"] == "Identity <x&y> does not exist."


def test_nonxml_500_is_a_parse_error(client, ses):
    ses.inject("500-nonxml", count=3, body="not xml at all")
    r = client("get", "example.com")
    c = r.call
    assert (c["kind"], c["http_status"], c["attempts"], c["retries_exhausted"]) == \
        ("parse", 500, 1, False)
    assert c["body"] == "not xml at all"
    assert c["message"] == (
        "Unable to parse response (syntax error: line 1, column 0), invalid XML "
        "received. Further retries may succeed:\nb'not xml at all'")
    assert len(ses.log()) == 1


def test_html_500_is_a_generic_retried_error(client, ses):
    ses.inject("500-nonxml", count=3, body="  <html><body>oops</body></html>")
    r = client("get", "example.com")
    c = r.call
    assert (c["kind"], c["code"], c["message"], c["attempts"],
            c["retries_exhausted"]) == ("service", "500", "Internal Server Error", 3, True)
    ses.inject("500-nonxml", body="")
    r = client("get", "example.com")
    assert r.call["ok"] and r.call["attempts"] == 2


def test_throttling_exhausts_retries(client, ses):
    ses.inject("throttle", count=3)
    r = client("get", "example.com")
    c = r.call
    assert (c["kind"], c["code"], c["message"], c["http_status"], c["attempts"],
            c["retries_exhausted"]) == \
        ("service", "Throttling", "Rate exceeded", 400, 3, True)
    assert len(ses.log()) == 3
    assert "no attempts left" in r.attempt_lines()[-1]


def test_max_attempts_option_and_environment(client, ses):
    ses.inject("throttle", count=5)
    r = client("get", "example.com", env={"AWS_MAX_ATTEMPTS": "2"})
    assert (r.call["attempts"], r.call["retries_exhausted"]) == (2, True)
    r = client("get", "example.com", options=["--max-attempts", "4"],
               env={"AWS_MAX_ATTEMPTS": "2"})
    assert (r.call["attempts"], r.call["retries_exhausted"]) == (4, False)
    assert r.call["ok"]
    r = client("get", "example.com", env={"AWS_MAX_ATTEMPTS": "0"})
    assert r.rc == 3
    assert json.loads(r.stdout)["setup_error"] == (
        'Value provided to "max_attempts": 0 must be an integer greater than or '
        'equal to one.')


def test_non_retryable_error_on_last_attempt_counts_as_exhausted(client, ses):
    # botocore flags "reached max retries" whenever the last allowed
    # attempt fails, retryable or not (measured with /usr/bin/aws).
    ses.inject("error", code="InvalidParameterValue", status=400, message="bad")
    r = client("get", "example.com", options=["--max-attempts", "1"])
    assert (r.call["attempts"], r.call["retries_exhausted"]) == (1, True)
    ses.inject("500", count=2)
    ses.inject("error", code="InvalidParameterValue", status=400, message="bad")
    r = client("get", "example.com")
    assert (r.call["attempts"], r.call["retries_exhausted"]) == (3, True)
    ses.inject("500", count=1)
    ses.inject("error", code="InvalidParameterValue", status=400, message="bad")
    r = client("get", "example.com")
    assert (r.call["attempts"], r.call["retries_exhausted"]) == (2, False)


def test_request_expired_and_unknown_key_not_retried(client, ses):
    ses.configure(clock_offset=3600)
    r = client("get", "example.com")
    assert (r.call["code"], r.call["http_status"], r.call["attempts"]) == \
        ("RequestExpired", 400, 1)
    assert r.call["message"].startswith("Signature expired:")
    ses.configure(clock_offset=0)
    r = client("get", "example.com", creds=("AKIDUNKNOWN", "whatever"))
    assert (r.call["code"], r.call["http_status"], r.call["attempts"]) == \
        ("InvalidClientTokenId", 403, 1)
    assert len(ses.log()) == 2


def test_hang_is_a_read_timeout_retried_and_bounded(client, ses):
    ses.inject("hang", count=3, seconds=20)
    r = client("get", "example.com", options=["--timeout-ms", "700"])
    c = r.call
    assert (c["kind"], c["http_error"], c["attempts"], c["retries_exhausted"]) == \
        ("transport", "read-timeout", 3, True)
    assert c["message"] == 'Read timeout on endpoint URL: "%s/"' % ses.endpoint_url
    assert 3 * 0.7 <= r.elapsed < 3 * 0.7 + 2.5, r.elapsed
    assert len(ses.log()) == 3


def test_each_attempt_signed_again(client, ses):
    # The hang makes the second attempt leave at least a second later.
    ses.inject("hang", seconds=20, process=True)
    r = client("get", "example.com", options=["--timeout-ms", "1200"])
    assert r.call["ok"] and r.call["attempts"] == 2
    first, second = ses.log()
    assert header(first, "X-Amz-Date") != header(second, "X-Amz-Date")
    assert header(first, "Authorization") != header(second, "Authorization")
    assert first["signature_ok"] and second["signature_ok"]


class RotatingCreds(http.server.BaseHTTPRequestHandler):
    """A container credentials endpoint handing out a new key each call,
    valid 5 minutes: inside the refresh window, so every get refetches."""

    served = 0

    def do_GET(self):
        type(self).served += 1
        n = type(self).served
        expiry = (datetime.datetime.now(datetime.timezone.utc)
                  + datetime.timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = json.dumps({"AccessKeyId": "ASIAROTATE%d" % n,
                           "SecretAccessKey": "rotating-secret-%d" % n,
                           "Token": "rotating-token-%d" % n,
                           "Expiration": expiry}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_credentials_fetched_for_every_attempt(client, ses):
    for n in range(1, 6):
        ses.add_cred("ASIAROTATE%d" % n, "rotating-secret-%d" % n,
                     "rotating-token-%d" % n)
    RotatingCreds.served = 0
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RotatingCreds)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        ses.inject("drop", process=True)
        r = client("get", "example.com", creds=None, env={
            "AWS_CONTAINER_CREDENTIALS_FULL_URI":
                "http://127.0.0.1:%d/creds" % httpd.server_address[1]})
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert r.call["ok"] and r.call["attempts"] == 2, r.stdout + r.stderr
    first, second = ses.log()
    assert (first["access_key"], second["access_key"]) == ("ASIAROTATE1", "ASIAROTATE2")
    assert first["signature_ok"] and second["signature_ok"]
    assert "rotating-secret" not in r.stdout + r.stderr
    assert "rotating-token" not in r.stdout + r.stderr


def test_dropped_connection_is_closed_class(client, ses):
    ses.inject("drop")
    r = client("get", "example.com")
    assert r.call["ok"] and r.call["attempts"] == 2
    ses.inject("drop", count=3)
    r = client("get", "example.com")
    c = r.call
    assert (c["kind"], c["http_error"], c["attempts"], c["retries_exhausted"]) == \
        ("transport", "closed", 3, True)
    assert c["message"] == ("Connection was closed before we received a valid "
                            'response from endpoint URL: "%s/".' % ses.endpoint_url)


def test_connection_refused_is_connect_class(ses_call_bin, home):
    r = run_client(ses_call_bin, home, "get", "example.com", endpoint=REFUSED_URL,
                   creds=(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY))
    c = r.call
    assert (c["kind"], c["http_error"], c["attempts"], c["http_status"]) == \
        ("transport", "connect", 3, 0)
    assert c["message"] == 'Could not connect to the endpoint URL: "%s"' % REFUSED_URL


def test_no_credentials(ses_call_bin, home):
    r = run_client(ses_call_bin, home, "get", "example.com", endpoint=REFUSED_URL)
    c = r.call
    assert (c["kind"], c["attempts"], c["creds_status"]) == ("creds", 0, 1)
    assert c["message"] == ('Unable to locate credentials. You can configure '
                            'credentials by running "aws configure".')


# -- the rate limiter -----------------------------------------------------------

def test_rate_limit_across_threads(client, ses):
    ses.configure(rate=1)     # the fake throttles what SES would
    ses.verify_identity("example.com")
    ses.clear_log()
    r = client("get", "example.com", rate=1,
               options=["--threads", "3", "--repeat", "2"])
    assert r.rc == 0, r.stdout + r.stderr
    assert len(r.calls) == 6
    assert all(c["ok"] and c["attempts"] == 1 for c in r.calls)
    log = ses.log()
    assert len(log) == 6
    assert max_per_window(log) == 1
    monos = sorted(e["mono"] for e in log)
    assert all(b - a >= 1.0 for a, b in zip(monos, monos[1:]))
    assert r.elapsed < 5 * 1.05 + 3


def test_retry_waits_for_a_slot(client, ses):
    ses.inject("500")
    r = client("get", "example.com", rate=1)
    assert r.call["ok"] and r.call["attempts"] == 2
    first, second = ses.log()
    assert second["mono"] - first["mono"] >= 1.0
    assert "waited" in r.attempt_lines()[1]


def test_rate_zero_disables(client, ses):
    r = client("get", "example.com", rate=0, options=["--repeat", "5"])
    assert r.rc == 0 and len(r.calls) == 5
    assert r.elapsed < 2


# -- no secret anywhere ---------------------------------------------------------

def test_no_secret_in_any_output(ses_call_bin, ses, home):
    secret, token = SESSION_CRED[1], SESSION_CRED[2]
    ses.verify_identity("example.com")
    outputs = []

    def run(*command, creds=SESSION_CRED, endpoint=None, options=()):
        r = run_client(ses_call_bin, home, *command, creds=creds,
                       endpoint=endpoint or ses.endpoint_url,
                       options=["--timeout-ms", "500"] + list(options))
        outputs.append(r.stdout + r.stderr)
        return r

    run("set", "example.com", "bounce.example.com")
    run("get", "example.com", creds=(SESSION_CRED[0], "not-" + secret, token))
    run("get", "example.com", creds=(SESSION_CRED[0], secret, token + "x"))
    for kind in ("500", "503", "throttle", "drop", "hang"):
        ses.inject(kind, count=3)
        run("get", "example.com")
    ses.inject("500-nonxml")
    run("get", "example.com")
    ses.configure(clock_offset=-3600)
    run("get", "example.com")
    ses.configure(clock_offset=0)
    run("get", "example.com", endpoint=REFUSED_URL)
    run("get", "example.com", endpoint="https://127.0.0.1:%d/" % ses.port)
    text = "\n".join(outputs)
    assert text.count("debug: ") >= 20
    for needle in (secret, token, "not-" + secret, token + "x"):
        assert needle not in text
    assert "Authorization" not in text and "Signature=" not in text


# -- the same words as the AWS CLI -------------------------------------------------

CLI_CASES = {
    "no-message": dict(kind="error", code="InvalidParameterValue", status=400),
    "empty-message": dict(kind="error", code="InvalidParameterValue", status=400,
                          message=""),
    "non-xml": dict(kind="500-nonxml", body="it's <b>not</b> \"xml\"\t\x01\u00e9"),
    "last-attempt": dict(kind="error", code="ValidationError", status=400,
                         message="1 validation error"),
}


@pytest.mark.skipif(not os.access(AWS_CLI, os.X_OK), reason="no /usr/bin/aws")
@pytest.mark.parametrize("case", sorted(CLI_CASES))
def test_same_error_text_as_the_cli(client, ses, case):
    spec = dict(CLI_CASES[case])
    attempts = 1 if case == "last-attempt" else 3
    ses.inject(**spec)
    cli = ses.run_aws("ses", "get-identity-mail-from-domain-attributes",
                      "--identities", "example.com", max_attempts=attempts)
    cli_requests = len(ses.log())
    ses.clear_log()
    ses.inject(**spec)
    r = client("get", "example.com", options=["--max-attempts", str(attempts)])
    c = r.call
    assert c["attempts"] == cli_requests
    if c["kind"] == "service":
        retry = " (reached max retries: %d)" % (c["attempts"] - 1) \
            if c["retries_exhausted"] else ""
        text = ("An error occurred (%s) when calling the %s operation%s: %s"
                % (c["code"], GET, retry, c["message"]))
        assert cli.returncode == 254
    else:
        text = c["message"]
        assert cli.returncode == 255
    assert cli.stderr == "\n" + text + "\n"


# -- TLS --------------------------------------------------------------------------

@pytest.fixture
def tls_server(tmp_path):
    if shutil.which("openssl") is None:
        pytest.skip("no openssl")
    with TLSSES(tmp_path) as (url, cert):
        yield url, cert


def test_https_smoke(ses_call_bin, home, tls_server):
    url, cert = tls_server
    creds = (DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)
    r = run_client(ses_call_bin, home, "set", "example.com", endpoint=url,
                   creds=creds, options=["--ca-file", cert])
    assert r.call["ok"] and r.call["request_id"] == "tls-1", r.stdout + r.stderr
    r = run_client(ses_call_bin, home, "set", "example.com", endpoint=url,
                   creds=creds, options=["--no-verify"])
    assert r.call["ok"]
    r = run_client(ses_call_bin, home, "set", "example.com", endpoint=url,
                   creds=creds)
    c = r.call
    assert (c["kind"], c["http_error"], c["attempts"]) == ("transport", "tls", 3)
    assert c["message"].startswith("SSL validation failed for %s " % url)


def test_tls_to_a_plain_http_server_is_tls_class(client, ses):
    r = client("get", "example.com", endpoint="https://127.0.0.1:%d/" % ses.port)
    c = r.call
    assert (c["kind"], c["http_error"], c["attempts"]) == ("transport", "tls", 3)


# -- moto ------------------------------------------------------------------------

@pytest.fixture
def moto_client(ses_call_bin, moto_server, home):
    """moto_server: harness/fixtures_moto.py."""
    def call(*command, **kw):
        return run_client(ses_call_bin, home, *command, endpoint=moto_server,
                          creds=(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY), **kw)
    return call


def test_moto_set_get_disable(moto_client):
    r = moto_client("call", "VerifyDomainIdentity", "Domain=moto-a.example", "--",
                    "call", "VerifyEmailIdentity", "EmailAddress=u@moto-b.example")
    assert r.rc == 0, r.stdout + r.stderr
    r = moto_client("set", "moto-a.example", "bounce.moto-a.example", "RejectMessage",
                    "--", "get", "moto-a.example", "u@moto-b.example", "nope.example",
                    "--", "set", "moto-a.example",
                    "--", "get", "moto-a.example")
    assert r.rc == 0, r.stdout + r.stderr
    set1, get1, set2, get2 = r.calls
    assert set1["ok"] and set2["ok"]
    assert get1["entries"][0] == {
        "identity": "moto-a.example", "mail_from_domain": "bounce.moto-a.example",
        "status": "Success", "behavior": "RejectMessage",
        "verification_status": None, "verification_token": None}
    assert "nope.example" not in [e["identity"] for e in get1["entries"]]
    assert get2["entries"] == [{
        "identity": "moto-a.example", "mail_from_domain": None, "status": None,
        "behavior": "UseDefaultValue", "verification_status": None,
        "verification_token": None}]
    # moto knows GetIdentityVerificationAttributes too: all Success, in the
    # order the identities became known
    r = moto_client("verification", "u@moto-b.example", "nope.example",
                    "moto-a.example")
    assert r.rc == 0, r.stdout + r.stderr
    assert [(e["identity"], e["verification_status"], e["mail_from_domain"])
            for e in r.call["entries"]] == [
        ("moto-a.example", "Success", None), ("u@moto-b.example", "Success", None)]


def test_moto_errors(moto_client):
    r = moto_client("set", "unverified.example", "b.unverified.example")
    c = r.call
    assert (c["kind"], c["code"], c["http_status"], c["attempts"]) == \
        ("service", "InvalidParameterValue", 400, 1)
    assert c["message"] == "Identity 'unverified.example' does not exist."
    # moto fails with an HTML page (not XML) when disabling a setting that
    # was never set: a parse error, not retried.
    moto_client("call", "VerifyDomainIdentity", "Domain=moto-c.example")
    r = moto_client("set", "moto-c.example")
    c = r.call
    assert (c["kind"], c["http_status"], c["attempts"]) == ("parse", 500, 1)
    assert c["message"].startswith(
        "Unable to parse response (syntax error: line 1, column 0), invalid XML "
        "received. Further retries may succeed:\nb'<!doctype html>")
