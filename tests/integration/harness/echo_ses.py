# SPDX-License-Identifier: BSD-2-Clause
"""An SES endpoint that answers every request with the SigV4 error AWS
sends for a bad signature (403 SignatureDoesNotMatch), its message quoting
the canonical request and the string to sign as AWS does, built from the
request's own headers: the session token (X-Amz-Security-Token) is in it.
A hostile variant also puts the token, the request's Authorization header
and any `extra` text (the tests pass the secret key) before AWS's marker
words, where cutting the message alone would keep them.

`stable` leaves out what changes from one request to the next (the date,
the signature), so that two programs' outputs can be compared."""

import hashlib
import http.server
import threading
from xml.sax.saxutils import escape

SIGN = ("The request signature we calculated does not match the signature you "
        "provided. Check your AWS Secret Access Key and signing method. Consult "
        "the service documentation for details.")
CANONICAL = "The Canonical String for this request should have been"
TO_SIGN = "The String-to-Sign should have been"


class EchoSES:
    def __init__(self, hostile=True, stable=False, extra=""):
        self.hostile = hostile
        self.stable = stable
        self.extra = extra
        self.requests = 0
        echo = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                echo.requests += 1
                data = echo.answer(self.headers, body).encode()
                self.send_response(403)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("x-amzn-RequestId", "echo-1")
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.endpoint_url = f"http://127.0.0.1:{self.port}"

    def message(self, headers, body):
        token = headers.get("X-Amz-Security-Token", "")
        date = "20260101T000000Z" if self.stable else headers.get("X-Amz-Date", "")
        lines = [f"host:{headers.get('Host', '')}", f"x-amz-date:{date}"]
        if token:
            lines.append(f"x-amz-security-token:{token}")
        signed = ";".join(line.split(":", 1)[0] for line in lines)
        canonical = "POST\n/\n\n" + "\n".join(lines) + "\n\n" + signed + "\n" + \
            hashlib.sha256(body).hexdigest()
        to_sign = "AWS4-HMAC-SHA256\n%s\n%s/us-east-1/ses/aws4_request\n%s" % (
            date, date[:8], hashlib.sha256(canonical.encode()).hexdigest())
        first = SIGN
        if self.hostile:
            first += f" Echo: x-amz-security-token={token} {self.extra}"
            if not self.stable:
                first += f" Authorization: {headers.get('Authorization', '')}"
        return f"{first}\n\n{CANONICAL}\n'{canonical}'\n\n{TO_SIGN}\n'{to_sign}'\n"

    def answer(self, headers, body):
        return ('<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/">'
                "<Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code>"
                f"<Message>{escape(self.message(headers, body))}</Message></Error>"
                "<RequestId>echo-1</RequestId></ErrorResponse>")

    def __enter__(self):
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
