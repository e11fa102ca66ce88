# SPDX-License-Identifier: BSD-2-Clause
"""harness.fake_ses: run the fake SES server (fake_ses_server.py beside
this file) from a test and drive it.

    from harness.fake_ses import FakeSES

    with FakeSES(rate=0) as ses:
        ses.verify_identity("example.com")
        ses.inject("500", count=2)
        ...  # point the code under test at ses.endpoint_url
        assert len(ses.log()) == 3

The server runs as a subprocess of Debian's /usr/bin/python3 (it needs
python3-botocore) on 127.0.0.1, on a free port it announces on its first
stdout line.  Control calls are plain JSON over HTTP.  Importing this
module imports fake_ses_server (for max_per_window), so it needs botocore like the
server does.
"""

import http.client
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
import urllib.parse

from .fake_ses_server import max_per_window  # noqa: F401  (re-exported for tests)

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "fake_ses_server.py")
PYTHON = "/usr/bin/python3"
AWS_CLI = "/usr/bin/aws"
REGION = "us-east-1"

# The key pair of the AWS SigV4 documentation; the server accepts it unless
# a test passes its own creds.
DEFAULT_ACCESS_KEY = "AKIDEXAMPLE"
DEFAULT_SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


class ControlError(Exception):
    """The control API refused a call (HTTP status and its error text)."""

    def __init__(self, status, message):
        super().__init__("%d: %s" % (status, message))
        self.status = status


def _cred_tuple(cred):
    if isinstance(cred, str):
        parts = cred.split(":", 2)
    else:
        parts = list(cred)
    if len(parts) == 2:
        parts.append(None)
    if len(parts) != 3 or not parts[0] or not parts[1]:
        raise ValueError("a credential is (akid, secret[, token])")
    return parts[0], parts[1], parts[2] or None


class FakeSES:
    """One fake SES server process and a client for its control API.

    creds: list of (akid, secret[, token]) or "AKID:SECRET[:TOKEN]" strings;
    the first one is what client(), aws_env() and run_aws() use.
    rate: SES requests per second (SES's own limit is 1; 0 turns it off).
    """

    def __init__(self, creds=None, rate=1, region=None, default_status=None,
                 disabled_shape=None, identities=(), ipv6=False,
                 extra_args=(), python=PYTHON, startup_timeout=10.0):
        self.creds = [_cred_tuple(c) for c in
                      (creds or [(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY)])]
        self.args = ["--port", "0", "--rate", str(rate), "--die-with-parent"]
        for akid, secret, token in self.creds:
            self.args += ["--cred", ":".join(
                [akid, secret] + ([token] if token else []))]
        if region:
            self.args += ["--region", region]
        if default_status:
            self.args += ["--default-status", default_status]
        if disabled_shape:
            self.args += ["--disabled-shape", disabled_shape]
        for identity in identities:
            self.args += ["--identity", identity]
        if ipv6:
            self.args.append("--ipv6")
        self.args += list(extra_args)
        self.python = python
        self.startup_timeout = startup_timeout
        self.host = "127.0.0.1"
        self.port = None
        self.proc = None
        self.workdir = None

    # -- process ---------------------------------------------------------

    def start(self):
        self.workdir = tempfile.mkdtemp(prefix="fake-ses-")
        self.stderr_path = os.path.join(self.workdir, "server.stderr")
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(
                [self.python, SERVER] + self.args, stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=err, close_fds=True)
        line = b""
        deadline = time.monotonic() + self.startup_timeout
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            ready = select.select([self.proc.stdout], [], [], max(left, 0))[0]
            chunk = os.read(self.proc.stdout.fileno(), 64) if ready else b""
            if not chunk:
                why = self.stderr_text
                self.stop()
                raise RuntimeError("fake SES did not start: " + why)
            line += chunk
        self.port = int(line.split(b"\n")[0])
        return self

    def stop(self):
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.terminate()
                try:
                    self.proc.wait(5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            self.proc.stdout.close()
            self.proc = None
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def stderr_text(self):
        try:
            with open(self.stderr_path, errors="replace") as err:
                return err.read()
        except OSError:
            return ""

    @property
    def endpoint_url(self):
        return "http://%s:%d" % (self.host, self.port)

    @property
    def access_key(self):
        return self.creds[0][0]

    @property
    def secret_key(self):
        return self.creds[0][1]

    @property
    def session_token(self):
        return self.creds[0][2]

    # -- control API -------------------------------------------------------

    def control(self, method, route, payload=None):
        """One control call; returns the decoded JSON answer."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            body = None if payload is None else json.dumps(payload)
            conn.request(method, "/_control/" + route, body,
                         {"Content-Type": "application/json"})
            resp = conn.getresponse()
            answer = json.loads(resp.read() or b"null")
        finally:
            conn.close()
        if resp.status != 200:
            raise ControlError(resp.status, (answer or {}).get("error", ""))
        return answer

    def health(self):
        return self.control("GET", "health")

    def reset(self):
        """Forget identities, statuses, faults and the log; restore config."""
        return self.control("POST", "reset")

    def state(self):
        return self.control("GET", "state")

    def verify_identity(self, identity, mail_from_domain=None, behavior=None,
                        status=None, verification=None):
        """Make an identity known, optionally with its MAIL FROM settings
        and its own VerificationStatus (default Success)."""
        item = {"identity": identity}
        if verification is not None:
            item["verification"] = verification
        if mail_from_domain is not None:
            item["mail_from_domain"] = mail_from_domain
        if behavior is not None:
            item["behavior"] = behavior
        if status is not None:
            item["status"] = status
        return self.control("POST", "identities", item)["identities"][0]

    def forget_identity(self, identity):
        return self.control("DELETE", "identities/" +
                            urllib.parse.quote(identity, safe=""))

    def identity(self, identity):
        """The server's record of one identity, or None."""
        for record in self.state()["identities"]:
            if record["identity"] == identity:
                return record
        return None

    def set_status(self, domain, status):
        """MailFromDomainStatus Get reports for this MAIL FROM domain."""
        return self.control("POST", "status", {"domain": domain, "status": status})

    def set_verification(self, identity, status):
        """VerificationStatus GetIdentityVerificationAttributes reports for
        a known identity (Pending, Success, Failed, TemporaryFailure,
        NotStarted)."""
        return self.control("POST", "verification",
                            {"identity": identity, "status": status})

    def set_default_status(self, status):
        return self.control("POST", "status", {"status": status})

    def inject(self, kind, count=1, action=None, seconds=None, code=None,
               status=None, message=None, type=None, body=None, process=False,
               size=None):
        """Queue a fault for the next `count` requests (of `action`, if given).

        kind: 500, 503, 500-nonxml (body: the page sent), throttle, hang,
        drop, slow-body, delay (seconds: how long), error (code, status,
        message; message None leaves the element out; type Sender/Receiver),
        bad-xml (a 200 whose XML is cut in half, or body), huge-body (a
        chunked 200 of size bytes, default 100 MiB), drip (one byte of the
        answer every `seconds`, default 1).
        process: for hang/drop, apply the request before giving no answer.
        A server that refuses or black-holes connections is not a fault of
        this one: see harness.faults.
        """
        spec = {"kind": kind, "count": count, "action": action,
                "process": process}
        for name, value in (("seconds", seconds), ("code", code),
                            ("status", status), ("message", message),
                            ("type", type), ("body", body), ("size", size)):
            if value is not None:
                spec[name] = value
        return self.control("POST", "faults", spec)["faults"][0]

    def faults(self):
        return self.control("GET", "faults")

    def clear_faults(self):
        return self.control("DELETE", "faults")

    def log(self, since=0, action=None):
        """API requests received, oldest first (optionally of one action)."""
        entries = self.control("GET", "log?since=%d" % since)
        return [e for e in entries if action is None or e["action"] == action]

    def clear_log(self):
        return self.control("DELETE", "log")

    def stats(self):
        return self.control("GET", "stats")

    def configure(self, **settings):
        """rate, clock_offset (seconds added to the server clock), region,
        disabled_shape ('absent' or 'empty')."""
        return self.control("POST", "config", settings)

    def add_cred(self, access_key, secret, token=None):
        return self.control("POST", "creds", {"access_key": access_key,
                                              "secret": secret, "token": token})

    def wait_for(self, predicate, timeout=10.0):
        """Poll the log until predicate(log) is true; returns the log."""
        deadline = time.monotonic() + timeout
        while True:
            entries = self.log()
            if predicate(entries) or time.monotonic() > deadline:
                return entries
            time.sleep(0.05)

    # -- clients -------------------------------------------------------------

    def client(self, max_attempts=1, read_timeout=10, connect_timeout=5,
               access_key=None, secret_key=None, session_token=None,
               region=REGION):
        """A botocore SES client for this server (max_attempts 1: no retry)."""
        import botocore.config
        import botocore.session

        session = botocore.session.get_session()
        return session.create_client(
            "ses", region_name=region, endpoint_url=self.endpoint_url,
            aws_access_key_id=access_key or self.access_key,
            aws_secret_access_key=secret_key or self.secret_key,
            aws_session_token=session_token or self.session_token,
            config=botocore.config.Config(
                retries={"mode": "standard",
                         "total_max_attempts": max_attempts},
                read_timeout=read_timeout, connect_timeout=connect_timeout))

    def aws_env(self, home=None, max_attempts=3, **extra):
        """A closed environment for /usr/bin/aws: private HOME and AWS files,
        this server's first credential, no instance metadata."""
        home = home or os.path.join(self.workdir, "home")
        os.makedirs(os.path.join(home, ".aws"), exist_ok=True)
        config = os.path.join(home, ".aws", "config")
        credentials = os.path.join(home, ".aws", "credentials")
        for path in (config, credentials):
            if not os.path.exists(path):
                open(path, "w").close()
        env = {
            "PATH": "/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8",
            "AWS_CONFIG_FILE": config,
            "AWS_SHARED_CREDENTIALS_FILE": credentials,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_MAX_ATTEMPTS": str(max_attempts),
            "AWS_RETRY_MODE": "standard",
            "AWS_PAGER": "",
        }
        if self.session_token:
            env["AWS_SESSION_TOKEN"] = self.session_token
        env.update({k: str(v) for k, v in extra.items()})
        return env

    def run_aws(self, *args, env=None, timeout=60, **env_settings):
        """Run `/usr/bin/aws ARGS --endpoint-url URL`; CompletedProcess, text.

        env_settings go to aws_env() (max_attempts=..., AWS_...=...).
        """
        return subprocess.run(
            [AWS_CLI] + list(args) + ["--endpoint-url", self.endpoint_url],
            env=env or self.aws_env(**env_settings), stdin=subprocess.DEVNULL,
            capture_output=True, text=True, timeout=timeout)
