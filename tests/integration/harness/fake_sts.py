# SPDX-License-Identifier: BSD-2-Clause
"""A fake STS and a fake SSO portal on loopback for the credentials chain's
tests. STS: AssumeRole and AssumeRoleWithWebIdentity as query-API form
posts, answered with
credentials that depend only on what was asked (the role, and who asked:
the signer's access key id, or the web identity token), so that botocore
and our chain, given the same files, must come back with the same keys.
moto's STS hands out random keys and checks no signature; this one records
every request and can refuse or expire on demand. SSO (moto has no
portal): GetRoleCredentials for the bearer tokens it is told are valid."""

import datetime
import hashlib
import http.server
import json
import threading
import time
import urllib.parse

# Prefixes of everything secret it hands out: the leak checks grep for them.
SECRET_PREFIX = "StsSecretKey/abcdefghijk+"
TOKEN_PREFIX = "StsSessionToken/IQoJb3JpZ2luX2VjE"
SSO_SECRET_PREFIX = "SsoSecretKey/zyxwvutsrqpon+"
SSO_TOKEN_PREFIX = "SsoSessionToken/IQoJb3JpZ2luX2VjE"


def _digest(*parts):
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def expected(role_arn, caller):
    """The (access key id, secret, token) it answers ROLE_ARN asked by
    CALLER (an access key id, or "web:" + the token)."""
    d = _digest(role_arn, caller)
    return "ASIA" + d[:16].upper(), SECRET_PREFIX + d[16:40], TOKEN_PREFIX + d[40:]


class _Server:
    """A threaded HTTP server on 127.0.0.1 whose answer(method, path,
    headers, body) gives (status, content type, text)."""

    def __init__(self):
        fake = self
        self.requests = []
        self.lock = threading.Lock()

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def reply(self, method):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n).decode() if n else ""
                status, ctype, text = fake.answer(method, self.path, dict(self.headers), body)
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                self.reply("GET")

            def do_POST(self):
                self.reply("POST")

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,),
                                       daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class FakeSTS(_Server):
    def __init__(self, expires_in=3600):
        super().__init__()
        self.expires_in = expires_in
        self.refuse = None  # (code, message): answer 403 with it
        self.after = None   # called with each request's form (token rotation)
        self.unavailable = 0  # answer this many requests with a 503

    def answer(self, method, path, headers, body):
        form = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
        status, text = self.sts(headers, form)
        return status, "text/xml", text

    def sts(self, headers, form):
        with self.lock:
            self.requests.append((headers, form))
        if self.after:
            self.after(form)
        action = form.get("Action")
        auth = headers.get("Authorization", "")
        if self.refuse:
            return 403, self.error(*self.refuse)
        if self.unavailable > 0:
            self.unavailable -= 1
            return 503, self.error("ServiceUnavailable", "Service unavailable")
        if action == "AssumeRole":
            if not auth.startswith("AWS4-HMAC-SHA256 Credential="):
                return 403, self.error("MissingAuthenticationToken",
                                       "Request is missing Authentication Token")
            caller = auth.split("Credential=", 1)[1].split("/", 1)[0]
        elif action == "AssumeRoleWithWebIdentity":
            caller = "web:" + form.get("WebIdentityToken", "")
        else:
            return 400, self.error("InvalidAction", "Could not find operation " + str(action))
        if "RoleArn" not in form or "RoleSessionName" not in form:
            return 400, self.error("MissingParameter", "RoleArn and RoleSessionName")
        akid, secret, token = expected(form["RoleArn"], caller)
        exp = (datetime.datetime.now(datetime.timezone.utc)
               + datetime.timedelta(seconds=int(form.get("DurationSeconds",
                                                         self.expires_in))))
        return 200, f"""<{action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <{action}Result>
    <Credentials>
      <AccessKeyId>{akid}</AccessKeyId>
      <SecretAccessKey>{secret}</SecretAccessKey>
      <SessionToken>{token}</SessionToken>
      <Expiration>{exp.strftime("%Y-%m-%dT%H:%M:%SZ")}</Expiration>
    </Credentials>
    <AssumedRoleUser><Arn>{form["RoleArn"]}/{form["RoleSessionName"]}</Arn>
      <AssumedRoleId>AROA:{form["RoleSessionName"]}</AssumedRoleId></AssumedRoleUser>
  </{action}Result>
  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
</{action}Response>
"""

    @staticmethod
    def error(code, message):
        return f"""<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>
  <RequestId>f6a8c2b0-0000-0000-0000-000000000000</RequestId>
</ErrorResponse>
"""


def sso_expected(role, account, token):
    d = _digest(role, account, token)
    return "ASIASSO" + d[:13].upper(), SSO_SECRET_PREFIX + d[13:37], SSO_TOKEN_PREFIX + d[37:]


class FakeSSO(_Server):
    """The portal's GetRoleCredentials; TOKENS are the bearer tokens it
    takes."""

    def __init__(self, tokens=(), expires_in=3600):
        super().__init__()
        self.tokens = set(tokens)
        self.expires_in = expires_in

    def answer(self, method, path, headers, body):
        url = urllib.parse.urlsplit(path)
        q = dict(urllib.parse.parse_qsl(url.query))
        token = headers.get("x-amz-sso_bearer_token")
        with self.lock:
            self.requests.append((method, url.path, q, headers))
        if method != "GET" or url.path != "/federation/credentials":
            return 404, "application/json", '{"message": "no such operation"}'
        if token not in self.tokens:
            return 401, "application/json", json.dumps({
                "message": "Session token not found or invalid",
                "__type": "com.amazonaws.switchboard.portal#UnauthorizedException"})
        if "role_name" not in q or "account_id" not in q:
            return 400, "application/json", '{"__type": "InvalidRequestException"}'
        akid, secret, tok = sso_expected(q["role_name"], q["account_id"], token)
        return 200, "application/json", json.dumps({"roleCredentials": {
            "accessKeyId": akid, "secretAccessKey": secret, "sessionToken": tok,
            "expiration": int((time.time() + self.expires_in) * 1000)}})
