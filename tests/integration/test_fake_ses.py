# SPDX-License-Identifier: BSD-2-Clause
"""Tests of the fake SES (tests/integration/harness/fake_ses_server.py) against botocore and /usr/bin/aws.

Run: /usr/bin/python3 -m pytest -q tests/integration/test_fake_ses.py
"""

import http.client
import json
import os
import shutil
import socket
import subprocess
import time
import xml.etree.ElementTree as ET

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from harness import fake_ses_server as fake_ses  # noqa: E402
from harness.fake_ses import (DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, ControlError,  # noqa: E402
                     FakeSES, max_per_window)

NS = {"s": "http://ses.amazonaws.com/doc/2010-12-01/"}
FORM = "application/x-www-form-urlencoded; charset=utf-8"
SESSION_CRED = ("ASIAFAKESESSION", "session/secret+KEY", "FQoGZXIvYXdzEXAMPLETOKEN/+=")
SET = "SetIdentityMailFromDomain"
GET = "GetIdentityMailFromDomainAttributes"
SET_BODY = ("Action=SetIdentityMailFromDomain&Version=2010-12-01&Identity=example.com"
            "&MailFromDomain=bounce.example.com&BehaviorOnMXFailure=RejectMessage")


@pytest.fixture(scope="module")
def server():
    with FakeSES(creds=[(DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY), SESSION_CRED],
                 rate=0) as ses:
        yield ses


@pytest.fixture
def ses(server):
    server.reset()
    return server


def amz_now(offset=0):
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() + offset))


def sign(ses, body, amz_date=None, access_key=DEFAULT_ACCESS_KEY,
         secret=DEFAULT_SECRET_KEY, token=None, region="us-east-1"):
    """Headers of a request signed by botocore at a chosen date."""
    amz_date = amz_date or amz_now()
    host = "127.0.0.1:%d" % ses.port
    request = AWSRequest(method="POST", url="http://%s/" % host, data=body)
    request.headers["Content-Type"] = FORM
    request.headers["Host"] = host
    request.headers["X-Amz-Date"] = amz_date
    if token:
        request.headers["X-Amz-Security-Token"] = token
    request.context["timestamp"] = amz_date
    signer = SigV4Auth(Credentials(access_key, secret, token), "ses", region)
    canonical = signer.canonical_request(request)
    signature = signer.signature(signer.string_to_sign(request, canonical), request)
    signed = signer.signed_headers(signer.headers_to_sign(request))
    headers = dict(request.headers.items())
    headers["Authorization"] = (
        "AWS4-HMAC-SHA256 Credential=%s/%s/%s/ses/aws4_request, "
        "SignedHeaders=%s, Signature=%s" % (access_key, amz_date[:8], region,
                                            signed, signature))
    return headers


def post(ses, body, headers, path="/"):
    """Send raw bytes; returns (status, body text)."""
    conn = http.client.HTTPConnection("127.0.0.1", ses.port, timeout=10)
    try:
        conn.request("POST", path, body, headers)
        resp = conn.getresponse()
        return resp.status, resp.read().decode()
    finally:
        conn.close()


def error_of(text):
    root = ET.fromstring(text)
    message = root.find("s:Error/s:Message", NS)
    return (root.find("s:Error/s:Type", NS).text, root.find("s:Error/s:Code", NS).text,
            None if message is None else message.text)


def err(exc_info):
    e = exc_info.value.response
    return (e["ResponseMetadata"]["HTTPStatusCode"], e["Error"]["Code"],
            e["Error"].get("Message"))


def attrs(client, *identities):
    return client.get_identity_mail_from_domain_attributes(
        Identities=list(identities))["MailFromDomainAttributes"]


# -- SES semantics ---------------------------------------------------------

def test_set_get_disable_roundtrip(ses):
    ses.verify_identity("example.com")
    c = ses.client()
    c.set_identity_mail_from_domain(Identity="example.com",
                                    MailFromDomain="bounce.example.com",
                                    BehaviorOnMXFailure="RejectMessage")
    assert attrs(c, "example.com") == {"example.com": {
        "MailFromDomain": "bounce.example.com", "MailFromDomainStatus": "Pending",
        "BehaviorOnMXFailure": "RejectMessage"}}
    ses.set_status("bounce.example.com", "Success")
    assert attrs(c, "example.com")["example.com"]["MailFromDomainStatus"] == "Success"
    c.set_identity_mail_from_domain(Identity="example.com")
    assert attrs(c, "example.com") == {
        "example.com": {"BehaviorOnMXFailure": "UseDefaultValue"}}
    ses.configure(disabled_shape="empty")
    assert attrs(c, "example.com") == {"example.com": {
        "MailFromDomain": "", "BehaviorOnMXFailure": "UseDefaultValue"}}


def test_behavior_defaults_and_statuses(ses):
    ses.verify_identity("user@example.com")
    ses.set_default_status("TemporaryFailure")
    c = ses.client()
    c.set_identity_mail_from_domain(Identity="user@example.com",
                                    MailFromDomain="mail.Example.COM")
    got = attrs(c, "user@example.com")["user@example.com"]
    # a Set starts SES's check: Pending, whatever the default
    assert got == {"MailFromDomain": "mail.Example.COM",
                   "MailFromDomainStatus": "Pending",
                   "BehaviorOnMXFailure": "UseDefaultValue"}
    # the default is for domains whose status nobody set
    ses.verify_identity("other.example.com", mail_from_domain="b.other.example.com")
    assert attrs(c, "other.example.com")["other.example.com"][
        "MailFromDomainStatus"] == "TemporaryFailure"
    ses.set_status("MAIL.example.com", "Failed")
    assert attrs(c, "user@example.com")["user@example.com"][
        "MailFromDomainStatus"] == "Failed"
    with pytest.raises(ControlError):
        ses.set_status("mail.example.com", "Verified")


def test_set_restarts_the_check(ses):
    """SES stops checking a Failed MAIL FROM domain until Set is called
    again, with the same values or not: then it is Pending again."""
    ses.verify_identity("example.com", mail_from_domain="bounce.example.com",
                        behavior="RejectMessage", status="Failed")
    c = ses.client()
    assert attrs(c, "example.com")["example.com"]["MailFromDomainStatus"] == "Failed"
    c.set_identity_mail_from_domain(Identity="example.com",
                                    MailFromDomain="bounce.example.com",
                                    BehaviorOnMXFailure="RejectMessage")
    assert attrs(c, "example.com")["example.com"]["MailFromDomainStatus"] == "Pending"
    assert ses.state()["statuses"]["bounce.example.com"] == "Pending"


def test_verify_and_list_identities(ses):
    c = ses.client()
    token = c.verify_domain_identity(Domain="example.com")["VerificationToken"]
    assert token
    c.verify_email_identity(EmailAddress="user@example.org")
    assert c.list_identities()["Identities"] == ["example.com", "user@example.org"]
    assert c.list_identities(IdentityType="Domain")["Identities"] == ["example.com"]
    page = c.list_identities(MaxItems=1)
    assert page["Identities"] == ["example.com"]
    assert c.list_identities(NextToken=page["NextToken"])["Identities"] == [
        "user@example.org"]
    with pytest.raises(ClientError) as e:
        c.verify_email_identity(EmailAddress="nobody")
    assert err(e) == (400, "InvalidParameterValue", "Invalid email address<nobody>.")
    assert ses.identity("example.com")["type"] == "Domain"
    ses.forget_identity("example.com")
    assert c.list_identities()["Identities"] == ["user@example.org"]
    with pytest.raises(ControlError) as e:
        ses.forget_identity("example.com")
    assert e.value.status == 404


def test_verification_statuses(ses):
    """GetIdentityVerificationAttributes: Success for an identity verified
    through the API, the seeded status otherwise; a token for domains;
    unknown identities and repeats left out; the Get's limits."""
    c = ses.client()
    token = c.verify_domain_identity(Domain="example.com")["VerificationToken"]
    c.verify_email_identity(EmailAddress="user@example.org")
    ses.verify_identity("p.example", verification="Pending")
    ses.verify_identity("n@p.example", verification="NotStarted")

    def verification(*identities):
        return c.get_identity_verification_attributes(
            Identities=list(identities))["VerificationAttributes"]

    got = verification("n@p.example", "nope.example", "example.com",
                       "user@example.org", "p.example", "example.com")
    assert list(got) == ["n@p.example", "example.com", "user@example.org",
                         "p.example"]
    assert got["example.com"] == {"VerificationStatus": "Success",
                                  "VerificationToken": token}
    assert got["user@example.org"] == {"VerificationStatus": "Success"}
    assert got["n@p.example"] == {"VerificationStatus": "NotStarted"}
    assert got["p.example"]["VerificationStatus"] == "Pending"
    for status in ("Failed", "TemporaryFailure", "Success"):
        ses.set_verification("example.com", status)
        assert verification("example.com")["example.com"][
            "VerificationStatus"] == status
    assert ses.identity("example.com")["verification"] == "Success"
    assert verification() == {}
    with pytest.raises(ClientError) as e:
        verification(*["id%d.example" % i for i in range(101)])
    assert err(e)[:2] == (400, "ValidationError")
    # an identity in any status takes a MAIL FROM setting
    c.set_identity_mail_from_domain(Identity="p.example", MailFromDomain="b.p.example")
    assert ses.identity("p.example")["mail_from_domain"] == "b.p.example"
    with pytest.raises(ControlError) as e:
        ses.set_verification("nope.example", "Success")
    assert e.value.status == 404
    with pytest.raises(ControlError) as e:
        ses.set_verification("example.com", "Verified")
    assert e.value.status == 400
    with pytest.raises(ControlError):
        ses.verify_identity("x.example", verification="Verified")


def test_unknown_identity(ses):
    with pytest.raises(ClientError) as e:
        ses.client().set_identity_mail_from_domain(
            Identity="unknown.example", MailFromDomain="b.unknown.example")
    assert err(e) == (400, "InvalidParameterValue",
                      "Identity <unknown.example> does not exist.")


@pytest.mark.parametrize("identity,mail_from", [
    ("example.com", "xexample.com"),
    ("example.com", "example.com"),
    ("example.com", "bounce.example.org"),
    ("example.com", ".example.com"),
    ("example.com", "a..example.com"),
    ("example.com", ""),
    ("user@example.com", "bounce.user.com"),
    ("user@example.com", "example.com"),
])
def test_mail_from_not_a_subdomain(ses, identity, mail_from):
    ses.verify_identity(identity)
    with pytest.raises(ClientError) as e:
        ses.client().set_identity_mail_from_domain(Identity=identity,
                                                   MailFromDomain=mail_from)
    assert err(e) == (400, "InvalidParameterValue",
                      "Provided MAIL-FROM domain <%s> is not subdomain of the domain "
                      "of the identity <example.com>." % mail_from)
    assert ses.identity(identity)["mail_from_domain"] is None


def test_bad_enum(ses):
    ses.verify_identity("example.com")
    with pytest.raises(ClientError) as e:
        ses.client().set_identity_mail_from_domain(
            Identity="example.com", MailFromDomain="b.example.com",
            BehaviorOnMXFailure="Bounce")
    assert err(e) == (400, "ValidationError",
                      "1 validation error detected: Value 'Bounce' at "
                      "'behaviorOnMXFailure' failed to satisfy constraint: Member "
                      "must satisfy enum value set: [RejectMessage, UseDefaultValue]")


def test_get_order_limits_and_empty_list(ses):
    for name in ("a.example", "b.example", "c.example"):
        ses.verify_identity(name, mail_from_domain="m." + name)
    c = ses.client()
    got = attrs(c, "c.example", "nope.example", "a.example", "b.example", "a.example")
    assert list(got) == ["c.example", "a.example", "b.example"]
    assert attrs(c) == {}
    names = ["id%d.example" % i for i in range(101)]
    assert attrs(c, *names[:100]) == {}
    with pytest.raises(ClientError) as e:
        attrs(c, *names)
    status, code, message = err(e)
    assert (status, code) == (400, "ValidationError")
    assert message.endswith("at 'identities' failed to satisfy constraint: Member "
                            "must have length less than or equal to 100")


def test_members_answer_in_index_order(ses):
    ses.verify_identity("a.example")
    ses.verify_identity("b.example")
    body = ("Action=GetIdentityMailFromDomainAttributes&Version=2010-12-01"
            "&Identities.member.2=a.example&Identities.member.1=b.example")
    status, text = post(ses, body, sign(ses, body))
    assert status == 200
    keys = [k.text for k in ET.fromstring(text).iter("{%s}key" % NS["s"])]
    assert keys == ["b.example", "a.example"]


@pytest.mark.parametrize("body,code,message", [
    ("Action=SetIdentityMailFromDomain&Version=2010-12-01", "ValidationError",
     "1 validation error detected: Value null at 'identity' failed to satisfy "
     "constraint: Member must not be null"),
    ("Action=GetIdentityMailFromDomainAttributes&Version=2010-12-01", "ValidationError",
     "1 validation error detected: Value null at 'identities' failed to satisfy "
     "constraint: Member must not be null"),
    ("Action=SetIdentityMailFromDomain&Identity=example.com", "MissingParameter",
     "The request must contain the parameter Version."),
    ("Action=SetIdentityMailFromDomain&Version=2011-01-01&Identity=example.com",
     "NoSuchVersion", None),
    ("Action=DeleteIdentity&Version=2010-12-01", "InvalidAction", None),
    ("", "InvalidAction", None),
])
def test_malformed_requests(ses, body, code, message):
    status, text = post(ses, body, sign(ses, body))
    assert status == 400
    assert error_of(text)[1] == code
    if message:
        assert error_of(text)[2] == message


# -- the log ---------------------------------------------------------------

def test_log_keeps_params_as_sent(ses):
    ses.verify_identity("user+tag@example.com")
    body = ("Version=2010-12-01&MailFromDomain=b.example.com&Action=SetIdentityMailFromDomain"
            "&Identity=user%2Btag%40example.com&Identity=ignored&Empty=&Space=a+b")
    status, _ = post(ses, body, sign(ses, body))
    assert status == 200
    (entry,) = ses.log()
    assert entry["params"] == [
        ["Version", "2010-12-01"], ["MailFromDomain", "b.example.com"],
        ["Action", "SetIdentityMailFromDomain"], ["Identity", "user+tag@example.com"],
        ["Identity", "ignored"], ["Empty", ""], ["Space", "a b"]]
    assert entry["body"] == body
    assert entry["action"] == SET and entry["access_key"] == DEFAULT_ACCESS_KEY
    assert entry["signature_ok"] is True and entry["status"] == 200
    assert entry["fault"] is None and entry["outcome"] == "sent"
    assert ses.identity("user+tag@example.com")["mail_from_domain"] == "b.example.com"
    ses.clear_log()
    assert ses.log() == []


def test_log_redacts_session_token(ses):
    akid, secret, token = SESSION_CRED
    ses.verify_identity("example.com")
    c = ses.client(access_key=akid, secret_key=secret, session_token=token)
    assert attrs(c, "example.com")
    (entry,) = ses.log()
    assert entry["signature_ok"] is True
    assert token not in json.dumps(entry)


# -- signatures --------------------------------------------------------------

@pytest.mark.parametrize("host,date,body,token,signature", [
    ("email.us-east-1.amazonaws.com", "20150830T123600Z", SET_BODY, None,
     "81c68a0c0c4ada29d442c2ab2d94bacb91812c378cca0e0ceda1ce2dad20af1e"),
    ("email.eu-west-1.amazonaws.com", "20240229T235959Z",
     "Action=SetIdentityMailFromDomain&Version=2010-12-01&Identity=user%2Btag%40example.com",
     "FQoGZXIvYXdzEXAMPLESESSIONTOKEN/+=",
     "cddcc9610c23443ab971af911e0712344821126d8e63f95c70dd8dacf5c26ac3"),
    ("email.us-west-2.amazonaws.com", "20230101T000000Z",
     "Action=GetIdentityMailFromDomainAttributes&Version=2010-12-01"
     "&Identities.member.1=example.com&Identities.member.2=user%40example.com", None,
     "d0ba84c987ab2ed1677809ad23b07a00a239c060727a594a4b7f0a14994a3dbc"),
])
def test_verifier_accepts_spec_vectors(host, date, body, token, signature):
    region = host.split(".")[1]
    signed = "content-type;host;x-amz-date" + (";x-amz-security-token" if token else "")
    headers = [("Host", host), ("Content-Type", FORM), ("X-Amz-Date", date)]
    if token:
        headers.append(("X-Amz-Security-Token", token))
    lookup = {DEFAULT_ACCESS_KEY: (DEFAULT_SECRET_KEY, token)}.get
    now = fake_ses.parse_amz_date(date)

    def check(sig, data):
        auth = ("AWS4-HMAC-SHA256 Credential=%s/%s/%s/ses/aws4_request, "
                "SignedHeaders=%s, Signature=%s" % (DEFAULT_ACCESS_KEY, date[:8],
                                                    region, signed, sig))
        return fake_ses.verify_sigv4("POST", "/", headers + [("Authorization", auth)],
                                     data.encode(), lookup, now)

    good = check(signature, body)
    assert good["error"] is None and good["signature_ok"] is True
    assert good["access_key"] == DEFAULT_ACCESS_KEY and good["region"] == region
    bad = check(signature, body + "x")
    assert bad["signature_ok"] is False and bad["error"].code == "SignatureDoesNotMatch"
    late = fake_ses.verify_sigv4(
        "POST", "/", headers + [("Authorization", "x")], body.encode(), lookup, now)
    assert late["error"].code == "IncompleteSignature"


def test_wrong_secret(ses):
    ses.verify_identity("example.com")
    with pytest.raises(ClientError) as e:
        attrs(ses.client(secret_key="not-the-secret"), "example.com")
    assert err(e) == (403, "SignatureDoesNotMatch", fake_ses.MSG_SIGNATURE)
    (entry,) = ses.log()
    assert entry["signature_ok"] is False and entry["status"] == 403
    assert entry["canonical_request"].startswith("POST\n/\n\n")


def test_unknown_key_and_session_tokens(ses):
    akid, secret, token = SESSION_CRED
    cases = [
        ({"access_key": "AKIDUNKNOWN"}, "InvalidClientTokenId"),
        ({"access_key": akid, "secret_key": secret}, "InvalidClientTokenId"),
        ({"access_key": akid, "secret_key": secret, "session_token": "other"},
         "InvalidClientTokenId"),
        ({"session_token": "unexpected"}, "InvalidClientTokenId"),
        ({"access_key": akid, "secret_key": "wrong", "session_token": token},
         "SignatureDoesNotMatch"),
    ]
    for kwargs, code in cases:
        with pytest.raises(ClientError) as e:
            attrs(ses.client(**kwargs), "example.com")
        assert err(e)[:2] == (403, code), kwargs
    assert err(e)[2] == fake_ses.MSG_SIGNATURE
    ses.add_cred("AKIDADDED", "added-secret")
    assert attrs(ses.client(access_key="AKIDADDED", secret_key="added-secret"),
                 "example.com") == {}


def test_tampered_body_refused(ses):
    ses.verify_identity("example.com")
    headers = sign(ses, SET_BODY)
    tampered = SET_BODY.replace("RejectMessage", "UseDefaultValue")
    headers["Content-Length"] = str(len(tampered))
    status, text = post(ses, tampered, headers)
    assert status == 403
    assert error_of(text) == ("Sender", "SignatureDoesNotMatch", fake_ses.MSG_SIGNATURE)
    assert ses.identity("example.com")["mail_from_domain"] is None
    status, _ = post(ses, SET_BODY, sign(ses, SET_BODY))
    assert status == 200
    assert [e["signature_ok"] for e in ses.log()] == [False, True]


@pytest.mark.parametrize("auth,code", [
    (None, "MissingAuthenticationToken"),
    ("", "MissingAuthenticationToken"),
    ("garbage", "IncompleteSignature"),
    ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/ses/aws4_request",
     "IncompleteSignature"),
    ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/us-east-1, SignedHeaders=host, "
     "Signature=00", "IncompleteSignature"),
])
def test_missing_or_garbled_authorization(ses, auth, code):
    headers = {"Content-Type": FORM, "X-Amz-Date": amz_now()}
    if auth is not None:
        headers["Authorization"] = auth
    status, text = post(ses, SET_BODY, headers)
    assert status == 403
    assert error_of(text)[1] == code


@pytest.mark.skipif(not shutil.which("curl"), reason="no curl")
def test_libcurl_sigv4_with_signed_expect_header(ses):
    """libcurl signs Expect: 100-continue; the verifier must not drop it."""
    ses.verify_identity("example.com")
    body = ("Action=GetIdentityMailFromDomainAttributes&Version=2010-12-01&"
            + "&".join("Identities.member.%d=id%d.example" % (i, i) for i in range(1, 101)))
    res = subprocess.run(
        ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Expect: 100-continue",
         "-H", "Content-Type: " + FORM, "--aws-sigv4", "aws:amz:us-east-1:ses",
         "--user", "%s:%s" % (DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY),
         "--data", body, ses.endpoint_url + "/"],
        capture_output=True, text=True, timeout=30)
    assert res.stdout == "200", res.stderr
    (entry,) = ses.log()
    assert entry["signature_ok"] is True
    assert "expect" in dict(entry["headers"])["Authorization"]


def test_host_must_be_signed(ses):
    headers = sign(ses, SET_BODY)
    headers["Authorization"] = headers["Authorization"].replace(
        "content-type;host;x-amz-date", "content-type;x-amz-date")
    status, text = post(ses, SET_BODY, headers)
    assert (status, error_of(text)[1]) == (403, "SignatureDoesNotMatch")
    assert "'Host'" in error_of(text)[2]


def test_scope_errors(ses):
    headers = sign(ses, SET_BODY)
    headers["Authorization"] = headers["Authorization"].replace("/ses/", "/email/")
    status, text = post(ses, SET_BODY, headers)
    assert (status, error_of(text)[1]) == (403, "SignatureDoesNotMatch")
    assert "scoped to correct service: 'ses'" in error_of(text)[2]
    ses.configure(region="eu-west-1")
    status, text = post(ses, SET_BODY, sign(ses, SET_BODY))
    assert (status, error_of(text)[1]) == (403, "SignatureDoesNotMatch")
    status, _ = post(ses, SET_BODY, sign(ses, SET_BODY, region="eu-west-1"))
    assert status == 400  # signature fine; the identity is unknown


@pytest.mark.parametrize("offset", [-16 * 60, 16 * 60])
def test_expired_or_future_date(ses, offset):
    status, text = post(ses, SET_BODY, sign(ses, SET_BODY, amz_date=amz_now(offset)))
    assert status == 400
    kind, code, message = error_of(text)
    assert (kind, code) == ("Sender", "RequestExpired")
    assert ("earlier than" if offset < 0 else "later than") in message
    status, text = post(ses, SET_BODY, sign(ses, SET_BODY, amz_date=amz_now(offset / 2)))
    assert error_of(text)[1] == "InvalidParameterValue"


def test_server_clock_offset(ses):
    ses.configure(clock_offset=3600)
    with pytest.raises(ClientError) as e:
        attrs(ses.client(), "example.com")
    assert err(e)[:2] == (400, "RequestExpired")


# -- rate limit ------------------------------------------------------------

def test_throttling_within_one_second(ses):
    ses.configure(rate=1)
    ses.verify_identity("example.com")
    c = ses.client()
    attrs(c, "example.com")
    with pytest.raises(ClientError) as e:
        attrs(c, "example.com")
    assert err(e) == (400, "Throttling", "Rate exceeded")
    time.sleep(1.05)
    attrs(c, "example.com")
    log = ses.log()
    assert [e["status"] for e in log] == [200, 400, 200]
    assert [e["admitted"] for e in log] == [True, False, True]
    assert log[1]["window_count"] == 2
    stats = ses.stats()
    assert stats["max_admitted_in_any_second"] == 1
    assert stats["max_in_any_second"] == 2 and stats["requests"] == 3
    assert max_per_window([e for e in log if e["admitted"]]) == 1


def test_throttling_spans_actions_and_slow_rates(ses):
    ses.configure(rate=0.5)  # one request per 2 s
    c = ses.client()
    c.verify_domain_identity(Domain="example.org")
    time.sleep(1.1)
    with pytest.raises(ClientError) as e:
        attrs(c, "example.org")
    assert err(e)[1] == "Throttling"
    assert [e["admitted"] for e in ses.log()] == [True, False]


# -- faults, seen from the client side -------------------------------------

def test_cli_retries_two_500s_then_succeeds(ses):
    ses.verify_identity("example.com")
    ses.inject("500", count=2)
    res = ses.run_aws("ses", "set-identity-mail-from-domain", "--identity",
                      "example.com", "--mail-from-domain", "bounce.example.com")
    assert (res.returncode, res.stdout) == (0, ""), res.stderr
    log = ses.log()
    assert [(e["fault"], e["status"]) for e in log] == [
        ("500", 500), ("500", 500), (None, 200)]
    assert all(e["params"][:3] == [["Action", SET], ["Version", "2010-12-01"],
                                   ["Identity", "example.com"]] for e in log)
    assert ses.faults() == []


def test_cli_non_xml_500(ses):
    ses.inject("500-nonxml")
    res = ses.run_aws("ses", "get-identity-mail-from-domain-attributes",
                      "--identities", "example.com")
    assert res.returncode == 255
    assert "Unable to parse response" in res.stderr
    assert "invalid XML received. Further retries may succeed:" in res.stderr
    assert "The server encountered an internal error." in res.stderr
    assert len(ses.log()) == 1


def test_cli_throttle_fault(ses):
    ses.inject("throttle", count=2, action=GET)
    res = ses.run_aws("ses", "get-identity-mail-from-domain-attributes",
                      "--identities", "example.com", max_attempts=2)
    assert res.returncode == 254
    assert res.stderr.strip() == (
        "An error occurred (Throttling) when calling the "
        "GetIdentityMailFromDomainAttributes operation (reached max retries: 1): "
        "Rate exceeded")
    assert [e["fault"] for e in ses.log()] == ["throttle", "throttle"]


def test_cli_error_documents(ses):
    ses.inject("error", code="InvalidParameterValue", status=400,
               message="Identity & <friends> are odd")
    res = ses.run_aws("ses", "set-identity-mail-from-domain", "--identity", "x")
    assert res.returncode == 254
    assert res.stderr == ("\nAn error occurred (InvalidParameterValue) when calling "
                          "the SetIdentityMailFromDomain operation: Identity & "
                          "<friends> are odd\n")
    assert len(ses.log()) == 1


def test_cli_hang_read_timeout(ses):
    ses.inject("hang", seconds=20)
    start = time.monotonic()
    res = ses.run_aws("ses", "get-identity-mail-from-domain-attributes",
                      "--identities", "example.com", "--cli-read-timeout", "1",
                      max_attempts=1)
    assert res.returncode == 255
    assert 'Read timeout on endpoint URL: "%s/"' % ses.endpoint_url in res.stderr
    assert time.monotonic() - start < 15
    log = ses.wait_for(lambda log: log and log[0]["outcome"] == "hung")
    assert log[0]["fault"] == "hang" and log[0]["status"] is None
    assert log[0]["outcome"] == "hung"


def test_cli_drop_is_retried(ses):
    ses.inject("drop", count=2)
    res = ses.run_aws("ses", "get-identity-mail-from-domain-attributes",
                      "--identities", "example.com", max_attempts=2)
    assert res.returncode == 255
    assert ("Connection was closed before we received a valid response from "
            'endpoint URL: "%s/".' % ses.endpoint_url) in res.stderr
    assert [e["outcome"] for e in ses.log()] == ["dropped", "dropped"]


def test_cli_slow_body(ses):
    ses.verify_identity("example.com", mail_from_domain="bounce.example.com",
                        status="Success")
    ses.inject("slow-body", seconds=1.0)
    start = time.monotonic()
    res = ses.run_aws("ses", "get-identity-mail-from-domain-attributes",
                      "--identities", "example.com", "--cli-read-timeout", "5")
    assert res.returncode == 0, res.stderr
    assert time.monotonic() - start >= 1.0
    assert json.loads(res.stdout) == {"MailFromDomainAttributes": {"example.com": {
        "MailFromDomain": "bounce.example.com", "MailFromDomainStatus": "Success",
        "BehaviorOnMXFailure": "UseDefaultValue"}}}
    assert [e["fault"] for e in ses.log()] == ["slow-body"]


def test_botocore_sees_every_fault(ses):
    ses.verify_identity("example.com")
    c = ses.client(read_timeout=0.5)
    for kind, code, status, message in (
            ("500", "InternalFailure", 500, "An internal error occurred."),
            ("503", "ServiceUnavailable", 503, fake_ses.MSG_UNAVAILABLE),
            ("throttle", "Throttling", 400, "Rate exceeded"),
            ("500-nonxml", "500", 500, "Internal Server Error")):
        ses.inject(kind, body="<html><body>proxy</body></html>"
                   if kind == "500-nonxml" else None)
        with pytest.raises(ClientError) as e:
            attrs(c, "example.com")
        assert err(e) == (status, code, message)
    ses.inject("error", code="Odd", status=409, type="Receiver")
    with pytest.raises(ClientError) as e:
        attrs(c, "example.com")
    assert err(e)[:2] == (409, "Odd") and not err(e)[2]
    assert e.value.response["Error"]["Type"] == "Receiver"
    ses.inject("delay", seconds=0.4)
    start = time.monotonic()
    assert attrs(c, "example.com")
    assert time.monotonic() - start >= 0.4
    ses.inject("hang", seconds=5)
    with pytest.raises(ReadTimeoutError):
        attrs(c, "example.com")
    ses.inject("drop")
    with pytest.raises(ConnectionClosedError):
        attrs(c, "example.com")
    ses.inject("slow-body", seconds=0.3)
    assert attrs(c, "example.com") == {
        "example.com": {"BehaviorOnMXFailure": "UseDefaultValue"}}
    faults = [e["fault"] for e in ses.log()]
    assert faults == ["500", "503", "throttle", "500-nonxml", "error", "delay",
                      "hang", "drop", "slow-body"]


def test_fault_per_action_and_processing_before_drop(ses):
    ses.verify_identity("example.com")
    c = ses.client()
    ses.inject("500", action=GET)
    ses.inject("drop", action=SET, process=True)
    with pytest.raises(ConnectionClosedError):
        c.set_identity_mail_from_domain(Identity="example.com",
                                        MailFromDomain="b.example.com")
    assert ses.identity("example.com")["mail_from_domain"] == "b.example.com"
    with pytest.raises(ClientError) as e:
        attrs(c, "example.com")
    assert err(e)[1] == "InternalFailure"
    assert attrs(c, "example.com")["example.com"]["MailFromDomain"] == "b.example.com"
    assert [(e["action"], e["fault"]) for e in ses.log()] == [
        (SET, "drop"), (GET, "500"), (GET, None)]


def test_fault_control_validation(ses):
    for spec in ({"kind": "explode"}, {"kind": "500", "count": 0},
                 {"kind": "error"}, {"kind": "error", "code": "X", "status": 99},
                 {"kind": "delay", "seconds": -1}):
        with pytest.raises(ControlError) as e:
            ses.control("POST", "faults", spec)
        assert e.value.status == 400
    ses.inject("500", count=3)
    ses.clear_faults()
    assert ses.faults() == []
    with pytest.raises(ControlError) as e:
        ses.control("GET", "nothing")
    assert e.value.status == 404


# -- the AWS CLI end to end ------------------------------------------------

def test_cli_roundtrip_and_wire_order(ses):
    ses.verify_identity("example.com")
    res = ses.run_aws("ses", "set-identity-mail-from-domain",
                      "--behavior-on-mx-failure", "RejectMessage",
                      "--mail-from-domain", "bounce.example.com",
                      "--identity", "example.com")
    assert (res.returncode, res.stdout) == (0, ""), res.stderr
    (entry,) = ses.log()
    assert entry["body"] == SET_BODY
    assert [k for k, _ in entry["params"]] == [
        "Action", "Version", "Identity", "MailFromDomain", "BehaviorOnMXFailure"]
    res = ses.run_aws("ses", "get-identity-mail-from-domain-attributes",
                      "--identities", "example.com", "other.example")
    assert res.returncode == 0, res.stderr
    assert res.stdout == (
        '{\n    "MailFromDomainAttributes": {\n        "example.com": {\n'
        '            "MailFromDomain": "bounce.example.com",\n'
        '            "MailFromDomainStatus": "Pending",\n'
        '            "BehaviorOnMXFailure": "RejectMessage"\n        }\n    }\n}\n')
    assert ses.log()[1]["params"][2:] == [["Identities.member.1", "example.com"],
                                          ["Identities.member.2", "other.example"]]


def test_cli_service_errors(ses):
    ses.verify_identity("example.com")
    res = ses.run_aws("ses", "set-identity-mail-from-domain", "--identity",
                      "example.com", "--mail-from-domain", "bounce.example.org")
    assert res.returncode == 254
    assert res.stderr == (
        "\nAn error occurred (InvalidParameterValue) when calling the "
        "SetIdentityMailFromDomain operation: Provided MAIL-FROM domain "
        "<bounce.example.org> is not subdomain of the domain of the identity "
        "<example.com>.\n")
    env = ses.aws_env(AWS_SECRET_ACCESS_KEY="wrong")
    res = ses.run_aws("ses", "get-identity-mail-from-domain-attributes",
                      "--identities", "example.com", env=env)
    assert res.returncode == 254
    assert "(SignatureDoesNotMatch)" in res.stderr
    assert len(ses.log()) == 2


# -- robustness --------------------------------------------------------------

def raw_exchange(ses, data, shutdown=True):
    with socket.create_connection(("127.0.0.1", ses.port), timeout=5) as sock:
        sock.sendall(data)
        if shutdown:
            sock.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def test_garbage_is_answered_and_logged(ses):
    big = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % (2 << 20)
    answers = [
        raw_exchange(ses, b"\x00\x01\x02 garbage\r\n\r\n"),
        raw_exchange(ses, b"BREW / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"),
        raw_exchange(ses, big.encode()),
        raw_exchange(ses, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: zz\r\n\r\n"),
        raw_exchange(ses, b"POST / HTTP/1.1\r\nHost: x\r\n"
                          b"Transfer-Encoding: chunked\r\n\r\nzz\r\n"),
        raw_exchange(ses, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"),
        raw_exchange(ses, b"POST /?Action=ListIdentities HTTP/1.1\r\nHost: x\r\n"
                          b"Content-Type: text/plain\r\nContent-Length: 4\r\n\r\n\xff\xfe\x00a"),
    ]
    statuses = [int(a.split(b" ", 2)[1]) for a in answers]
    assert statuses == [400, 403, 413, 400, 400, 400, 403]
    chunked = ("Action=ListIdentities&Version=2010-12-01").encode()
    headers = sign(ses, chunked)
    del headers["Host"]
    request = "POST / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nTransfer-Encoding: chunked\r\n" % ses.port
    request += "".join("%s: %s\r\n" % kv for kv in headers.items()) + "\r\n"
    body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(chunked), chunked)
    answer = raw_exchange(ses, request.encode() + body)
    assert answer.startswith(b"HTTP/1.1 200 "), answer
    assert ses.health()["ok"]
    log = ses.log()
    assert len(log) == len(answers) + 1
    assert [e["status"] for e in log] == statuses + [200]
    assert log[-2]["action"] == "ListIdentities"


def test_keep_alive_serves_several_requests(ses):
    ses.verify_identity("example.com")
    c = ses.client()
    for _ in range(5):
        assert "example.com" in attrs(c, "example.com")
    assert len({e["client"] for e in ses.log()}) == 1


def test_port_file_stdout_and_ipv6(tmp_path):
    port_file = tmp_path / "port"
    proc = subprocess.Popen(
        ["/usr/bin/python3", fake_ses.__file__, "--port-file", str(port_file),
         "--identity", "seeded.example", "--rate", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        port = int(proc.stdout.readline())
        assert int(port_file.read_text()) == port
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/_control/state")
        state = json.loads(conn.getresponse().read())
        assert [i["identity"] for i in state["identities"]] == ["seeded.example"]
        assert state["access_keys"] == [] and state["rate"] == 0
    finally:
        proc.terminate()
        assert proc.wait(5) == 0
        proc.stdout.close()
        proc.stderr.close()
    try:
        socket.socket(socket.AF_INET6).bind(("::1", 0))
    except OSError:
        pytest.skip("no ::1 here")
    with FakeSES(ipv6=True, rate=0) as six:
        conn = http.client.HTTPConnection("::1", six.port, timeout=5)
        conn.request("GET", "/_control/health")
        assert conn.getresponse().status == 200
