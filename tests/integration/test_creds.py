# SPDX-License-Identifier: BSD-2-Clause
"""The SES library's I/O edge, driven through build/tests/creds_probe and
build/tests/http_probe: the credentials chain (environment, assume-role
profiles and web identity against a fake STS and moto's, shared files,
container endpoint, IMDSv2, refresh before expiry), region and endpoint
resolution, and the HTTP transport's error classes over plain and TLS
connections to local servers. Every probe runs with --debug or a secret
header, and no secret may show up in anything it prints."""

import datetime
import hashlib
import http.server
import json
import shlex
import os
import pty
import socket
import ssl
import struct
import subprocess
import threading
import time

import pytest

from harness.fake_sts import (FakeSSO, FakeSTS, expected, sso_expected, SECRET_PREFIX,
                              SSO_SECRET_PREFIX, SSO_TOKEN_PREFIX, TOKEN_PREFIX)

# Every secret the tests hand to the code under test.
ENV_SECRET = "EnvSecret/0123456789abcdefghijKLMN+"
ENV_TOKEN = "EnvSessionToken0123456789ABCDEF=="
FILE_SECRET = "FileSecret/zyxwvutsrq9876543210+ab"
FILE_TOKEN = "FileSessionToken" + "Q" * 1200 + "=="
PROFILE_SECRET = "ProfSecret/AAAABBBBCCCCDDDDEEEE+1"
CONFIG_SECRET = "CfgSecret/qwertyuiopasdfghjkl+2"
CONT_SECRET = "ContainerSecret/0a1b2c3d4e5f6g7h+3"
CONT_TOKEN = "ContainerSessionToken/abcdefgh=="
AUTH_TOKEN = "ContainerAuthToken-7f3e9a1b2c"
AUTH_TOKEN_FILE_VALUE = "ContainerAuthFromFile-55aa66bb"
IMDS_SECRET = "ImdsSecret/9z8y7x6w5v4u3t2s+4"
IMDS_TOKEN = "ImdsSessionToken/IQoJb3JpZ2luX2Vj=="
IMDS_API_TOKEN = "ImdsApiToken-AQAEAFooBarBaz=="
HTTP_AUTH = "AWS4-HMAC-SHA256 Credential=AKID/x, Signature=HttpSecretSig0123"
HTTP_TOKEN = "HttpSecurityToken/0123456789=="
WEB_TOKEN = "eyJhbGciOiJSUzI1NiIsImtpZCI6IkVLUyJ9.WebIdentityJwtBody.Sig0"
WEB_TOKEN_ROTATED = "eyJhbGciOiJSUzI1NiIsImtpZCI6IlJPVCJ9.RotatedJwtBody.Sig1"
PROC_SECRET = "ProcessSecret/RolesAnywhere0123+5"
PROC_TOKEN = "ProcessSessionToken/IQoJb3JpZ2luX2Vj=="
SSO_ACCESS_TOKEN = "aoaAAAAAGZSsoAccessToken0123456789:MGUCMQD+"
SSO_LEGACY_TOKEN = "aoaAAAAAGZSsoLegacyToken9876543210:MGUCMQC+"
SECRETS = [SSO_ACCESS_TOKEN, SSO_LEGACY_TOKEN, SSO_SECRET_PREFIX, SSO_TOKEN_PREFIX,
           PROC_SECRET, PROC_TOKEN, WEB_TOKEN, WEB_TOKEN_ROTATED, SECRET_PREFIX, TOKEN_PREFIX,
           ENV_SECRET, ENV_TOKEN, FILE_SECRET, FILE_TOKEN, PROFILE_SECRET,
           CONFIG_SECRET, CONT_SECRET, CONT_TOKEN, AUTH_TOKEN,
           AUTH_TOKEN_FILE_VALUE, IMDS_SECRET, IMDS_TOKEN, IMDS_API_TOKEN,
           HTTP_AUTH, HTTP_TOKEN]

NOT_FOUND = ('Unable to locate credentials. You can configure credentials '
             'by running "aws configure".')


def sha(s):
    return hashlib.sha256(s.encode()).hexdigest()


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def iso(seconds_ahead):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds_ahead)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def assert_no_secret(text):
    for s in SECRETS:
        assert s not in text, f"secret {s[:12]}... leaked"
        # A long token could be cut by a bounded buffer: check a prefix too.
        assert s[:24] not in text, f"part of secret {s[:12]}... leaked"


class Result:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.gets = []
        self.info = {}
        for line in proc.stdout.splitlines():
            k, _, v = line.partition("=")
            if k == "source":
                self.gets.append({})
            if k in ("source", "access_key_id", "secret_sha256", "token",
                     "token_sha256", "expiration") and self.gets:
                self.gets[-1][k] = v
            else:
                self.info[k] = v

    @property
    def first(self):
        return self.gets[0]


@pytest.fixture
def probe(smf_build, tmp_path):
    """Runs creds_probe with --debug in a clean environment: HOME is empty,
    IMDS points at a closed loopback port, no proxy variables."""
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)

    def run(*args, env=None):
        e = {"PATH": os.environ["PATH"], "HOME": str(home),
             "AWS_EC2_METADATA_SERVICE_ENDPOINT": f"http://127.0.0.1:{closed_port()}"}
        e.update(env or {})
        e = {k: v for k, v in e.items() if v is not None}
        p = subprocess.run([os.path.join(smf_build, "tests", "creds_probe"), "--debug", *args],
                           env=e, capture_output=True, text=True, timeout=30)
        run.log.append(p.stdout + p.stderr)
        assert "DEBUG creds:" in p.stderr
        assert_no_secret(p.stdout + p.stderr)
        return Result(p)

    run.home = home
    run.log = []
    return run


def write(path, text):
    path.write_text(text)
    return str(path)


CREDENTIALS = f"""# shared credentials
[default]
aws_access_key_id = AKIDFILEDEFAULT
aws_secret_access_key = {FILE_SECRET}
aws_session_token = {FILE_TOKEN}

[prod]
aws_access_key_id=AKIDFILEPROD
aws_secret_access_key={PROFILE_SECRET}
"""

CONFIG = f"""[default]
region = eu-west-1
s3 =
  max_concurrent_requests = 10
[profile x]
region = ap-southeast-2
aws_access_key_id = AKIDCONFIGX
aws_secret_access_key = {CONFIG_SECRET}
[profile prod]
region = us-west-2
"""


# ---------------------------------------------------------------- fakes

class _Quiet(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body, ctype="application/json"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class FakeServer:
    """A threaded HTTP server on loopback whose handler calls
    self.handle(request_handler, method)."""

    def __init__(self):
        fake = self

        class H(_Quiet):
            def do_GET(self):
                fake.dispatch(self, "GET")

            def do_PUT(self):
                fake.dispatch(self, "PUT")

            def do_POST(self):
                fake.dispatch(self, "POST")

        self.requests = []
        self.lock = threading.Lock()
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,),
                                       daemon=True)

    def dispatch(self, h, method):
        n = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(n) if n else b""
        with self.lock:
            self.requests.append((method, h.path, dict(h.headers), body))
        self.handle(h, method, body)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class FakeContainer(FakeServer):
    """The ECS/EKS credential endpoint: GET /creds with the expected
    Authorization header; each answer has a new AccessKeyId."""

    def __init__(self, auth=None, expires_in=3600, fail_after=None):
        super().__init__()
        self.auth = auth
        self.expires_in = expires_in
        self.fail_after = fail_after
        self.served = 0

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/creds"

    def handle(self, h, method, body):
        if method != "GET" or h.path != "/creds":
            return h.reply(404, "{}")
        if self.auth is not None and h.headers.get("Authorization") != self.auth:
            return h.reply(401, '{"message": "bad token"}')
        if self.fail_after is not None and self.served >= self.fail_after:
            return h.reply(500, "{}")
        self.served += 1
        h.reply(200, json.dumps({
            "RoleArn": "arn:aws:iam::123456789012:role/test",
            "AccessKeyId": f"ASIACONT{self.served}",
            "SecretAccessKey": CONT_SECRET,
            "Token": CONT_TOKEN,
            "Expiration": iso(self.expires_in)}))


class FakeIMDS(FakeServer):
    """IMDSv2: a token from PUT /latest/api/token (TTL header required),
    then every GET must carry it."""

    ROLE = "smf-test-role"
    BASE = "/latest/meta-data/iam/security-credentials/"

    def __init__(self, expires_in=6 * 3600, token_status=200):
        super().__init__()
        self.expires_in = expires_in
        self.token_status = token_status
        self.served = 0
        self.refused = 0

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}/"

    def handle(self, h, method, body):
        if method == "PUT" and h.path == "/latest/api/token":
            if self.token_status != 200:
                return h.reply(self.token_status, "", "text/plain")
            if not h.headers.get("x-aws-ec2-metadata-token-ttl-seconds"):
                return h.reply(400, "", "text/plain")
            return h.reply(200, IMDS_API_TOKEN, "text/plain")
        if method != "GET":
            return h.reply(405, "", "text/plain")
        if h.headers.get("x-aws-ec2-metadata-token") != IMDS_API_TOKEN:
            self.refused += 1
            return h.reply(401, "", "text/plain")
        if h.path == self.BASE:
            return h.reply(200, self.ROLE + "\n", "text/plain")
        if h.path == self.BASE + self.ROLE:
            self.served += 1
            return h.reply(200, json.dumps({
                "Code": "Success", "LastUpdated": iso(0), "Type": "AWS-HMAC",
                "AccessKeyId": f"ASIAIMDS{self.served}",
                "SecretAccessKey": IMDS_SECRET, "Token": IMDS_TOKEN,
                "Expiration": iso(self.expires_in)}))
        h.reply(404, "", "text/plain")

    def unauthenticated_get_refused(self):
        before = self.refused
        conn = socket.create_connection(("127.0.0.1", self.port))
        conn.sendall(f"GET {self.BASE} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        reply = b""
        while chunk := conn.recv(4096):
            reply += chunk
        conn.close()
        return reply.startswith(b"HTTP/1.1 401") and self.refused == before + 1


# ------------------------------------------------ credentials: scenarios
#
# Each scenario takes the probe fixture and checks one path; the tests
# below run them one by one, and test_debug_output_has_no_secret runs them
# all again and greps everything they printed.

def scenario_env(probe):
    r = probe(env={"AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": ENV_SECRET,
                   "AWS_SESSION_TOKEN": ENV_TOKEN, "AWS_REGION": "us-east-1"})
    assert r.rc == 0, r.stderr
    assert r.first == {"source": "env", "access_key_id": "AKIDENV",
                       "secret_sha256": sha(ENV_SECRET), "token": "yes",
                       "token_sha256": sha(ENV_TOKEN), "expiration": "0"}
    assert "Found credentials in environment variables." in r.stderr
    return r


def scenario_credentials_file(probe):
    creds = write(probe.home / ".aws" / "credentials", CREDENTIALS)
    r = probe()
    assert r.rc == 0, r.stderr
    assert r.first["source"] == "shared-credentials-file"
    assert r.first["access_key_id"] == "AKIDFILEDEFAULT"
    assert r.first["secret_sha256"] == sha(FILE_SECRET)
    assert r.first["token_sha256"] == sha(FILE_TOKEN)
    assert f"Found credentials in shared credentials file: {creds}" in r.stderr

    for how in (["--profile", "prod"], []):
        r = probe(*how, env={} if how else {"AWS_PROFILE": "prod"})
        assert r.rc == 0, r.stderr
        assert r.first["access_key_id"] == "AKIDFILEPROD"
        assert r.first["secret_sha256"] == sha(PROFILE_SECRET)
        assert r.first["token"] == "no"

    # Files elsewhere, named by the environment.
    other = write(probe.home / "elsewhere", CREDENTIALS.replace("AKIDFILEPROD", "AKIDMOVED"))
    r = probe("--profile", "prod", env={"AWS_SHARED_CREDENTIALS_FILE": other})
    assert r.first["access_key_id"] == "AKIDMOVED"
    return r


def scenario_config_profile(probe):
    write(probe.home / ".aws" / "credentials", CREDENTIALS)
    cfg = write(probe.home / "cfg", CONFIG)
    r = probe("--profile", "x", env={"AWS_CONFIG_FILE": cfg})
    assert r.rc == 0, r.stderr
    assert r.first["source"] == "config-file"
    assert r.first["access_key_id"] == "AKIDCONFIGX"
    assert r.first["secret_sha256"] == sha(CONFIG_SECRET)
    assert r.info["region"] == "ap-southeast-2"
    assert r.info["region_source"] == "config-file"
    assert f"Found credentials in config file: {cfg}" in r.stderr
    return r


def scenario_explicit_profile_skips_env(probe):
    write(probe.home / ".aws" / "credentials", CREDENTIALS)
    env = {"AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": ENV_SECRET}
    r = probe(env=env)
    assert r.first["source"] == "env"
    r = probe(env={**env, "AWS_PROFILE": "prod"})
    assert r.first["source"] == "env"
    r = probe("--profile", "prod", env=env)
    assert r.rc == 0, r.stderr
    assert r.first["access_key_id"] == "AKIDFILEPROD"
    assert "Looking for credentials via: env" not in r.stderr
    r = probe("--profile", "missing", env=env)
    assert r.rc == 253
    assert "The config profile (missing) could not be found" in r.stderr
    return r


def scenario_container_env_token(probe):
    with FakeContainer(auth=AUTH_TOKEN) as fake:
        env = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": fake.url}
        r = probe(env={**env, "AWS_CONTAINER_AUTHORIZATION_TOKEN": AUTH_TOKEN})
        assert r.rc == 0, r.stderr
        assert r.first["source"] == "container-role"
        assert r.first["access_key_id"] == "ASIACONT1"
        assert r.first["secret_sha256"] == sha(CONT_SECRET)
        assert r.first["token_sha256"] == sha(CONT_TOKEN)
        assert abs(int(r.first["expiration"]) - (time.time() + 3600)) < 60
        assert fake.requests[0][2].get("Accept") == "application/json"
        # A container endpoint that refuses is an error, not "not found".
        r = probe(env={**env, "AWS_CONTAINER_AUTHORIZATION_TOKEN": "wrong"})
        assert r.rc == 255
        assert ("Error when retrieving credentials from container-role: Received non "
                "200 response (401) from container metadata") in r.stderr
    return r


def scenario_container_file_token(probe):
    tok = write(probe.home / "token", AUTH_TOKEN_FILE_VALUE + "\n")
    with FakeContainer(auth=AUTH_TOKEN_FILE_VALUE) as fake:
        # The file wins over the variable.
        r = probe(env={"AWS_CONTAINER_CREDENTIALS_FULL_URI": fake.url,
                       "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tok,
                       "AWS_CONTAINER_AUTHORIZATION_TOKEN": AUTH_TOKEN})
        assert r.rc == 0, r.stderr
        assert r.first["access_key_id"] == "ASIACONT1"
        assert fake.requests[0][2]["Authorization"] == AUTH_TOKEN_FILE_VALUE
    return r


def scenario_container_host_refused(probe):
    r = probe(env={"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://192.0.2.1/creds"})
    assert r.rc == 255
    assert "Unsupported host '192.0.2.1'" in r.stderr
    return r


def scenario_imds(probe):
    with FakeIMDS() as fake:
        assert fake.unauthenticated_get_refused()
        r = probe(env={"AWS_EC2_METADATA_SERVICE_ENDPOINT": fake.endpoint})
        assert r.rc == 0, r.stderr
        assert r.first["source"] == "iam-role"
        assert r.first["access_key_id"] == "ASIAIMDS1"
        assert r.first["secret_sha256"] == sha(IMDS_SECRET)
        assert r.first["token_sha256"] == sha(IMDS_TOKEN)
        assert f"Found credentials from IAM Role: {FakeIMDS.ROLE}" in r.stderr
        seen = [(m, p) for m, p, _, _ in fake.requests]
        assert seen[1:] == [("PUT", "/latest/api/token"), ("GET", FakeIMDS.BASE),
                            ("GET", FakeIMDS.BASE + FakeIMDS.ROLE)]
        assert fake.requests[1][2]["x-aws-ec2-metadata-token-ttl-seconds"] == "21600"
        assert all(h.get("x-aws-ec2-metadata-token") == IMDS_API_TOKEN
                   for m, _, h, _ in fake.requests[2:])
        # Disabled: the service is not asked.
        before = len(fake.requests)
        r = probe(env={"AWS_EC2_METADATA_SERVICE_ENDPOINT": fake.endpoint,
                       "AWS_EC2_METADATA_DISABLED": "true"})
        assert r.rc == 253 and NOT_FOUND in r.stderr
        assert len(fake.requests) == before
    # IMDSv2 only: a service that hands out no token gives nothing.
    with FakeIMDS(token_status=403) as fake:
        r = probe(env={"AWS_EC2_METADATA_SERVICE_ENDPOINT": fake.endpoint})
        assert r.rc == 253 and NOT_FOUND in r.stderr
        assert fake.served == 0
    return r


def scenario_container_refresh(probe):
    # 14 minutes left is inside the 15-minute window: fetched again.
    with FakeContainer(expires_in=14 * 60) as fake:
        r = probe("--gets", "3", env={"AWS_CONTAINER_CREDENTIALS_FULL_URI": fake.url})
        assert r.rc == 0, r.stderr
        assert [g["access_key_id"] for g in r.gets] == ["ASIACONT1", "ASIACONT2", "ASIACONT3"]
        assert fake.served == 3
        assert "expire in" in r.stderr and "refreshing" in r.stderr
    # An hour left: one fetch serves every call.
    with FakeContainer(expires_in=3600) as fake:
        r = probe("--gets", "3", env={"AWS_CONTAINER_CREDENTIALS_FULL_URI": fake.url})
        assert [g["access_key_id"] for g in r.gets] == ["ASIACONT1"] * 3
        assert fake.served == 1
    # Refresh fails with 12 minutes left: the current ones stay in use.
    with FakeContainer(expires_in=12 * 60, fail_after=1) as fake:
        r = probe("--gets", "2", env={"AWS_CONTAINER_CREDENTIALS_FULL_URI": fake.url})
        assert r.rc == 0, r.stderr
        assert [g["access_key_id"] for g in r.gets] == ["ASIACONT1"] * 2
        assert "current credentials stay in use" in r.stderr
    # ... with 5 minutes left it is an error.
    with FakeContainer(expires_in=5 * 60, fail_after=1) as fake:
        r = probe("--gets", "2", env={"AWS_CONTAINER_CREDENTIALS_FULL_URI": fake.url})
        assert r.rc == 255
        assert len(r.gets) == 1
        assert "Error when retrieving credentials from container-role" in r.stderr
    return r


def scenario_imds_refresh(probe):
    with FakeIMDS(expires_in=14 * 60) as fake:
        r = probe("--gets", "2", env={"AWS_EC2_METADATA_SERVICE_ENDPOINT": fake.endpoint})
        assert r.rc == 0, r.stderr
        assert [g["access_key_id"] for g in r.gets] == ["ASIAIMDS1", "ASIAIMDS2"]
        assert [p for m, p, _, _ in fake.requests].count("/latest/api/token") == 2
    return r


def scenario_nothing(probe):
    r = probe()
    assert r.rc == 253
    assert r.stderr.strip().splitlines()[-1] == NOT_FOUND
    assert "Looking for credentials via: iam-role" in r.stderr
    assert r.info["region_error"].startswith("You must specify a region.")
    return r


def scenario_region_endpoint(probe):
    write(probe.home / ".aws" / "config", CONFIG)
    env = {"AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": ENV_SECRET}
    r = probe(env=env)
    assert (r.info["region"], r.info["region_source"]) == ("eu-west-1", "config-file")
    assert r.info["endpoint"] == "https://email.eu-west-1.amazonaws.com/"
    r = probe(env={**env, "AWS_PROFILE": "prod", "AWS_DEFAULT_REGION": "cn-north-1"})
    assert (r.info["region"], r.info["region_source"]) == ("cn-north-1", "AWS_DEFAULT_REGION")
    assert r.info["endpoint"] == "https://email.cn-north-1.amazonaws.com.cn/"
    r = probe("--region", "sa-east-1",
              env={**env, "AWS_REGION": "us-east-2",
                   "AWS_ENDPOINT_URL": "http://127.0.0.1:4566",
                   "AWS_ENDPOINT_URL_SES": "http://LOCALHOST:8080/ses"})
    assert (r.info["region"], r.info["region_source"]) == ("sa-east-1", "explicit")
    assert r.info["endpoint"] == "http://localhost:8080/ses"
    assert r.info["endpoint_host"] == "localhost:8080"
    assert r.info["endpoint_path"] == "/ses"
    assert r.info["endpoint_source"] == "AWS_ENDPOINT_URL_SES"
    r = probe("--endpoint-url", "https://127.0.0.1:443", env={**env, "AWS_REGION": "x-y-1"})
    assert (r.info["endpoint"], r.info["endpoint_host"]) == ("https://127.0.0.1/", "127.0.0.1")
    return r



# ------------------------------------------------------------- STS

ROLE = "arn:aws:iam::123456789012:role/"


def sts_env(sts, **more):
    return {"AWS_ENDPOINT_URL_STS": sts.url, "AWS_REGION": "eu-west-1", **more}


def check_sts_creds(got, role, caller, source):
    akid, secret, token = expected(role, caller)
    assert got["source"] == source
    assert got["access_key_id"] == akid
    assert got["secret_sha256"] == sha(secret)
    assert got["token_sha256"] == sha(token)


def scenario_web_identity_env(probe):
    tok = write(probe.home / "token", WEB_TOKEN)
    with FakeSTS() as sts:
        r = probe(env=sts_env(sts, AWS_WEB_IDENTITY_TOKEN_FILE=tok,
                              AWS_ROLE_ARN=ROLE + "irsa", AWS_ROLE_SESSION_NAME="pod-1"))
        assert r.rc == 0, r.stderr
        check_sts_creds(r.first, ROLE + "irsa", "web:" + WEB_TOKEN,
                        "assume-role-with-web-identity")
        assert abs(int(r.first["expiration"]) - (time.time() + 3600)) < 60
        headers, form = sts.requests[0]
        assert "Authorization" not in headers  # unsigned
        assert form == {"Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15",
                        "RoleArn": ROLE + "irsa", "RoleSessionName": "pod-1",
                        "WebIdentityToken": WEB_TOKEN}
        assert "Calling STS AssumeRoleWithWebIdentity at " + sts.url in r.stderr
        # Without a session name, botocore's.
        r = probe(env=sts_env(sts, AWS_WEB_IDENTITY_TOKEN_FILE=tok, AWS_ROLE_ARN=ROLE + "x"))
        assert sts.requests[-1][1]["RoleSessionName"].startswith("botocore-session-")
        # A token file without a role is botocore's error.
        r = probe(env=sts_env(sts, AWS_WEB_IDENTITY_TOKEN_FILE=tok))
        assert r.rc == 255 and "has no role ARN configured" in r.stderr
        # An unreadable token file, and a refusal, are errors naming no token.
        r = probe(env=sts_env(sts, AWS_WEB_IDENTITY_TOKEN_FILE=tok + ".gone",
                              AWS_ROLE_ARN=ROLE + "x"))
        assert r.rc == 255 and "cannot read the web identity token file" in r.stderr
        sts.refuse = ("InvalidIdentityToken", "No OpenIDConnect provider found")
        r = probe(env=sts_env(sts, AWS_WEB_IDENTITY_TOKEN_FILE=tok, AWS_ROLE_ARN=ROLE + "x"))
        assert r.rc == 255
        assert ("An error occurred (InvalidIdentityToken) when calling the "
                "AssumeRoleWithWebIdentity operation: No OpenIDConnect provider found") in r.stderr
    return r


def scenario_web_identity_rotation(probe):
    """Kubernetes rotates the token file: each refresh reads it again."""
    tok = probe.home / "token"
    tok.write_text(WEB_TOKEN)
    with FakeSTS(expires_in=14 * 60) as sts:
        sts.after = lambda form: tok.write_text(WEB_TOKEN_ROTATED)
        r = probe("--gets", "2", env=sts_env(sts, AWS_WEB_IDENTITY_TOKEN_FILE=str(tok),
                                             AWS_ROLE_ARN=ROLE + "irsa"))
        assert r.rc == 0, r.stderr
        assert [f["WebIdentityToken"] for _, f in sts.requests] == [WEB_TOKEN, WEB_TOKEN_ROTATED]
        check_sts_creds(r.gets[1], ROLE + "irsa", "web:" + WEB_TOKEN_ROTATED,
                        "assume-role-with-web-identity")
    return r


def scenario_web_identity_profile(probe):
    tok = write(probe.home / "token", WEB_TOKEN)
    other = write(probe.home / "other", WEB_TOKEN_ROTATED)
    write(probe.home / ".aws" / "config",
          f"[profile eks]\nrole_arn = {ROLE}fromprofile\nweb_identity_token_file = {tok}\n"
          f"role_session_name = prof\n")
    with FakeSTS() as sts:
        env = sts_env(sts, AWS_WEB_IDENTITY_TOKEN_FILE=other, AWS_ROLE_ARN=ROLE + "env")
        # Named explicitly, the profile's keys and not the environment's.
        r = probe("--profile", "eks", env=env)
        assert r.rc == 0, r.stderr
        check_sts_creds(r.first, ROLE + "fromprofile", "web:" + WEB_TOKEN,
                        "assume-role-with-web-identity")
        # Through AWS_PROFILE, the environment's keys win one by one.
        r = probe(env={**env, "AWS_PROFILE": "eks", "AWS_ROLE_ARN": None})
        check_sts_creds(r.first, ROLE + "fromprofile", "web:" + WEB_TOKEN_ROTATED,
                        "assume-role-with-web-identity")
    return r


ROLE_CONFIG = f"""[profile base]
aws_access_key_id = AKIDBASE
aws_secret_access_key = {PROFILE_SECRET}
[profile one]
role_arn = {ROLE}one
source_profile = base
role_session_name = sess-one
external_id = ext-123
duration_seconds = 1800
[profile two]
role_arn = {ROLE}two
source_profile = one
[profile self]
role_arn = {ROLE}self
source_profile = self
aws_access_key_id = AKIDSELF
aws_secret_access_key = {CONFIG_SECRET}
[profile loopa]
role_arn = {ROLE}a
source_profile = loopb
[profile loopb]
role_arn = {ROLE}b
source_profile = loopa
[profile selfnokeys]
role_arn = {ROLE}x
source_profile = selfnokeys
[profile both]
role_arn = {ROLE}x
source_profile = base
credential_source = Environment
[profile neither]
role_arn = {ROLE}x
[profile nosuch]
role_arn = {ROLE}x
source_profile = ghost
[profile badsource]
role_arn = {ROLE}x
credential_source = Mainframe
[profile empty]
region = us-east-1
[profile needskeys]
role_arn = {ROLE}x
source_profile = empty
[profile mfa]
role_arn = {ROLE}x
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/admin
[profile fromenv]
role_arn = {ROLE}fromenv
credential_source = Environment
[profile fromecs]
role_arn = {ROLE}fromecs
credential_source = EcsContainer
"""


def scenario_assume_role_chain(probe):
    write(probe.home / ".aws" / "config", ROLE_CONFIG)
    with FakeSTS() as sts:
        r = probe("--profile", "one", env=sts_env(sts))
        assert r.rc == 0, r.stderr
        check_sts_creds(r.first, ROLE + "one", "AKIDBASE", "assume-role")
        headers, form = sts.requests[0]
        assert form == {"Action": "AssumeRole", "Version": "2011-06-15",
                        "RoleArn": ROLE + "one", "RoleSessionName": "sess-one",
                        "ExternalId": "ext-123", "DurationSeconds": "1800"}
        assert headers["Authorization"].startswith(
            "AWS4-HMAC-SHA256 Credential=AKIDBASE/")
        assert "/eu-west-1/sts/aws4_request" in headers["Authorization"]
        assert "X-Amz-Security-Token" not in headers
        assert abs(int(r.first["expiration"]) - (time.time() + 1800)) < 60
        # Chained: two -> one -> base, the second call signed with one's keys.
        sts.requests.clear()
        r = probe(env=sts_env(sts, AWS_PROFILE="two"))
        assert r.rc == 0, r.stderr
        one_akid, _, one_token = expected(ROLE + "one", "AKIDBASE")
        check_sts_creds(r.first, ROLE + "two", one_akid, "assume-role")
        assert [f["RoleArn"] for _, f in sts.requests] == [ROLE + "one", ROLE + "two"]
        assert sts.requests[1][0]["X-Amz-Security-Token"] == one_token
        # A profile may name itself to use its own keys.
        r = probe("--profile", "self", env=sts_env(sts))
        check_sts_creds(r.first, ROLE + "self", "AKIDSELF", "assume-role")
    return r


def scenario_assume_role_errors(probe):
    write(probe.home / ".aws" / "config", ROLE_CONFIG)
    with FakeSTS() as sts:
        cases = {
            "loopa": "Infinite loop in credential configuration detected. Attempting to "
                     "load from profile loopa which has already been visited. "
                     "Visited profiles: ['loopa', 'loopb']",
            "selfnokeys": "Infinite loop in credential configuration detected",
            "both": 'The profile "both" contains both source_profile and credential_source.',
            "neither": "Partial credentials found in assume-role, missing: "
                       "source_profile or credential_source",
            "nosuch": 'The source_profile "ghost" referenced in the profile "nosuch" '
                      "does not exist.",
            "badsource": 'The credential source "Mainframe" referenced in profile '
                         '"badsource" is not valid.',
            "needskeys": 'The source profile "empty" must have credentials.',
            "mfa": 'The profile "mfa" assumes its role with an MFA code (mfa_serial), '
                   "which nobody can type here",
            "fromenv": "No credentials found in credential_source referenced in "
                       "profile fromenv",
        }
        for profile, message in cases.items():
            r = probe("--profile", profile, env=sts_env(sts))
            assert r.rc == 255, (profile, r.stderr)
            assert message in r.stderr, (profile, r.stderr)
        assert sts.requests == []
        sts.refuse = ("AccessDenied", "User: arn:aws:iam::123456789012:user/base is "
                      "not authorized to perform: sts:AssumeRole")
        r = probe("--profile", "one", env=sts_env(sts))
        assert r.rc == 255
        assert ("An error occurred (AccessDenied) when calling the AssumeRole operation: "
                "User: arn:aws:iam::123456789012:user/base is not authorized") in r.stderr
    return r


def scenario_assume_role_credential_source(probe):
    write(probe.home / ".aws" / "config", ROLE_CONFIG)
    with FakeSTS() as sts, FakeContainer() as ecs:
        env = sts_env(sts, AWS_ACCESS_KEY_ID="AKIDENV", AWS_SECRET_ACCESS_KEY=ENV_SECRET)
        # Named explicitly, the environment is no source of its own but
        # still this profile's credential_source.
        r = probe("--profile", "fromenv", env=env)
        assert r.rc == 0, r.stderr
        check_sts_creds(r.first, ROLE + "fromenv", "AKIDENV", "assume-role")
        # Through AWS_PROFILE the environment's keys come first.
        r = probe(env={**env, "AWS_PROFILE": "fromenv"})
        assert r.first["source"] == "env"
        r = probe("--profile", "fromecs",
                  env=sts_env(sts, AWS_CONTAINER_CREDENTIALS_FULL_URI=ecs.url))
        assert r.rc == 0, r.stderr
        check_sts_creds(r.first, ROLE + "fromecs", "ASIACONT1", "assume-role")
        assert sts.requests[-1][0]["X-Amz-Security-Token"] == CONT_TOKEN
    return r


def scenario_assume_role_refresh(probe):
    write(probe.home / ".aws" / "config", ROLE_CONFIG)
    with FakeSTS(expires_in=14 * 60) as sts:
        r = probe("--profile", "two", "--gets", "2", env=sts_env(sts))
        assert r.rc == 0, r.stderr
        assert len(sts.requests) == 4  # each refresh walks the chain again
        assert "refreshing" in r.stderr
    return r


def scenario_sts_endpoints(probe):
    """AWS_ENDPOINT_URL_STS over AWS_ENDPOINT_URL; signed for the region."""
    write(probe.home / ".aws" / "config", ROLE_CONFIG)
    with FakeSTS() as sts, FakeSTS() as other:
        r = probe("--profile", "one", "--region", "ap-south-1",
                  env={"AWS_ENDPOINT_URL": other.url})
        assert r.rc == 0, r.stderr
        assert len(other.requests) == 1
        assert "/ap-south-1/sts/aws4_request" in other.requests[0][0]["Authorization"]
        r = probe("--profile", "one",
                  env={"AWS_ENDPOINT_URL": other.url, "AWS_ENDPOINT_URL_STS": sts.url})
        assert len(sts.requests) == 1 and len(other.requests) == 1
        # No region anywhere: the global endpoint's us-east-1.
        assert "/us-east-1/sts/aws4_request" in sts.requests[0][0]["Authorization"]
    return r


def scenario_sts_retry(probe):
    """A 503 is tried again, as botocore's standard mode does; three are
    the end."""
    write(probe.home / ".aws" / "config", ROLE_CONFIG)
    with FakeSTS() as sts:
        sts.unavailable = 2
        r = probe("--profile", "one", env=sts_env(sts))
        assert r.rc == 0, r.stderr
        assert len(sts.requests) == 3
        check_sts_creds(r.first, ROLE + "one", "AKIDBASE", "assume-role")
        sts.unavailable = 3
        r = probe("--profile", "one", env=sts_env(sts))
        assert r.rc == 255
        assert len(sts.requests) == 6
        assert ("An error occurred (ServiceUnavailable) when calling the AssumeRole "
                "operation: Service unavailable") in r.stderr
    return r


def scenario_precedence(probe):
    """botocore's order: env, assume-role, web identity, credentials file,
    config file."""
    tok = write(probe.home / "token", WEB_TOKEN)
    write(probe.home / ".aws" / "credentials", CREDENTIALS)
    write(probe.home / ".aws" / "config",
          f"[default]\nrole_arn = {ROLE}default\nsource_profile = prod\n")
    with FakeSTS() as sts:
        web = {"AWS_WEB_IDENTITY_TOKEN_FILE": tok, "AWS_ROLE_ARN": ROLE + "irsa"}
        r = probe(env=sts_env(sts, AWS_ACCESS_KEY_ID="AKIDENV",
                              AWS_SECRET_ACCESS_KEY=ENV_SECRET, **web))
        assert r.first["source"] == "env"
        r = probe(env=sts_env(sts, **web))
        check_sts_creds(r.first, ROLE + "default", "AKIDFILEPROD", "assume-role")
        (probe.home / ".aws" / "config").unlink()
        r = probe(env=sts_env(sts, **web))
        check_sts_creds(r.first, ROLE + "irsa", "web:" + WEB_TOKEN,
                        "assume-role-with-web-identity")
        r = probe(env=sts_env(sts))
        assert r.first["source"] == "shared-credentials-file"
    return r


# ---------------------------------------------------- credential_process

HELPER = """#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
# A credential_process: records its arguments, answers as told by its
# first argument, counts its runs.
import datetime, json, os, sys, time
here = os.path.dirname(os.path.abspath(__file__))
n = 1
if os.path.exists(here + "/runs"):
    n = int(open(here + "/runs").read()) + 1
open(here + "/runs", "w").write(str(n))
json.dump(sys.argv[1:], open(here + "/argv.json", "w"))
mode = sys.argv[1]
print("helper: signing with the test certificate", file=sys.stderr)
if mode == "fail":
    print("helper: no private key found", file=sys.stderr)
    sys.exit(3)
exp = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(
    seconds=int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2].isdigit() else 3600)
doc = {"Version": 2 if mode == "v2" else 1, "AccessKeyId": "ASIAPROC%d" % n,
       "SecretAccessKey": "@SECRET@", "SessionToken": "@TOKEN@",
       "Expiration": exp.strftime("%Y-%m-%dT%H:%M:%SZ")}
if mode == "static":
    del doc["SessionToken"], doc["Expiration"]
if mode == "nosecret":
    del doc["SecretAccessKey"]
print(json.dumps(doc))
"""


def helper(probe):
    path = probe.home / "bin" / "signing helper"
    path.parent.mkdir(exist_ok=True)
    path.write_text(HELPER.replace("@SECRET@", PROC_SECRET).replace("@TOKEN@", PROC_TOKEN))
    path.chmod(0o755)
    runs = probe.home / "bin" / "runs"
    if runs.exists():
        runs.unlink()
    return path


def scenario_process(probe):
    h = helper(probe)
    cfg = probe.home / ".aws" / "config"
    line = f""""{h}" ok 'two words' "say \\"hi\\" \\n" back\\ slash ''"""
    cfg.write_text(f"""[default]
credential_process = {line}
[profile static]
credential_process = '{h}' static
[profile fail]
credential_process = '{h}' fail
[profile v2]
credential_process = '{h}' v2
[profile nosecret]
credential_process = '{h}' nosecret
[profile missing]
credential_process = /nonexistent/aws_signing_helper credential-process
[profile unclosed]
credential_process = '{h} ok
""")
    r = probe()
    assert r.rc == 0, r.stderr
    assert r.first["source"] == "custom-process"
    assert r.first["access_key_id"] == "ASIAPROC1"
    assert r.first["secret_sha256"] == sha(PROC_SECRET)
    assert r.first["token_sha256"] == sha(PROC_TOKEN)
    assert abs(int(r.first["expiration"]) - (time.time() + 3600)) < 60
    # Split as shlex.split() splits it, no shell in between.
    args = json.loads((h.parent / "argv.json").read_text())
    assert args == shlex.split(line)[1:]
    assert args == ["ok", "two words", 'say "hi" \\n', "back slash", ""]
    # Its standard error is passed through.
    assert "helper: signing with the test certificate" in r.stderr
    r = probe("--profile", "static")
    assert (r.first["access_key_id"], r.first["token"], r.first["expiration"]) == \
        ("ASIAPROC2", "no", "0")
    for profile, message in (
            ("fail", "Error when retrieving credentials from custom-process: "
                     f"{h} exited with status 3"),
            ("v2", "Unsupported version '(not 1)' for credential process provider, "
                   "supported versions: 1"),
            ("nosecret", "Missing required key in response: 'SecretAccessKey'"),
            ("missing", "cannot run /nonexistent/aws_signing_helper: "
                        "No such file or directory"),
            ("unclosed", "credential_process is not a command line")):
        r = probe("--profile", profile)
        assert r.rc == 255, (profile, r.stderr)
        assert message in r.stderr, (profile, r.stderr)
    assert "helper: no private key found" in probe.log[-5]
    return r


def scenario_process_refresh_and_order(probe):
    h = helper(probe)
    write(probe.home / ".aws" / "config",
          f"[default]\ncredential_process = '{h}' ok 840\n"
          f"aws_access_key_id = AKIDCONFIG\naws_secret_access_key = {CONFIG_SECRET}\n"
          f"[profile ra]\nrole_arn = {ROLE}viaprocess\nsource_profile = src\n"
          f"[profile src]\ncredential_process = '{h}' ok\n")
    # 14 minutes left: run again at the next get. It beats the config
    # file's keys.
    r = probe("--gets", "2")
    assert r.rc == 0, r.stderr
    assert [g["access_key_id"] for g in r.gets] == ["ASIAPROC1", "ASIAPROC2"]
    # The credentials file's keys beat it.
    write(probe.home / ".aws" / "credentials", CREDENTIALS)
    r = probe()
    assert r.first["source"] == "shared-credentials-file"
    # Roles Anywhere as the source of an assume-role profile.
    with FakeSTS() as sts:
        r = probe("--profile", "ra", env=sts_env(sts))
        assert r.rc == 0, r.stderr
        check_sts_creds(r.first, ROLE + "viaprocess", "ASIAPROC3", "assume-role")
    return r


# ------------------------------------------------------------------ SSO

def sso_cache(probe, key, token, expires_in=3600):
    """Writes the token `aws sso login` would have cached for KEY."""
    d = probe.home / ".aws" / "sso" / "cache"
    d.mkdir(parents=True, exist_ok=True)
    exp = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=expires_in)
    path = d / (hashlib.sha1(key.encode()).hexdigest() + ".json")
    path.write_text(json.dumps({
        "startUrl": "https://corp.awsapps.com/start", "region": "eu-central-1",
        "accessToken": token, "expiresAt": exp.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "clientId": "cid", "clientSecret": "csecret", "refreshToken": "rtoken"}))
    return path


SSO_CONFIG = """[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-central-1
sso_registration_scopes = sso:account:access
[profile admin]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = MailAdmin
region = eu-west-1
[profile legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = 444455556666
sso_role_name = Legacy Role
[profile partial]
sso_session = corp
sso_role_name = MailAdmin
[profile ghost]
sso_session = nosuch
sso_account_id = 1
sso_role_name = r
[profile clash]
sso_session = corp
sso_start_url = https://other.awsapps.com/start
sso_account_id = 1
sso_role_name = r
[profile overssorole]
role_arn = arn:aws:iam::123456789012:role/fromsso
source_profile = admin
"""


def scenario_sso(probe):
    write(probe.home / ".aws" / "config", SSO_CONFIG)
    sso_cache(probe, "corp", SSO_ACCESS_TOKEN)
    sso_cache(probe, "https://legacy.awsapps.com/start", SSO_LEGACY_TOKEN)
    with FakeSSO(tokens=[SSO_ACCESS_TOKEN, SSO_LEGACY_TOKEN]) as sso:
        env = {"AWS_ENDPOINT_URL_SSO": sso.url}
        r = probe("--profile", "admin", env=env)
        assert r.rc == 0, r.stderr
        akid, secret, token = sso_expected("MailAdmin", "111122223333", SSO_ACCESS_TOKEN)
        assert r.first == {"source": "sso", "access_key_id": akid,
                           "secret_sha256": sha(secret), "token": "yes",
                           "token_sha256": sha(token), "expiration": r.first["expiration"]}
        assert abs(int(r.first["expiration"]) - (time.time() + 3600)) < 60
        method, path, q, headers = sso.requests[0]
        assert q == {"role_name": "MailAdmin", "account_id": "111122223333"}
        # A legacy profile: cached under its start URL; a role name with a
        # space is escaped in the query.
        r = probe(env={**env, "AWS_PROFILE": "legacy"})
        assert r.rc == 0, r.stderr
        akid, _, _ = sso_expected("Legacy Role", "444455556666", SSO_LEGACY_TOKEN)
        assert r.first["access_key_id"] == akid
        assert sso.requests[-1][2] == {"role_name": "Legacy Role",
                                       "account_id": "444455556666"}
        # An SSO profile as the source of an assume-role profile.
        with FakeSTS() as sts:
            r = probe("--profile", "overssorole", env={**env, **sts_env(sts)})
            assert r.rc == 0, r.stderr
            akid, _, _ = sso_expected("MailAdmin", "111122223333", SSO_ACCESS_TOKEN)
            check_sts_creds(r.first, "arn:aws:iam::123456789012:role/fromsso", akid,
                            "assume-role")
        for profile, message in (
                ("partial", 'The profile "partial" is configured to use SSO but is missing '
                            "required configuration: sso_account_id"),
                ("ghost", 'The specified sso-session does not exist: "nosuch"'),
                ("clash", "The value for sso_start_url is inconsistent between profile "
                          "(https://other.awsapps.com/start) and sso-session "
                          "(https://corp.awsapps.com/start).")):
            r = probe("--profile", profile, env=env)
            assert r.rc == 255, (profile, r.stderr)
            assert message in r.stderr, (profile, r.stderr)
        # The portal refuses the token: log in again.
        sso.tokens.clear()
        r = probe("--profile", "admin", env=env)
        assert r.rc == 255
        assert "To refresh this SSO session run aws sso login" in r.stderr
        # An expired cached token never reaches the portal.
        before = len(sso.requests)
        sso_cache(probe, "corp", SSO_ACCESS_TOKEN, expires_in=-60)
        r = probe("--profile", "admin", env=env)
        assert r.rc == 255
        assert r.stderr.strip().splitlines()[-1] == (
            "The SSO session associated with this profile has expired or is otherwise "
            "invalid. To refresh this SSO session run aws sso login with the "
            "corresponding profile.")
        assert len(sso.requests) == before
        # No cached token at all.
        for f in (probe.home / ".aws" / "sso" / "cache").iterdir():
            f.unlink()
        r = probe("--profile", "admin", env=env)
        assert r.rc == 255
        assert "Error loading SSO Token: Token for corp does not exist" in r.stderr
    return r


SCENARIOS = [scenario_env, scenario_credentials_file, scenario_config_profile,
             scenario_explicit_profile_skips_env, scenario_container_env_token,
             scenario_container_file_token, scenario_container_host_refused,
             scenario_imds, scenario_container_refresh, scenario_imds_refresh,
             scenario_nothing, scenario_region_endpoint,
             scenario_web_identity_env, scenario_web_identity_rotation,
             scenario_web_identity_profile, scenario_assume_role_chain,
             scenario_assume_role_errors, scenario_assume_role_credential_source,
             scenario_assume_role_refresh, scenario_sts_endpoints, scenario_sts_retry,
             scenario_precedence, scenario_process,
             scenario_process_refresh_and_order, scenario_sso]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__[9:])
def test_credentials(scenario, probe):
    scenario(probe)


# ---------------------------------------------------------------- HTTP

@pytest.fixture
def http_probe(smf_build):
    def run(*args):
        p = subprocess.run([os.path.join(smf_build, "tests", "http_probe"),
                            "-H", f"Authorization: {HTTP_AUTH}",
                            "-H", f"X-Amz-Security-Token: {HTTP_TOKEN}", *args],
                           capture_output=True, text=True, timeout=30)
        run.log.append(p.stdout + p.stderr)
        assert_no_secret(p.stdout + p.stderr)
        lines = p.stdout.splitlines()
        out = []
        for line in lines:
            if line.startswith("error="):
                out.append(dict(kv.split("=", 1) for kv in line.split(" ")))
            elif out and "=" in line:
                k, _, v = line.partition("=")
                out[-1][k] = v
        return p.returncode, out, p.stdout
    run.log = []
    return run


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    """A throw-away CA, a server certificate for 127.0.0.1 and localhost,
    and one for another name, all made with the openssl CLI."""
    d = tmp_path_factory.mktemp("pki")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=smf test CA", "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
    for name, san in (("good", "IP:127.0.0.1,DNS:localhost"), ("wrong", "DNS:wrong.example")):
        (d / f"{name}.ext").write_text(
            f"subjectAltName={san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
        openssl("req", *ec, "-keyout", f"{name}.key", "-out", f"{name}.csr",
                "-subj", f"/CN={name}", cwd=d)
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-days", "2", "-extfile", f"{name}.ext",
                "-out", f"{name}.pem", cwd=d)
    return d


class EchoServer(FakeServer):
    """Answers every request with what it got, minus the secret headers;
    counts connections (keep-alive shows as one)."""

    def __init__(self, tls_cert=None, tls_key=None):
        super().__init__()
        self.connections = 0
        if tls_cert:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(tls_cert, tls_key)
            self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        fake = self
        orig = self.httpd.get_request

        def counting():
            conn = orig()
            with fake.lock:
                fake.connections += 1
            return conn
        self.httpd.get_request = counting

    def handle(self, h, method, body):
        h.reply(200, json.dumps({
            "method": method, "path": h.path, "body": body.decode(),
            "content_type": h.headers.get("Content-Type"),
            "expect": h.headers.get("Expect"),
            "host": h.headers.get("Host"),
            "has_auth": "Authorization" in h.headers}))


def test_http_methods_and_reuse(http_probe):
    with EchoServer() as srv:
        url = f"http://127.0.0.1:{srv.port}/p"
        rc, out, _ = http_probe("--repeat", "3", "-H",
                                "Content-Type: application/x-www-form-urlencoded; charset=utf-8",
                                "POST", url, "Action=X&" + "a" * 3000)
        assert rc == 0
        assert [o["error"] for o in out] == ["none"] * 3
        got = json.loads(out[0]["body"])
        assert got["method"] == "POST" and got["path"] == "/p"
        assert got["body"] == "Action=X&" + "a" * 3000
        assert got["expect"] is None
        assert got["host"] == f"127.0.0.1:{srv.port}"
        assert got["has_auth"]
        assert srv.connections == 1
        rc, out, _ = http_probe("PUT", url, "")
        got = json.loads(out[0]["body"])
        assert (got["method"], got["content_type"]) == ("PUT", None)
        rc, out, _ = http_probe("GET", url)
        assert json.loads(out[0]["body"])["method"] == "GET"
        # Bounded response.
        rc, out, _ = http_probe("--max", "50", "GET", url)
        assert rc == 1 and out[0]["error"] == "other"
        assert out[0]["message"] == f'Response from endpoint URL "{url}" is larger than 50 bytes'


def test_http_tls(http_probe, pki):
    ca = str(pki / "ca.pem")
    with EchoServer(str(pki / "good.pem"), str(pki / "good.key")) as srv:
        for host in ("127.0.0.1", "localhost"):
            url = f"https://{host}:{srv.port}/"
            rc, out, _ = http_probe("--ca", ca, "GET", url)
            assert rc == 0 and out[0]["status"] == "200", out
        url = f"https://127.0.0.1:{srv.port}/"
        rc, out, _ = http_probe("GET", url)
        assert rc == 1 and out[0]["error"] == "tls"
        assert out[0]["message"].startswith(f"SSL validation failed for {url} ")
        rc, out, _ = http_probe("--ca", str(pki / "nonexistent.pem"), "GET", url)
        assert rc == 1 and out[0]["error"] == "tls"
        assert out[0]["message"] == (f"SSL validation failed for {url} "
                                     "[Errno 2] No such file or directory")
    with EchoServer(str(pki / "wrong.pem"), str(pki / "wrong.key")) as srv:
        url = f"https://127.0.0.1:{srv.port}/"
        rc, out, _ = http_probe("--ca", ca, "GET", url)
        assert rc == 1 and out[0]["error"] == "tls", out
        assert out[0]["message"].startswith(f"SSL validation failed for {url} ")
        # Verification is on unless turned off explicitly.
        rc, out, _ = http_probe("--no-verify", "GET", url)
        assert rc == 0 and out[0]["status"] == "200"


class BadServer:
    """Reads a request, then misbehaves in MODE."""

    def __init__(self, mode):
        self.mode = mode
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)

    def serve(self):
        while not self.stop.is_set():
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.one, args=(c,), daemon=True).start()

    def one(self, c):
        with c:
            c.recv(65536)
            if self.mode == "hang":
                self.stop.wait(5)
            elif self.mode == "hang-second":
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                c.recv(65536)
                self.stop.wait(5)
            elif self.mode == "reset":
                c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            elif self.mode == "partial":
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc")
            elif self.mode == "garbage":
                c.sendall(b"this is not HTTP\r\n\r\n")

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.sock.close()


CLOSED = 'Connection was closed before we received a valid response from endpoint URL: "{}".'


@pytest.mark.parametrize("mode", ["close", "reset", "partial", "garbage"])
def test_http_connection_closed(http_probe, mode):
    with BadServer(mode) as srv:
        rc, out, _ = http_probe("--timeout-ms", "2000", "POST", srv.url, "Action=X")
        assert rc == 1
        assert out[0]["error"] == "closed"
        assert out[0]["message"] == CLOSED.format(srv.url)


def test_http_read_timeout(http_probe):
    with BadServer("hang") as srv:
        t0 = time.monotonic()
        rc, out, _ = http_probe("--timeout-ms", "400", "POST", srv.url, "Action=X")
        assert time.monotonic() - t0 < 3
        assert out[0]["error"] == "read-timeout"
        assert out[0]["message"] == f'Read timeout on endpoint URL: "{srv.url}"'
    # On a reused connection too.
    with BadServer("hang-second") as srv:
        rc, out, _ = http_probe("--timeout-ms", "400", "--repeat", "2", "GET", srv.url)
        assert [o["error"] for o in out] == ["none", "read-timeout"]


def test_http_connect_errors(http_probe):
    url = f"http://127.0.0.1:{closed_port()}/"
    rc, out, _ = http_probe("GET", url)
    assert rc == 1 and out[0]["error"] == "connect"
    assert out[0]["message"] == f'Could not connect to the endpoint URL: "{url}"'
    # A listener whose backlog is full drops SYNs: a connect timeout.
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(0)
    port = lsock.getsockname()[1]
    fillers = []
    try:
        for _ in range(4):
            c = socket.socket()
            c.setblocking(False)
            try:
                c.connect(("127.0.0.1", port))
            except BlockingIOError:
                pass
            fillers.append(c)
        time.sleep(0.1)
        url = f"http://127.0.0.1:{port}/"
        rc, out, _ = http_probe("--connect-timeout-ms", "300", "GET", url)
        assert out[0]["error"] == "connect"
        assert out[0]["message"] == f'Connect timeout on endpoint URL: "{url}"'
    finally:
        for c in fillers:
            c.close()
        lsock.close()
    rc, out, _ = http_probe("GET", "file:///etc/passwd")
    assert out[0]["error"] == "other"


# ------------------------------------------------------------ secrets

def test_debug_output_has_no_secret(probe, http_probe, pki):
    """Every credentials path again, with --debug, and the HTTP error paths
    with signed-looking headers: nothing printed may hold a secret. (The
    fixtures check each run as it happens; this gathers every run.)"""
    for scenario in SCENARIOS:
        for f in (probe.home / ".aws").iterdir():
            f.unlink()
        scenario(probe)
    for mode in ("close", "hang"):
        with BadServer(mode) as srv:
            http_probe("--timeout-ms", "300", "GET", srv.url)
    with EchoServer(str(pki / "wrong.pem"), str(pki / "wrong.key")) as srv:
        http_probe("--ca", str(pki / "ca.pem"), "GET", f"https://127.0.0.1:{srv.port}/")
    with EchoServer() as srv:
        http_probe("POST", f"http://127.0.0.1:{srv.port}/", "Action=X")
    text = "\n".join(probe.log + http_probe.log)
    assert len(probe.log) >= 2 * len(SCENARIOS) and len(http_probe.log) == 4
    assert text.count("DEBUG creds:") >= 2 * len(SCENARIOS)
    for source in ("env", "shared-credentials-file", "config-file", "container-role", "iam-role",
                   "assume-role", "assume-role-with-web-identity", "custom-process",
                   "sso"):
        assert f"source={source}" in text
    assert_no_secret(text)


# ------------------------------------------------------------ moto's STS

def test_sts_against_moto(probe, moto_server):
    """moto's STS, a real implementation of the API: its answers (random
    keys, its own XML) are read, web identity and a chained assume-role."""
    tok = write(probe.home / "token", WEB_TOKEN)
    write(probe.home / ".aws" / "config", ROLE_CONFIG)
    r = probe(env={"AWS_ENDPOINT_URL_STS": moto_server, "AWS_REGION": "us-east-1",
                   "AWS_WEB_IDENTITY_TOKEN_FILE": tok, "AWS_ROLE_ARN": ROLE + "irsa"})
    assert r.rc == 0, r.stderr
    assert r.first["source"] == "assume-role-with-web-identity"
    assert r.first["access_key_id"].startswith("ASIA") and r.first["token"] == "yes"
    assert int(r.first["expiration"]) > time.time()
    r = probe("--profile", "two", env={"AWS_ENDPOINT_URL_STS": moto_server,
                                       "AWS_REGION": "us-east-1"})
    assert r.rc == 0, r.stderr
    assert r.first["source"] == "assume-role"
    assert r.first["access_key_id"].startswith("ASIA")
    assert r.stderr.count("Calling STS AssumeRole at") == 2


# ------------------------------------------------------------------ MFA

def test_tool_asks_for_the_mfa_code_on_the_terminal(smf_build, moto_server, tmp_path):
    """ses-mailfrom, like the AWS CLI, asks for the code of an mfa_serial
    profile on its terminal (not on stdin, no echo) and sends it to
    AssumeRole with the serial."""
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    write(home / ".aws" / "config", ROLE_CONFIG)
    with FakeSTS() as sts:
        env = {"PATH": os.environ["PATH"], "HOME": str(home), "AWS_REGION": "us-east-1",
               "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL_STS": sts.url,
               "AWS_ENDPOINT_URL_SES": moto_server}
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(os.path.join(smf_build, "ses-mailfrom"),
                      ["ses-mailfrom", "--profile", "mfa",
                       "get-identity-mail-from-domain-attributes",
                       "--identities", "example.com"], env)
        out = b""
        deadline = time.monotonic() + 20
        while b"Enter MFA code for" not in out and time.monotonic() < deadline:
            out += os.read(fd, 1024)
        assert b"Enter MFA code for arn:aws:iam::123456789012:mfa/admin: " in out
        os.write(fd, b"654321\n")
        while True:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        _, status = os.waitpid(pid, 0)
        os.close(fd)
        text = out.decode(errors="replace")
        assert os.waitstatus_to_exitcode(status) == 0, text
        assert "654321" not in text  # not echoed
        assert "MailFromDomainAttributes" in text
        form = sts.requests[0][1]
        assert (form["SerialNumber"], form["TokenCode"]) == \
            ("arn:aws:iam::123456789012:mfa/admin", "654321")


def test_daemon_refuses_an_mfa_profile(milter, testdir):
    """The daemon has nobody to ask: an [ses] profile that needs an MFA code
    stops it at start-up with a clear error, before any mail."""
    home = os.path.join(testdir, "home")
    os.makedirs(os.path.join(home, ".aws"))
    with open(os.path.join(home, ".aws", "config"), "w") as f:
        f.write(ROLE_CONFIG + "[profile viamfa]\nrole_arn = " + ROLE +
                "y\nsource_profile = mfa\n")
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": home,
           "AWS_EC2_METADATA_DISABLED": "true"}
    conf = {"ses": {"sync": "yes", "profile": "viamfa", "region": "us-east-1"}}
    m = milter(conf, wait=False, env=env)
    m.wait_exit()
    assert m.proc.returncode == 78
    m.wait_log(r"\[ses\] profile: profile mfa assumes its role with an MFA code "
               r"\(mfa_serial arn:aws:iam::123456789012:mfa/admin\), which a daemon "
               r"cannot ask for")
    # Without MFA in the chain, it starts.
    conf["ses"]["profile"] = "two"
    m = milter(conf, env=env)
    assert m.alive()
