# SPDX-License-Identifier: BSD-2-Clause
"""Secrets in SES's error texts (issue 11, item 5).

A SigV4 error (SignatureDoesNotMatch) quotes the canonical request, the
session token among its headers. Against a server that echoes the
request's token, its Authorization header and the secret key in such a
message (harness/echo_ses.py), neither the daemon's log, its state file,
its metrics file nor the tool's output may contain the token, the secret
key (raw or percent-encoded) or the request's signature. The daemon
cuts the message before the canonical request; the tool prints the AWS
CLI's text, redacted (test_conformance.py compares it with the CLI's)."""

import os
import re
import subprocess
import urllib.parse

import pytest

from harness.echo_ses import CANONICAL, SIGN, EchoSES

ACCESS_KEY = "AKIDECHOEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = ("IQoJb3JpZ2luX2VjEJ//////////wEaCXVzLWVhc3QtMSJGMEQCIBbi+DVWzuTvQnRN"
         "G82h3eN8t5DzpmC4KHgfEXNDLdaW4AiB1AZywLTFYCZyAt2tCXMQYdI5aV1oXVTzl=")
REDACTED = "[redacted]"


def leaks(text):
    """What of the secrets TEXT contains."""
    found = [s for s in (TOKEN, SECRET, urllib.parse.quote(TOKEN, safe=""),
                         urllib.parse.quote(SECRET, safe=""), TOKEN[:24], SECRET[:24])
             if s in text]
    found += re.findall(r"Signature=[0-9a-f]{16,}", text)
    return found


@pytest.fixture
def echo():
    with EchoSES(extra=f"secret={SECRET}") as server:
        yield server


@pytest.fixture
def home(tmp_path):
    h = tmp_path / "home"
    (h / ".aws").mkdir(parents=True)
    for name in ("config", "credentials"):
        (h / ".aws" / name).write_text("")
    return h


def aws_env(home):
    return {
        "PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
        "AWS_CONFIG_FILE": str(home / ".aws" / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / ".aws" / "credentials"),
        "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET,
        "AWS_SESSION_TOKEN": TOKEN, "AWS_EC2_METADATA_DISABLED": "true",
    }


def test_daemon_logs_and_stores_no_secret(echo, home, tmp_path, milter, monkeypatch):
    for k in list(os.environ):
        if k.startswith("AWS_"):
            monkeypatch.delenv(k)
    for k, v in aws_env(home).items():
        if k != "PATH":
            monkeypatch.setenv(k, v)
    state = tmp_path / "state.json"
    metrics = tmp_path / "metrics.prom"
    m = milter({
        "milter": {"metrics_file": str(metrics), "metrics_interval": "1s"},
        "dns": {"servers": "127.0.0.1:1", "timeout_ms": 100, "tries": 1},
        "ses": {"sync": "yes", "endpoint": echo.endpoint_url, "rate": 100,
                "sync_interval": "1h", "state_file": str(state)},
        "identity example.com": {"mail_from_domain": "bounce.example.com"},
    })
    m.wait_log(r"SES: pass mode=apply .* result=error")
    m.stop()
    assert echo.requests >= 1
    log = m.log.text()
    line = [x for x in log.splitlines() if "code=SignatureDoesNotMatch" in x]
    assert line, log
    # cut before the canonical request, redacted before it
    assert SIGN in line[0] and REDACTED in line[0], line[0]
    assert CANONICAL not in log
    assert leaks(log) == [], log
    text = state.read_text()
    assert "SignatureDoesNotMatch" in text and CANONICAL not in text, text
    assert leaks(text) == [], text
    assert leaks(metrics.read_text()) == []


def test_tool_prints_the_message_redacted(echo, home, smf_build):
    p = subprocess.run(
        [os.path.join(smf_build, "ses-mailfrom"), "set-identity-mail-from-domain",
         "--identity", "example.com", "--mail-from-domain", "bounce.example.com",
         "--endpoint-url", echo.endpoint_url, "--region", "us-east-1"],
        env=aws_env(home), capture_output=True, text=True, timeout=60,
        stdin=subprocess.DEVNULL)
    assert p.returncode == 254, p.stderr
    assert p.stderr.startswith(
        "\nAn error occurred (SignatureDoesNotMatch) when calling the "
        "SetIdentityMailFromDomain operation: " + SIGN), p.stderr
    # the whole message, as the CLI prints it, minus the secrets
    assert CANONICAL in p.stderr and f"x-amz-security-token:{REDACTED}" in p.stderr
    assert leaks(p.stdout + p.stderr) == [], p.stderr


def test_sts_error_is_redacted_too(echo, home, tmp_path, milter, monkeypatch, smf_build):
    """A role profile whose source profile has a session token: STS's
    signature error (the same text as SES's) quotes that token."""
    (home / ".aws" / "config").write_text(
        "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/r\n"
        "source_profile = base\n")
    (home / ".aws" / "credentials").write_text(
        f"[base]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET}\n"
        f"aws_session_token = {TOKEN}\n")
    env = aws_env(home)
    for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        del env[k]
    env["AWS_ENDPOINT_URL_STS"] = echo.endpoint_url
    p = subprocess.run(
        [os.path.join(smf_build, "ses-mailfrom"), "--profile", "role",
         "set-identity-mail-from-domain", "--identity", "example.com",
         "--endpoint-url", "http://127.0.0.1:1/", "--region", "us-east-1"],
        env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert p.returncode != 0 and "SignatureDoesNotMatch" in p.stderr, p.stderr
    assert leaks(p.stdout + p.stderr) == [], p.stderr
    for k in list(os.environ):
        if k.startswith("AWS_"):
            monkeypatch.delenv(k)
    for k, v in env.items():
        if k != "PATH":
            monkeypatch.setenv(k, v)
    state = tmp_path / "state.json"
    m = milter({
        "dns": {"servers": "127.0.0.1:1", "timeout_ms": 100, "tries": 1},
        "ses": {"sync": "yes", "endpoint": "http://127.0.0.1:1/", "profile": "role",
                "sync_interval": "1h", "state_file": str(state)},
        "identity example.com": {"mail_from_domain": "bounce.example.com"},
    })
    m.wait_log(r"SES: pass mode=apply .* result=error")
    m.stop()
    text = state.read_text()
    assert "SignatureDoesNotMatch" in text and CANONICAL not in text, text
    assert leaks(m.log.text() + text) == [], text
