# SPDX-License-Identifier: BSD-2-Clause
"""Differential test of ses/sigv4 and ses/form against botocore.

Requests are generated from a fixed seed; tests/tools/sigv4_sign builds each
body with ses/form and signs it with ses/sigv4, botocore's SigV4Auth signs
the same body at the same instant, and the two Authorization headers must be
identical for every request. The body must also equal urllib's urlencode of
the same pairs, which is what the AWS CLI sends.

Run with Debian's interpreter (python3-botocore):
    SMF_BUILD=/work/main/build /usr/bin/python3 -m pytest -q \
        tests/integration/test_sigv4_botocore.py
"""

import datetime
import json
import os
import random
import subprocess
import types
from unittest import mock
from urllib.parse import quote, urlencode, urlsplit

import pytest

import botocore.auth
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

BUILD = os.environ.get("SMF_BUILD", "/work/main/build")
HELPER = os.path.join(BUILD, "tests", "sigv4_sign")
FORM_TYPE = "application/x-www-form-urlencoded; charset=utf-8"
SEED = 20240229
COUNT = 256

REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1",
           "ap-southeast-2", "sa-east-1", "us-gov-west-1", "cn-north-1",
           "me-south-1"]
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
# Pieces of identities: what the brief asks for and then some.
PIECES = ["a", "Z", "0", "-", "_", ".", "~", "*", "+", "@", " ", "%", "&",
          "=", "/", "!", "'", "(", ")", "#", "?", ",", ";", ":", "$",
          "\u00e9", "\u00fc", "\u00df", "\u03a9", "\u65e5\u672c",
          "\U0001f600", "\t", "bounce", "example", "user", "tag"]
BEHAVIORS = ["UseDefaultValue", "RejectMessage", "Bounce", "usedefaultvalue"]
EPOCH_MIN = 946684800       # 2000-01-01
EPOCH_MAX = 4102444799      # 2099-12-31T23:59:59


def random_identity(rng):
    word = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 6)))
    domain = "".join(rng.choice(PIECES[:8] + ["\u00e9", "-"])
                     for _ in range(rng.randint(1, 5)))
    if rng.random() < 0.5:
        return f"{word}@{domain}.example.com"
    return f"{word}.{domain}.com"


def random_endpoint(rng, region):
    """A URL as given to the CLI, and the Host header value it implies."""
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else \
        "amazonaws.com"
    name = rng.choice(["email", "email-fips"])
    host = f"{name}.{region}.{suffix}"
    kind = rng.randrange(6)
    if kind == 0:
        return f"https://{host}/", host
    if kind == 1:
        return f"https://{host}:443/", host
    if kind == 2:
        port = rng.choice([8443, 4443, 80])
        return f"https://{host}:{port}/", f"{host}:{port}"
    if kind == 3:
        port = rng.randint(1024, 65535)
        return f"http://127.0.0.1:{port}/", f"127.0.0.1:{port}"
    if kind == 4:
        port = rng.randint(1024, 65535)
        return f"http://[::1]:{port}/", f"[::1]:{port}"
    return "http://localhost:80/", "localhost"


def random_credentials(rng):
    prefix = rng.choice(["AKIA", "ASIA"])
    akid = prefix + "".join(rng.choice(B64[:26] + B64[52:62])
                            for _ in range(16))
    secret = "".join(rng.choice(B64) for _ in range(40))
    token = None
    if rng.random() < 0.5:
        token = "".join(rng.choice(B64) for _ in range(rng.randint(16, 600)))
        token += "=" * rng.randint(0, 2)
    return akid, secret, token


def random_params(rng):
    """The action and its parameters in the order the CLI sends them."""
    if rng.random() < 0.5:
        params = [["Identity", random_identity(rng)]]
        if rng.random() < 0.8:
            params.append(["MailFromDomain", rng.choice(
                ["", random_identity(rng).split("@")[-1]])])
        if rng.random() < 0.7:
            params.append(["BehaviorOnMXFailure", rng.choice(BEHAVIORS)])
        return "SetIdentityMailFromDomain", params
    ids = [random_identity(rng) for _ in range(rng.randint(1, 5))]
    return "GetIdentityMailFromDomainAttributes", [["Identities", ids]]


def expand(action, params):
    """The pairs urlencode gets for the same request."""
    pairs = []
    if action is not None:
        pairs = [("Action", action), ("Version", "2010-12-01")]
    for key, value in params:
        if isinstance(value, list):
            if not value:
                pairs.append((key, ""))
            for i, v in enumerate(value, 1):
                pairs.append((f"{key}.member.{i}", v))
        else:
            pairs.append((key, value))
    return pairs


def generate(seed, count):
    rng = random.Random(seed)
    reqs = []
    for i in range(count):
        region = rng.choice(REGIONS)
        url, host = random_endpoint(rng, region)
        akid, secret, token = random_credentials(rng)
        action, params = random_params(rng)
        # A few fixed instants: leap day, end of year, the spec's vector.
        when = [951868799, 1709251199, 1704067199, 1440938160][i] \
            if i < 4 else rng.randint(EPOCH_MIN, EPOCH_MAX)
        req = {"url": url, "host": host, "region": region, "time": when,
               "access_key": akid, "secret_key": secret,
               "action": action, "params": params}
        if token is not None:
            req["session_token"] = token
        reqs.append(req)
    return reqs


def run_helper(reqs):
    lines = []
    for r in reqs:
        lines.append(json.dumps({k: v for k, v in r.items() if k != "url"}))
    proc = subprocess.run([HELPER, "-l"], input="\n".join(lines) + "\n",
                          capture_output=True, text=True, encoding="utf-8",
                          check=False, timeout=60)
    out = proc.stdout.splitlines()
    assert len(out) == len(reqs), proc.stderr
    return [line.split("\t") for line in out]


class _Clock:
    """Stands in for the datetime module in botocore.auth."""

    def __init__(self, when):
        fixed = datetime.datetime(1970, 1, 1) + \
            datetime.timedelta(seconds=when)

        class Fixed(datetime.datetime):
            @classmethod
            def utcnow(cls):
                return fixed

        self.module = types.SimpleNamespace(datetime=Fixed)


def botocore_sign(req, body):
    headers = {}
    if req.get("content_type", FORM_TYPE) is not None:
        headers["Content-Type"] = req.get("content_type", FORM_TYPE)
    url = req["url"]
    aws = AWSRequest(method=req.get("method", "POST"), url=url,
                     data=body.encode("utf-8"), headers=headers)
    creds = Credentials(req["access_key"], req["secret_key"],
                        req.get("session_token"))
    auth = SigV4Auth(creds, req.get("service", "ses"), req["region"])
    with mock.patch.object(botocore.auth, "datetime",
                           _Clock(req["time"]).module):
        auth.add_auth(aws)
    return aws.headers["X-Amz-Date"], aws.headers["Authorization"]


def compare(reqs):
    ours = run_helper(reqs)
    same = 0
    mismatches = []
    for req, (body, date, auth) in zip(reqs, ours):
        want = urlencode(expand(req.get("action"), req.get("params", [])))
        assert body == want, (req, body, want)
        bdate, bauth = botocore_sign(req, body)
        if (date, auth) == (bdate, bauth):
            same += 1
        else:
            mismatches.append((req["url"], date, bdate, auth, bauth))
    return same, mismatches


@pytest.fixture(scope="module", autouse=True)
def helper_built():
    if not os.access(HELPER, os.X_OK):
        pytest.fail(f"{HELPER} missing: run `make tests` first")


def test_botocore_agrees_on_ses_requests():
    reqs = generate(SEED, COUNT)
    assert len(reqs) >= 200
    tokens = sum(1 for r in reqs if "session_token" in r)
    ports = sum(1 for r in reqs if ":" in r["host"])
    gets = sum(1 for r in reqs
               if r["action"] == "GetIdentityMailFromDomainAttributes")
    assert 0 < tokens < len(reqs) and 0 < ports < len(reqs)
    assert 0 < gets < len(reqs)
    same, mismatches = compare(reqs)
    print(f"\nsigv4 vs botocore: {same}/{len(reqs)} identical "
          f"({tokens} with a session token, {ports} with a port, "
          f"{gets} Get, {len(reqs) - gets} Set)")
    assert not mismatches, mismatches[:3]
    assert same == len(reqs)


def test_botocore_agrees_on_other_shapes():
    """Empty lists, other methods, escaped paths, queries, no Content-Type."""
    rng = random.Random(SEED + 1)
    reqs = generate(SEED + 2, 64)
    for r in reqs:
        kind = rng.randrange(4)
        if kind == 0:
            r["params"] = [["Identities", []]]
            r["action"] = "GetIdentityMailFromDomainAttributes"
        elif kind == 1:
            ident = quote(random_identity(rng), safe="")
            r["method"] = rng.choice(["PUT", "GET"])
            r["path"] = f"/v2/email/identities/{ident}/mail-from"
            r["content_type"] = "application/json"
        elif kind == 2:
            pieces = []
            for _ in range(rng.randint(1, 6)):
                k = quote(random_identity(rng), safe="")
                v = quote(random_identity(rng), safe="")
                pieces.append(rng.choice([f"{k}={v}", k, f"{k}=", f"a={v}"]))
            r["query"] = "&".join(pieces)
        else:
            r["content_type"] = None
        split = urlsplit(r["url"])
        r["url"] = split._replace(path=r.get("path", "/"),
                                  query=r.get("query", "")).geturl()
    same, mismatches = compare(reqs)
    print(f"\nother shapes vs botocore: {same}/{len(reqs)} identical")
    assert not mismatches, mismatches[:3]


def test_form_is_urlencode():
    """Arbitrary keys and values, without an action: pairs alone."""
    rng = random.Random(SEED + 3)
    reqs = generate(SEED + 4, 50)
    for r in reqs:
        del r["action"]
        r["params"] = [["".join(rng.choice(PIECES)
                                for _ in range(rng.randint(0, 4))),
                        "".join(chr(rng.randint(1, 0x2FFF))
                                for _ in range(rng.randint(0, 12)))]
                       for _ in range(rng.randint(1, 4))]
    for r, (body, _, _) in zip(reqs, run_helper(reqs)):
        assert body == urlencode(expand(None, r["params"]))
