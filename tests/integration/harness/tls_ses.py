# SPDX-License-Identifier: BSD-2-Clause
"""A canned SES over HTTPS with a self-signed certificate for 127.0.0.1:
every POST gets BODY (default: an empty SetIdentityMailFromDomain answer).
For the TLS paths (verification, --ca-bundle, --no-verify-ssl), where the
fake SES, which speaks plain HTTP, cannot serve.

    with TLSSES(tmp_path) as (url, cert):
        ...
"""

import http.server
import os
import ssl
import subprocess
import threading

SET_RESPONSE = (b'<SetIdentityMailFromDomainResponse xmlns="http://ses.amazonaws.com/'
                b'doc/2010-12-01/"><SetIdentityMailFromDomainResult/><ResponseMetadata>'
                b'<RequestId>tls-1</RequestId></ResponseMetadata>'
                b'</SetIdentityMailFromDomainResponse>')


class TLSSES:
    def __init__(self, directory, body=SET_RESPONSE):
        self.cert = os.path.join(str(directory), "cert.pem")
        self.key = os.path.join(str(directory), "key.pem")
        self.body = body
        self.httpd = None

    def __enter__(self):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                        "-keyout", self.key, "-out", self.cert, "-days", "1", "-subj",
                        "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                       check=True, capture_output=True)
        body = self.body

        class Canned(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                self.send_response(200)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Canned)
        self.httpd.daemon_threads = True
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert, self.key)
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return "https://127.0.0.1:%d/" % self.httpd.server_address[1], self.cert

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
