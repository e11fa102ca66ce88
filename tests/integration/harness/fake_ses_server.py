#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""fake_ses: a fault-injecting fake of Amazon SES's query API (v1, 2010-12-01).

The project's SES client, its ses-mailfrom tool and the real AWS CLI are
tested against it.  It answers SetIdentityMailFromDomain,
GetIdentityMailFromDomainAttributes, GetIdentityVerificationAttributes,
VerifyDomainIdentity, VerifyEmailIdentity and ListIdentities with SES's own
XML documents, checks
every SigV4 signature strictly (botocore recomputes it), enforces SES's
account-wide rate limit, and lets a test queue faults (5xx, throttling,
hangs, dropped connections, slow bodies, delays, arbitrary error documents)
through an unsigned JSON control API under /_control/ on the same port.
Every API request is logged; the log is read through the control API.

Debian's /usr/bin/python3 with python3-botocore; standard library otherwise.
Usage: fake_ses.py --port 0 --cred AKID:SECRET[:TOKEN] [--rate N] ...
The chosen port is the first line on stdout (and goes to --port-file).
See README.md beside this file for the control API.
"""

import argparse
import base64
import collections
import datetime
import hashlib
import hmac
import json
import math
import os
import re
import select
import signal
import socket
import socketserver
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials

NS = "http://ses.amazonaws.com/doc/2010-12-01/"
API_VERSION = "2010-12-01"
SERVICE = "ses"
CONTROL_PREFIX = "/_control/"

MAX_BODY = 1 << 20          # bytes of one request body
MAX_FIELDS = 5000           # form fields in one request
MAX_LOG = 100000            # log entries kept (oldest dropped first)
MAX_LOGGED_BODY = 16384     # characters of a body kept in the log
MAX_IDENTITIES = 100        # Identities.member.N per Get
SKEW_SECONDS = 15 * 60      # SigV4 clock tolerance
READ_TIMEOUT = 30           # seconds a connection may idle between requests

BEHAVIORS = ("RejectMessage", "UseDefaultValue")
STATUSES = ("Pending", "Success", "Failed", "TemporaryFailure")
VERIFICATION_STATUSES = STATUSES + ("NotStarted",)
IDENTITY_TYPES = ("EmailAddress", "Domain")
DISABLED_SHAPES = ("absent", "empty")

FAULT_KINDS = ("500", "503", "500-nonxml", "throttle", "hang", "drop",
               "slow-body", "delay", "error", "bad-xml", "huge-body", "drip")
# drip: seconds between two bytes, not for the whole body.
FAULT_DEFAULT_SECONDS = {"hang": 30.0, "slow-body": 2.0, "delay": 2.0,
                         "drip": 1.0}
HUGE_BODY = 100 << 20       # bytes a huge-body fault streams by default
HUGE_CHUNK = 64 << 10       # one chunk of it

MSG_SIGNATURE = ("The request signature we calculated does not match the "
                 "signature you provided. Check your AWS Secret Access Key "
                 "and signing method. Consult the service documentation for "
                 "details.")
MSG_BAD_TOKEN = "The security token included in the request is invalid."
MSG_MISSING_AUTH = "Request is missing Authentication Token"
MSG_INTERNAL = "An internal error occurred."
MSG_UNAVAILABLE = ("The request has failed due to a temporary failure of the "
                   "server.")
# A proxy-style HTML page that is not well-formed XML: the AWS CLI cannot
# parse it and gives up at once (rc 255).  A body starting with "<html>"
# would instead be taken as a generic, retryable 500 (pass it as "body").
NONXML_500 = ("<!DOCTYPE html>\n<html><head><title>500 Internal Server Error"
              "</title></head>\n<body><h1>Internal Server Error</h1><br>\n"
              "The server encountered an internal error.\n</body></html>\n")

AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
MEMBER_RE = re.compile(r"^Identities\.member\.([0-9]{1,9})$")
# Characters XML 1.0 cannot carry; they are replaced so a garbage identity
# never turns an error document into invalid XML.
XML_INVALID_RE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class SesError(Exception):
    """An SES error document: code, HTTP status, message (None: no element)."""

    def __init__(self, code, status, message, kind=None):
        super().__init__(code)
        self.code = code
        self.status = status
        self.message = message
        self.kind = kind or ("Sender" if status < 500 else "Receiver")


class BodyError(Exception):
    """The request body could not be read within the limits."""

    def __init__(self, status, reason):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def xml_text(value):
    return (XML_INVALID_RE.sub("\ufffd", value)
            .replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def error_document(err, request_id):
    message = ("" if err.message is None
               else "    <Message>%s</Message>\n" % xml_text(err.message))
    return ('<ErrorResponse xmlns="%s">\n  <Error>\n    <Type>%s</Type>\n'
            '    <Code>%s</Code>\n%s  </Error>\n  <RequestId>%s</RequestId>\n'
            '</ErrorResponse>\n' % (NS, xml_text(err.kind), xml_text(err.code),
                                    message, request_id)).encode("utf-8")


def response_document(action, result, request_id):
    """result: the inner XML of <ActionResult> (indented), or None if empty."""
    if result is None:
        body = "  <%sResult/>\n" % action
    else:
        body = "  <%sResult>\n%s  </%sResult>\n" % (action, result, action)
    return ('<%sResponse xmlns="%s">\n%s  <ResponseMetadata>\n'
            '    <RequestId>%s</RequestId>\n  </ResponseMetadata>\n'
            '</%sResponse>\n' % (action, NS, body, request_id, action)
            ).encode("utf-8")


def validation_error(message):
    return SesError("ValidationError", 400,
                    "1 validation error detected: " + message)


def enum_error(value, field, allowed):
    return validation_error(
        "Value '%s' at '%s' failed to satisfy constraint: Member must "
        "satisfy enum value set: [%s]" % (value, field, ", ".join(allowed)))


def null_error(field):
    return validation_error(
        "Value null at '%s' failed to satisfy constraint: Member must not "
        "be null" % field)


def identity_domain(identity):
    """The domain a MAIL FROM domain must lie under: an address's domain part."""
    return identity.rpartition("@")[2]


def is_subdomain(child, parent):
    """True if child is a proper subdomain of parent on a label boundary."""
    child = child.lower()
    parent = parent.lower()
    if not parent or not child.endswith("." + parent):
        return False
    prefix = child[:-len(parent) - 1]
    return bool(prefix) and "" not in prefix.split(".")


def is_number(value):
    """A finite JSON number (bool is not one)."""
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def first_param(params, name):
    for key, value in params:
        if key == name:
            return value
    return None


def parse_amz_date(value):
    try:
        parsed = datetime.datetime.strptime(value, AMZ_DATE_FORMAT)
    except (TypeError, ValueError):
        return None
    return parsed.replace(tzinfo=datetime.timezone.utc).timestamp()


def format_amz_date(epoch):
    return datetime.datetime.fromtimestamp(
        epoch, datetime.timezone.utc).strftime(AMZ_DATE_FORMAT)


def parse_authorization(value):
    """Split an AWS4-HMAC-SHA256 Authorization header.

    Returns (fields dict, None) or (None, SesError).
    """
    if value is None or not value.strip():
        return None, SesError("MissingAuthenticationToken", 403, MSG_MISSING_AUTH)
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != "AWS4-HMAC-SHA256":
        return None, SesError(
            "IncompleteSignature", 403,
            "Unsupported AWS 'algorithm': '%s'" % algorithm)
    fields = {}
    for part in rest.split(","):
        name, eq, val = part.strip().partition("=")
        if eq and name in ("Credential", "SignedHeaders", "Signature"):
            fields.setdefault(name, val.strip())
    missing = ["Authorization header requires '%s' parameter." % name
               for name in ("Credential", "Signature", "SignedHeaders")
               if not fields.get(name)]
    if missing:
        return None, SesError(
            "IncompleteSignature", 403,
            " ".join(missing) + " Authorization=" + value.strip())
    return fields, None


def verify_sigv4(method, raw_path, headers, body, lookup, now, region=None):
    """Check one request's SigV4 signature the way SES does.

    headers: list of (name, value) as received; lookup(akid) -> (secret,
    token or None) or None; now: the server's epoch time; region: if set, the
    only region accepted in the credential scope.
    Returns a dict: access_key, region, error (SesError or None),
    signature_ok (True/False/None when never compared), canonical_request
    (with any session token replaced, for the log).
    """
    result = {"access_key": None, "region": None, "error": None,
              "signature_ok": None, "canonical_request": None}
    hmap = collections.defaultdict(list)
    for name, value in headers:
        hmap[name.lower()].append(value)

    auth = hmap.get("authorization")
    fields, err = parse_authorization(auth[0] if auth else None)
    if err:
        result["error"] = err
        return result

    scope = fields["Credential"].split("/")
    if len(scope) != 5:
        result["error"] = SesError(
            "IncompleteSignature", 403,
            "Credential must have exactly 5 slash-delimited elements, e.g. "
            "keyid/date/region/service/term, got '%s'" % fields["Credential"])
        return result
    akid, scope_date, scope_region, scope_service, terminator = scope
    result["access_key"] = akid
    result["region"] = scope_region

    amz_dates = hmap.get("x-amz-date")
    if not amz_dates:
        result["error"] = SesError(
            "IncompleteSignature", 403,
            "Authorization header requires existence of either a "
            "'X-Amz-Date' or a 'Date' header. Authorization=" + auth[0].strip())
        return result
    amz_date = amz_dates[0].strip()
    stamp = parse_amz_date(amz_date)
    if stamp is None:
        result["error"] = SesError(
            "IncompleteSignature", 403,
            "Date must be in ISO-8601 'basic format'. Got '%s'." % amz_date)
        return result

    known = lookup(akid)
    if known is None:
        result["error"] = SesError("InvalidClientTokenId", 403, MSG_BAD_TOKEN)
        return result
    secret, token = known
    sent_tokens = hmap.get("x-amz-security-token")
    sent_token = sent_tokens[0] if sent_tokens else None
    if (token or None) != sent_token:
        result["error"] = SesError("InvalidClientTokenId", 403, MSG_BAD_TOKEN)
        return result

    if scope_date != amz_date[:8]:
        result["error"] = SesError(
            "SignatureDoesNotMatch", 403,
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 "
            "version of date from HTTP: '%s' != '%s', from '%s'."
            % (scope_date, amz_date[:8], amz_date))
        return result
    if scope_service != SERVICE:
        result["error"] = SesError(
            "SignatureDoesNotMatch", 403,
            "Credential should be scoped to correct service: '%s'. " % SERVICE)
        return result
    if region is not None and scope_region != region:
        result["error"] = SesError(
            "SignatureDoesNotMatch", 403,
            "Credential should be scoped to a valid region, not '%s'. "
            % scope_region)
        return result
    if terminator != "aws4_request":
        result["error"] = SesError(
            "SignatureDoesNotMatch", 403,
            "Credential should be scoped with a valid terminator: "
            "'aws4_request', not '%s'. " % terminator)
        return result

    if stamp < now - SKEW_SECONDS:
        result["error"] = SesError(
            "RequestExpired", 400,
            "Signature expired: %s is now earlier than %s (%s - 15 min.)"
            % (amz_date, format_amz_date(now - SKEW_SECONDS),
               format_amz_date(now)))
        return result
    if stamp > now + SKEW_SECONDS:
        result["error"] = SesError(
            "RequestExpired", 400,
            "Signature not yet current: %s is still later than %s (%s + 15 min.)"
            % (amz_date, format_amz_date(now + SKEW_SECONDS),
               format_amz_date(now)))
        return result

    signed = [h for h in fields["SignedHeaders"].split(";") if h]
    if "host" not in signed:
        result["error"] = SesError(
            "SignatureDoesNotMatch", 403,
            "'Host' or ':authority' must be a 'SignedHeader' in the AWS "
            "Authorization.")
        return result
    provided = fields["Signature"]
    try:
        computed, canonical = _botocore_signature(
            method, raw_path, hmap, signed, body, akid, secret, token,
            scope_region, amz_date)
    except Exception:  # a header or path botocore cannot digest
        computed, canonical = None, None
    if canonical is not None and token:
        canonical = canonical.replace(token, "<token>")
    result["canonical_request"] = canonical
    ok = computed is not None and hmac.compare_digest(
        provided.encode("utf-8", "replace"), computed.encode("ascii"))
    result["signature_ok"] = ok
    if not ok:
        result["error"] = SesError("SignatureDoesNotMatch", 403, MSG_SIGNATURE)
    return result


class ListedHeadersSigV4(SigV4Auth):
    """botocore's SigV4 over exactly the headers the request carries.

    The request is rebuilt with only the headers the client listed in
    SignedHeaders; plain SigV4Auth would drop some of them (Expect,
    User-Agent), which libcurl, for one, signs.
    """

    def headers_to_sign(self, request):
        listed = HTTPHeaders()
        for name, value in request.headers.items():
            listed[name.lower()] = value
        return listed


def _botocore_signature(method, raw_path, hmap, signed, body, akid, secret,
                        token, region, amz_date):
    """Recompute the signature with botocore over the headers the client signed."""
    path, _, query = raw_path.partition("?")
    url = "http://localhost" + (path or "/") + ("?" + query if query else "")
    request = AWSRequest(method=method, url=url, data=body)
    for name in signed:
        for value in hmap.get(name, []):
            request.headers[name] = value
    checksum = hmap.get("x-amz-content-sha256")
    if checksum and checksum[0] != hashlib.sha256(body).hexdigest():
        return None, None
    request.context["timestamp"] = amz_date
    signer = ListedHeadersSigV4(Credentials(akid, secret, token), SERVICE, region)
    canonical = signer.canonical_request(request)
    string_to_sign = signer.string_to_sign(request, canonical)
    return signer.signature(string_to_sign, request), canonical


class Fault:
    """One queued fault: applies to the next `count` requests it matches."""

    def __init__(self, spec, fault_id):
        if not isinstance(spec, dict):
            raise ValueError("a fault is a JSON object")
        kind = spec.get("kind")
        if kind not in FAULT_KINDS:
            raise ValueError("kind must be one of " + ", ".join(FAULT_KINDS))
        count = spec.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ValueError("count must be an integer >= 1")
        action = spec.get("action")
        if action is not None and not isinstance(action, str):
            raise ValueError("action must be a string or null")
        seconds = spec.get("seconds", FAULT_DEFAULT_SECONDS.get(kind, 0.0))
        if not is_number(seconds) or not 0 <= seconds <= 3600:
            raise ValueError("seconds must be a number in 0..3600")
        self.id = fault_id
        self.kind = kind
        self.count = count
        self.action = action
        self.seconds = float(seconds)
        self.process = bool(spec.get("process", False))
        self.error = self._error(kind, spec)
        self.body = spec.get("body", NONXML_500) if kind == "500-nonxml" else None
        if kind == "bad-xml":
            # None: the action's real answer, cut in the middle
            self.body = spec.get("body")
        if self.body is not None and not isinstance(self.body, str):
            raise ValueError("body must be a string")
        if kind == "500-nonxml" and self.body is None:
            raise ValueError("body must be a string")
        size = spec.get("size", HUGE_BODY)
        if not isinstance(size, int) or isinstance(size, bool) or not \
                0 <= size <= 1 << 40:
            raise ValueError("size must be an integer in 0..2**40")
        self.size = size if kind == "huge-body" else None

    @staticmethod
    def _error(kind, spec):
        """The error document a fault answers with, if it answers with one."""
        message = spec.get("message")
        if message is not None and not isinstance(message, str):
            raise ValueError("message must be a string or null")
        if kind == "500":
            return SesError("InternalFailure", 500, message or MSG_INTERNAL)
        if kind == "503":
            return SesError("ServiceUnavailable", 503, message or MSG_UNAVAILABLE)
        if kind == "throttle":
            return SesError("Throttling", 400, message or "Rate exceeded")
        if kind != "error":
            return None
        code = spec.get("code")
        status = spec.get("status", 400)
        err_type = spec.get("type")
        if not isinstance(code, str) or not code:
            raise ValueError("an error fault needs a code")
        if (not isinstance(status, int) or isinstance(status, bool)
                or not 200 <= status <= 599):
            raise ValueError("status must be an HTTP status in 200..599")
        if err_type is not None and not isinstance(err_type, str):
            raise ValueError("type must be a string or null")
        return SesError(code, status, message, err_type)

    def matches(self, action):
        return self.action is None or self.action == action

    def describe(self):
        out = {"id": self.id, "kind": self.kind, "count": self.count,
               "action": self.action, "seconds": self.seconds,
               "process": self.process}
        if self.error is not None:
            out.update(code=self.error.code, status=self.error.status,
                       message=self.error.message, type=self.error.kind)
        if self.body is not None:
            out["body"] = self.body
        if self.size is not None:
            out["size"] = self.size
        return out


class State:
    """Everything the fake knows; one lock guards it all."""

    def __init__(self, creds, rate, region, default_status, disabled_shape):
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.creds = dict(creds)
        self.startup = (rate, region, default_status, disabled_shape)
        self.rate = rate
        self.region = region
        self.default_status = default_status
        self.disabled_shape = disabled_shape
        self.clock_offset = 0.0
        self.identities = collections.OrderedDict()
        self.statuses = {}
        self.faults = []
        self.fault_seq = 0
        self.log = collections.deque(maxlen=MAX_LOG)
        self.seq = 0
        self.admitted = collections.deque()
        self.recent = collections.deque()

    def reset(self):
        with self.lock:
            (self.rate, self.region, self.default_status,
             self.disabled_shape) = self.startup
            self.clock_offset = 0.0
            self.identities.clear()
            self.statuses.clear()
            self.faults.clear()
            self.log.clear()
            self.admitted.clear()
            self.recent.clear()

    def lookup(self, akid):
        with self.lock:
            return self.creds.get(akid)

    def now(self):
        with self.lock:
            return time.time() + self.clock_offset

    def new_entry(self, client, method, path, headers):
        """Append a log entry for a request just received and return it."""
        mono = time.monotonic()
        wall = time.time()
        shown = [[name, "<redacted>" if name.lower() == "x-amz-security-token"
                  else value] for name, value in headers]
        with self.lock:
            self.seq += 1
            while self.recent and self.recent[0] <= mono - 1.0:
                self.recent.popleft()
            self.recent.append(mono)
            entry = {
                "seq": self.seq, "mono": mono, "wall": wall,
                "second": int(wall), "window_count": len(self.recent),
                "client": "%s:%s" % client[:2], "method": method,
                "path": path, "headers": shown, "action": None, "params": [],
                "body": "", "request_id": str(uuid.uuid4()),
                "access_key": None, "region": None, "signature_ok": None,
                "admitted": False, "fault": None, "status": None,
                "error_code": None, "outcome": "pending",
                "canonical_request": None,
            }
            self.log.append(entry)
        return entry

    def update(self, entry, **fields):
        with self.lock:
            entry.update(fields)

    def take_fault(self, action):
        with self.lock:
            for fault in self.faults:
                if fault.matches(action):
                    fault.count -= 1
                    if fault.count == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def admit(self):
        """The account-wide rate limit: a sliding window over admitted requests."""
        with self.lock:
            if self.rate <= 0:
                return True
            window = 1.0 if self.rate >= 1 else 1.0 / self.rate
            slots = max(1, int(self.rate))
            now = time.monotonic()
            while self.admitted and self.admitted[0] <= now - window:
                self.admitted.popleft()
            if len(self.admitted) >= slots:
                return False
            self.admitted.append(now)
            return True

    def snapshot_log(self, since=0):
        with self.lock:
            return json.loads(json.dumps(
                [e for e in self.log if e["seq"] > since]))

    def describe(self):
        with self.lock:
            return {
                "identities": [dict(identity=k, **v)
                               for k, v in self.identities.items()],
                "statuses": dict(self.statuses),
                "default_status": self.default_status,
                "disabled_shape": self.disabled_shape,
                "rate": self.rate, "region": self.region,
                "clock_offset": self.clock_offset,
                "faults": [f.describe() for f in self.faults],
                "access_keys": sorted(self.creds),
            }


class Ses:
    """The SES actions on State; each returns (action, result XML or None)."""

    def __init__(self, state):
        self.state = state

    def dispatch(self, action, params):
        handler = {
            "SetIdentityMailFromDomain": self.set_mail_from,
            "GetIdentityMailFromDomainAttributes": self.get_mail_from,
            "GetIdentityVerificationAttributes": self.get_verification,
            "VerifyDomainIdentity": self.verify_domain,
            "VerifyEmailIdentity": self.verify_email,
            "ListIdentities": self.list_identities,
        }.get(action)
        if handler is None:
            raise SesError(
                "InvalidAction", 400,
                "The action or operation requested is invalid. Verify that "
                "the action is typed correctly.")
        version = first_param(params, "Version")
        if version is None:
            raise SesError("MissingParameter", 400,
                           "The request must contain the parameter Version.")
        if version != API_VERSION:
            raise SesError(
                "NoSuchVersion", 400,
                "The requested version (%s) of service AmazonSimpleEmailService "
                "does not exist." % version)
        return handler(params)

    def set_mail_from(self, params):
        identity = first_param(params, "Identity")
        mail_from = first_param(params, "MailFromDomain")
        behavior = first_param(params, "BehaviorOnMXFailure")
        if identity is None:
            raise null_error("identity")
        if behavior is not None and behavior not in BEHAVIORS:
            raise enum_error(behavior, "behaviorOnMXFailure", BEHAVIORS)
        with self.state.lock:
            record = self.state.identities.get(identity)
            if record is None:
                raise SesError("InvalidParameterValue", 400,
                               "Identity <%s> does not exist." % identity)
            domain = identity_domain(identity)
            if mail_from is not None and not is_subdomain(mail_from, domain):
                raise SesError(
                    "InvalidParameterValue", 400,
                    "Provided MAIL-FROM domain <%s> is not subdomain of the "
                    "domain of the identity <%s>." % (mail_from, domain))
            record["mail_from_domain"] = mail_from
            record["behavior"] = behavior or "UseDefaultValue"
            # As SES: a Set (re)starts the check of the MAIL FROM domain,
            # also with unchanged values (a re-verification of a Failed one).
            if mail_from is not None:
                self.state.statuses[mail_from.lower()] = "Pending"
        return "SetIdentityMailFromDomain", None

    @staticmethod
    def _listed(params):
        """Identities.member.N in index order, checked as SES does."""
        members = []
        listed = False
        for key, value in params:
            match = MEMBER_RE.match(key)
            if match:
                members.append((int(match.group(1)), value))
            elif key == "Identities":
                listed = True
        if not members and not listed:
            raise null_error("identities")
        members.sort(key=lambda m: m[0])
        identities = [value for _, value in members]
        if len(identities) > MAX_IDENTITIES:
            raise validation_error(
                "Value '[%s]' at 'identities' failed to satisfy constraint: "
                "Member must have length less than or equal to %d"
                % (", ".join(identities), MAX_IDENTITIES))
        return identities

    def _attributes(self, params, map_name, value_lines):
        """A Get*Attributes map: one entry per known identity listed, in
        order, repeats and unknown identities left out."""
        entries = []
        seen = set()
        with self.state.lock:
            for identity in self._listed(params):
                record = self.state.identities.get(identity)
                if record is None or identity in seen:
                    continue
                seen.add(identity)
                entries.append(
                    "      <entry>\n        <key>%s</key>\n        <value>\n%s"
                    "        </value>\n      </entry>\n"
                    % (xml_text(identity), "".join(value_lines(identity, record))))
        return "    <%s>\n%s    </%s>\n" % (map_name, "".join(entries), map_name)

    def get_mail_from(self, params):
        return ("GetIdentityMailFromDomainAttributes",
                self._attributes(params, "MailFromDomainAttributes",
                                 self._mail_from_lines))

    def get_verification(self, params):
        return ("GetIdentityVerificationAttributes",
                self._attributes(params, "VerificationAttributes",
                                 self._verification_lines))

    @staticmethod
    def _verification_lines(identity, record):
        lines = ["          <VerificationStatus>%s</VerificationStatus>\n"
                 % record["verification"]]
        if record["type"] == "Domain":
            lines.append("          <VerificationToken>%s</VerificationToken>\n"
                         % domain_token(identity))
        return lines

    def _mail_from_lines(self, identity, record):
        """One entry's members; the caller holds the state lock."""
        lines = ["          <BehaviorOnMXFailure>%s</BehaviorOnMXFailure>\n"
                 % record["behavior"]]
        mail_from = record["mail_from_domain"]
        if mail_from is not None:
            status = self.state.statuses.get(mail_from.lower(),
                                             self.state.default_status)
            lines.append("          <MailFromDomain>%s</MailFromDomain>\n"
                         % xml_text(mail_from))
            lines.append("          <MailFromDomainStatus>%s"
                         "</MailFromDomainStatus>\n" % status)
        elif self.state.disabled_shape == "empty":
            lines.append("          <MailFromDomain/>\n")
        return lines

    def verify_domain(self, params):
        domain = first_param(params, "Domain")
        if domain is None:
            raise null_error("domain")
        if not domain or "@" in domain:
            raise SesError("InvalidParameterValue", 400,
                           "Invalid domain name <%s>." % domain)
        add_identity(self.state, domain)
        return ("VerifyDomainIdentity",
                "    <VerificationToken>%s</VerificationToken>\n"
                % domain_token(domain))

    def verify_email(self, params):
        address = first_param(params, "EmailAddress")
        if address is None:
            raise null_error("emailAddress")
        local, at, domain = address.rpartition("@")
        if not at or not local or not domain:
            raise SesError("InvalidParameterValue", 400,
                           "Invalid email address<%s>." % address)
        add_identity(self.state, address)
        return "VerifyEmailIdentity", None

    def list_identities(self, params):
        wanted = first_param(params, "IdentityType")
        if wanted is not None and wanted not in IDENTITY_TYPES:
            raise enum_error(wanted, "identityType", IDENTITY_TYPES)
        max_items = first_param(params, "MaxItems")
        token = first_param(params, "NextToken")
        try:
            limit = 1000 if max_items is None else int(max_items)
            start = 0 if token is None else int(token)
        except ValueError:
            raise SesError("InvalidParameterValue", 400,
                           "Invalid MaxItems or NextToken.") from None
        if limit < 1 or start < 0:
            raise SesError("InvalidParameterValue", 400,
                           "Invalid MaxItems or NextToken.")
        with self.state.lock:
            names = [name for name, rec in self.state.identities.items()
                     if wanted is None or rec["type"] == wanted]
        page = names[start:start + limit]
        members = "".join("      <member>%s</member>\n" % xml_text(n)
                          for n in page)
        result = ("    <Identities>\n%s    </Identities>\n" % members
                  if page else "    <Identities/>\n")
        if start + limit < len(names):
            result += "    <NextToken>%d</NextToken>\n" % (start + limit)
        return "ListIdentities", result


def domain_token(domain):
    """The TXT record value SES would ask for, stable per domain."""
    return base64.b64encode(
        hashlib.sha256(domain.lower().encode("utf-8")).digest()).decode()


def add_identity(state, identity, mail_from_domain=None, behavior=None,
                 verification=None):
    """Make an identity known (its VerificationStatus Success unless given);
    keeps an existing record's settings."""
    with state.lock:
        record = state.identities.get(identity)
        if record is None:
            record = {"type": "EmailAddress" if "@" in identity else "Domain",
                      "mail_from_domain": None, "behavior": "UseDefaultValue",
                      "verification": "Success"}
            state.identities[identity] = record
        if mail_from_domain is not None:
            record["mail_from_domain"] = mail_from_domain or None
        if behavior is not None:
            record["behavior"] = behavior
        if verification is not None:
            record["verification"] = verification
        return record


class ControlError(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = READ_TIMEOUT

    def version_string(self):
        return "fake-ses"

    # -- plumbing ---------------------------------------------------------

    def handle_one_request(self):
        # Nothing of the previous request on this connection may leak into
        # the log entry of a malformed next one.
        self._entry = None
        self.headers = None
        self.path = None
        super().handle_one_request()

    def __getattr__(self, name):
        # Any HTTP method reaches the same dispatcher, so garbage methods are
        # answered and logged like everything else.
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)

    def log_message(self, fmt, *args):
        if self.server.verbose:
            super().log_message(fmt, *args)

    def send_error(self, code, message=None, explain=None):
        # The stdlib answers malformed request lines and headers itself;
        # those requests are logged too.
        if self._entry is None:
            entry = self.server.state.new_entry(
                self.client_address, getattr(self, "command", None) or None,
                self.path,
                list(self.headers.items()) if self.headers is not None else [])
            raw = getattr(self, "raw_requestline", b"") or b""
            self.server.state.update(
                entry, status=code, outcome="http-error", error_code=message,
                body=raw.decode("latin-1")[:1024])
        self.close_connection = True
        if self.request_version == "HTTP/0.9":
            # The stdlib would leave out the status line for such a request.
            self.request_version = "HTTP/1.0"
        super().send_error(code, message, explain)

    def _dispatch(self):
        if self.path.startswith(CONTROL_PREFIX):
            self._control()
        else:
            self._api()

    def _read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        try:
            size = int(length)
        except ValueError:
            raise BodyError(400, "bad Content-Length") from None
        if size < 0:
            raise BodyError(400, "bad Content-Length")
        if size > MAX_BODY:
            raise BodyError(413, "body too large")
        data = self.rfile.read(size)
        if len(data) != size:
            raise BodyError(400, "body shorter than Content-Length")
        return data

    def _read_chunked(self):
        data = bytearray()
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";")[0].strip(), 16)
            except ValueError:
                raise BodyError(400, "bad chunk size") from None
            if size < 0 or len(data) + size > MAX_BODY:
                raise BodyError(413, "body too large")
            if size == 0:
                break
            chunk = self.rfile.read(size)
            if len(chunk) != size or self.rfile.readline(1024).strip():
                raise BodyError(400, "bad chunk")
            data += chunk
        for _ in range(100):
            trailer = self.rfile.readline(1024)
            if trailer in (b"\r\n", b"\n", b""):
                break
        return bytes(data)

    def _write(self, status, body, content_type, request_id=None, seconds=0.0):
        """Send one answer; with seconds > 0 the body trickles out over them.

        False if the server began stopping before the body was out.
        """
        self.send_response(status)
        if request_id:
            self.send_header("x-amzn-RequestId", request_id)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.flush()
        pieces = max(1, min(len(body), 20)) if seconds > 0 else 1
        step = max(1, -(-len(body) // pieces))
        for offset in range(0, len(body), step):
            if seconds > 0 and not self._sleep(seconds / pieces):
                return False
            self.wfile.write(body[offset:offset + step])
            self.wfile.flush()
        return True

    def _respond(self, entry, status, body, content_type="text/xml",
                 request_id=None, seconds=0.0):
        """Answer an API request; the log shows the status before the client
        can have read it, so a test may read the log right after its call."""
        state = self.server.state
        state.update(entry, status=status, outcome="sent")
        try:
            if self._write(status, body, content_type, request_id, seconds):
                return
            outcome = "stopped"
        except OSError:
            outcome = "client-gone"
        self.close_connection = True
        state.update(entry, outcome=outcome)

    def _stream_huge(self, entry, size, request_id):
        """huge-body: a 200 of `size` bytes, chunked (no Content-Length to
        refuse up front), XML that never closes; ends early when the client
        hangs up."""
        state = self.server.state
        state.update(entry, status=200, outcome="sent")
        self.close_connection = True
        head = ('<GetIdentityMailFromDomainAttributesResponse xmlns="%s">\n'
                '<!-- ' % NS).encode("utf-8")
        filler = b"x" * HUGE_CHUNK
        try:
            self.send_response(200)
            self.send_header("x-amzn-RequestId", request_id)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            sent = 0
            while sent < size:
                if state.stopping.is_set():
                    state.update(entry, outcome="stopped")
                    return
                piece = (head + filler)[:HUGE_CHUNK] if sent == 0 else filler
                piece = piece[:size - sent]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                sent += len(piece)
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except OSError:
            state.update(entry, outcome="client-gone")

    def _drip(self, entry, status, body, request_id, seconds):
        """drip: headers at once, then one byte of the body every `seconds`
        (a connection that is alive but too slow to be of use)."""
        state = self.server.state
        state.update(entry, status=status, outcome="sent")
        self.close_connection = True
        try:
            self.send_response(status)
            self.send_header("x-amzn-RequestId", request_id)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.flush()
            for i in range(len(body)):
                if not self._sleep(seconds):
                    state.update(entry, outcome="stopped")
                    return
                self.wfile.write(body[i:i + 1])
                self.wfile.flush()
        except OSError:
            state.update(entry, outcome="client-gone")

    def _sleep(self, seconds):
        """Sleep unless the server is stopping; False if it is."""
        return not self.server.state.stopping.wait(seconds)

    # -- the SES API --------------------------------------------------------

    def _api(self):
        state = self.server.state
        entry = self._entry = state.new_entry(
            self.client_address, self.command, self.path,
            list(self.headers.items()))
        rid = entry["request_id"]
        try:
            body = self._read_body()
        except BodyError as exc:
            self.close_connection = True
            err = SesError("InvalidParameterValue" if exc.status == 400
                           else "RequestEntityTooLarge", exc.status, exc.reason)
            self._send_error(entry, err)
            return
        params, parse_error = self._parse_params(body)
        action = first_param(params, "Action")
        state.update(entry, action=action, params=[list(p) for p in params],
                     body=body.decode("utf-8", "backslashreplace")
                     [:MAX_LOGGED_BODY])

        fault = state.take_fault(action)
        if fault is not None:
            state.update(entry, fault=fault.kind)
            if fault.kind in ("500", "503", "throttle", "error"):
                self._send_error(entry, fault.error)
                return
            if fault.kind == "500-nonxml":
                self._respond(entry, 500, fault.body.encode("utf-8"),
                              "text/html")
                return
            if fault.kind in ("hang", "drop"):
                if fault.process:
                    self._process(entry, params, parse_error, body)
                self._abandon(entry, fault)
                return
            if fault.kind == "huge-body":
                self._stream_huge(entry, fault.size, rid)
                return

        status, document, _ = self._process(entry, params, parse_error, body)
        if fault is not None and fault.kind == "bad-xml":
            # a 200 whatever the request was: the client must not trust it
            status = 200
            document = (fault.body.encode("utf-8") if fault.body is not None
                        else document[:len(document) // 2])
        if fault is not None and fault.kind == "drip":
            self._drip(entry, status, document, rid, fault.seconds)
            return
        if fault is not None and fault.kind == "delay":
            if not self._sleep(fault.seconds):
                self.close_connection = True
                state.update(entry, outcome="stopped")
                return
        trickle = fault.seconds if fault and fault.kind == "slow-body" else 0.0
        self._respond(entry, status, document, request_id=rid, seconds=trickle)

    def _parse_params(self, body):
        """Query-string and form parameters in the order received."""
        params = []
        error = None
        sources = [urlsplit(self.path).query]
        ctype = self.headers.get("Content-Type", "")
        if body and ctype.split(";")[0].strip().lower() == \
                "application/x-www-form-urlencoded":
            sources.append(body.decode("utf-8", "replace"))
        for source in sources:
            try:
                params += parse_qsl(source, keep_blank_values=True,
                                    errors="replace",
                                    max_num_fields=MAX_FIELDS)
            except ValueError:
                error = SesError("MalformedQueryString", 400,
                                 "Too many parameters in the request.")
        return params, error

    def _process(self, entry, params, parse_error, body):
        """Authenticate, rate-limit and run one request: (status, xml, code)."""
        state = self.server.state
        rid = entry["request_id"]
        with state.lock:
            region = state.region
        check = verify_sigv4(self.command, self.path, list(self.headers.items()),
                             body, state.lookup, state.now(), region)
        state.update(entry, access_key=check["access_key"],
                     region=check["region"],
                     signature_ok=check["signature_ok"],
                     canonical_request=check["canonical_request"])
        try:
            if check["error"] is not None:
                raise check["error"]
            if not state.admit():
                raise SesError("Throttling", 400, "Rate exceeded")
            state.update(entry, admitted=True)
            if parse_error is not None:
                raise parse_error
            action, result = Ses(state).dispatch(
                first_param(params, "Action"), params)
        except SesError as err:
            state.update(entry, error_code=err.code)
            return err.status, error_document(err, rid), err.code
        return 200, response_document(action, result, rid), None

    def _send_error(self, entry, err):
        self.server.state.update(entry, error_code=err.code)
        self._respond(entry, err.status, error_document(err, entry["request_id"]),
                      request_id=entry["request_id"])

    def _abandon(self, entry, fault):
        """hang/drop: close without an answer (after waiting, for a hang)."""
        state = self.server.state
        self.close_connection = True
        if fault.kind == "hang":
            state.update(entry, outcome="hanging")
            self._wait_for_client(fault.seconds)
        state.update(entry, outcome="dropped" if fault.kind == "drop"
                     else "hung")

    def _wait_for_client(self, seconds):
        """Hold the connection until the peer closes it or seconds pass."""
        deadline = time.monotonic() + seconds
        sock = self.connection
        while not self.server.state.stopping.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return
            try:
                ready, _, _ = select.select([sock], [], [], min(left, 0.2))
                if ready and not sock.recv(4096):
                    return
            except OSError:
                return

    # -- the control API ----------------------------------------------------

    def _control(self):
        try:
            body = self._read_body()
        except BodyError as exc:
            self.close_connection = True
            self._json(exc.status, {"error": exc.reason})
            return
        try:
            payload = json.loads(body) if body.strip() else {}
        except (ValueError, RecursionError):
            self._json(400, {"error": "body is not JSON"})
            return
        route = urlsplit(self.path).path[len(CONTROL_PREFIX):].strip("/")
        query = dict(parse_qsl(urlsplit(self.path).query))
        try:
            self._json(200, self._route(self.command, route, payload, query))
        except ControlError as exc:
            self._json(exc.status, {"error": str(exc)})

    def _json(self, status, obj):
        self._write(status, (json.dumps(obj, indent=1) + "\n").encode(),
                    "application/json")

    def _route(self, method, route, payload, query):
        state = self.server.state
        name, _, arg = route.partition("/")
        if not isinstance(payload, dict) and not (
                isinstance(payload, list) and name in ("identities", "faults")):
            raise ControlError(400, "body must be a JSON object")
        if (method, name) == ("GET", "health"):
            return {"ok": True, "pid": os.getpid()}
        if (method, name) == ("POST", "reset"):
            state.reset()
            return {"ok": True}
        if (method, name) == ("GET", "state"):
            return state.describe()
        if (method, name) == ("POST", "identities"):
            items = payload.get("identities", [payload]) \
                if isinstance(payload, dict) else payload
            return {"ok": True, "identities": [self._seed(i) for i in items]}
        if (method, name) == ("DELETE", "identities") and arg:
            with state.lock:
                gone = state.identities.pop(unquote(arg), None)
            if gone is None:
                raise ControlError(404, "no such identity")
            return {"ok": True}
        if (method, name) == ("POST", "status"):
            return self._set_status(payload)
        if (method, name) == ("POST", "verification"):
            return self._set_verification(payload)
        if (method, name) == ("GET", "faults"):
            return state.describe()["faults"]
        if (method, name) == ("POST", "faults"):
            items = payload.get("faults", [payload]) \
                if isinstance(payload, dict) else payload
            added = []
            for spec in items:
                with state.lock:
                    state.fault_seq += 1
                    fault_id = state.fault_seq
                try:
                    fault = Fault(spec, fault_id)
                except ValueError as exc:
                    raise ControlError(400, str(exc)) from None
                with state.lock:
                    state.faults.append(fault)
                added.append(fault.describe())
            return {"ok": True, "faults": added}
        if (method, name) == ("DELETE", "faults"):
            with state.lock:
                state.faults.clear()
            return {"ok": True}
        if (method, name) == ("GET", "log"):
            try:
                since = int(query.get("since", "0"))
            except ValueError:
                raise ControlError(400, "since must be an integer") from None
            return state.snapshot_log(since)
        if (method, name) == ("DELETE", "log"):
            with state.lock:
                state.log.clear()
                state.recent.clear()
            return {"ok": True}
        if (method, name) == ("GET", "stats"):
            return log_stats(state.snapshot_log())
        if (method, name) == ("POST", "config"):
            return self._config(payload)
        if (method, name) == ("POST", "creds"):
            akid = payload.get("access_key")
            secret = payload.get("secret")
            token = payload.get("token")
            if not isinstance(akid, str) or not isinstance(secret, str) \
                    or not akid or not secret \
                    or (token is not None and not isinstance(token, str)):
                raise ControlError(400, "need access_key, secret[, token]")
            with state.lock:
                state.creds[akid] = (secret, token or None)
            return {"ok": True}
        raise ControlError(404, "no control route %s %s" % (method, route))

    def _seed(self, item):
        if not isinstance(item, dict) or not isinstance(item.get("identity"), str) \
                or not item["identity"]:
            raise ControlError(400, "each identity needs an 'identity' string")
        mail_from = item.get("mail_from_domain")
        behavior = item.get("behavior")
        status = item.get("status")
        verification = item.get("verification")
        if verification is not None and verification not in VERIFICATION_STATUSES:
            raise ControlError(400, "verification must be one of "
                               + ", ".join(VERIFICATION_STATUSES))
        if mail_from is not None and not isinstance(mail_from, str):
            raise ControlError(400, "mail_from_domain must be a string")
        if behavior is not None and behavior not in BEHAVIORS:
            raise ControlError(400, "behavior must be one of "
                               + ", ".join(BEHAVIORS))
        if status is not None and (status not in STATUSES or not mail_from):
            raise ControlError(400, "status needs a mail_from_domain and one "
                               "of " + ", ".join(STATUSES))
        state = self.server.state
        record = add_identity(state, item["identity"], mail_from, behavior,
                              verification)
        if status is not None:
            with state.lock:
                state.statuses[mail_from.lower()] = status
        return dict(identity=item["identity"], **record)

    def _set_status(self, payload):
        state = self.server.state
        status = payload.get("status")
        if status not in STATUSES:
            raise ControlError(400, "status must be one of " + ", ".join(STATUSES))
        domain = payload.get("domain")
        with state.lock:
            if domain is None:
                state.default_status = status
            elif isinstance(domain, str) and domain:
                state.statuses[domain.lower()] = status
            else:
                raise ControlError(400, "domain must be a non-empty string")
        return {"ok": True}

    def _set_verification(self, payload):
        state = self.server.state
        status = payload.get("status")
        identity = payload.get("identity")
        if status not in VERIFICATION_STATUSES:
            raise ControlError(400, "status must be one of "
                               + ", ".join(VERIFICATION_STATUSES))
        with state.lock:
            record = state.identities.get(identity) \
                if isinstance(identity, str) else None
            if record is None:
                raise ControlError(404, "no such identity")
            record["verification"] = status
        return {"ok": True}

    def _config(self, payload):
        state = self.server.state
        with state.lock:
            if "rate" in payload:
                rate = payload["rate"]
                if not is_number(rate) or rate < 0:
                    raise ControlError(400, "rate must be a number >= 0")
                state.rate = float(rate)
                state.admitted.clear()
            if "clock_offset" in payload:
                offset = payload["clock_offset"]
                if not is_number(offset):
                    raise ControlError(400, "clock_offset must be a number")
                state.clock_offset = float(offset)
            if "region" in payload:
                region = payload["region"]
                if region is not None and not isinstance(region, str):
                    raise ControlError(400, "region must be a string or null")
                state.region = region
            if "disabled_shape" in payload:
                if payload["disabled_shape"] not in DISABLED_SHAPES:
                    raise ControlError(400, "disabled_shape must be one of "
                                       + ", ".join(DISABLED_SHAPES))
                state.disabled_shape = payload["disabled_shape"]
        return {"ok": True}


def max_per_window(entries, window=1.0):
    """Most log entries whose `mono` times fall within any `window` seconds."""
    monos = sorted(e["mono"] for e in entries)
    best = 0
    start = 0
    for end, mono in enumerate(monos):
        while mono - monos[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def log_stats(entries):
    """Requests per wall-clock second and the busiest sliding 1 s window.

    Counted twice: over every API request received, and over those admitted
    by the rate limiter (the ones SES would have charged to the account).
    """
    received = [e for e in entries if e.get("request_id")]
    admitted = [e for e in received if e.get("admitted")]
    per_second = collections.Counter(str(e["second"]) for e in received)
    return {"requests": len(received), "admitted": len(admitted),
            "max_in_any_second": max_per_window(received),
            "max_admitted_in_any_second": max_per_window(admitted),
            "per_second": dict(sorted(per_second.items()))}


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address, family, state, verbose):
        self.address_family = family
        self.state = state
        self.verbose = verbose
        super().__init__(address, Handler)

    def server_bind(self):
        # HTTPServer.server_bind would resolve the host name (getfqdn), which
        # can stall without DNS; loopback needs no name.
        if self.address_family == socket.AF_INET6:
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        socketserver.TCPServer.server_bind(self)
        self.server_name = self.server_address[0]
        self.server_port = self.server_address[1]

    def handle_error(self, request, client_address):
        # A client that vanishes mid-answer is routine for a fault injector;
        # anything else is a bug in this file and goes to stderr.
        if self.verbose or not isinstance(sys.exc_info()[1],
                                          (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


def parse_cred(text):
    parts = text.split(":", 2)
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise argparse.ArgumentTypeError("expected AKID:SECRET[:TOKEN]")
    return parts[0], (parts[1], parts[2] if len(parts) == 3 and parts[2] else None)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Fault-injecting fake of Amazon SES (query API 2010-12-01).")
    parser.add_argument("--host", default="127.0.0.1",
                        choices=("127.0.0.1", "::1"),
                        help="address to listen on (loopback only)")
    parser.add_argument("--ipv6", action="store_true",
                        help="also listen on [::1] at the same port")
    parser.add_argument("--port", type=int, default=0,
                        help="port; 0 picks a free one (default)")
    parser.add_argument("--port-file", help="write the port here once bound")
    parser.add_argument("--cred", action="append", type=parse_cred, default=[],
                        metavar="AKID:SECRET[:TOKEN]",
                        help="a credential the server accepts (repeatable)")
    parser.add_argument("--rate", type=float, default=1.0,
                        help="SES requests per second, account-wide; 0 = off")
    parser.add_argument("--region", help="only accept this region in the "
                        "credential scope (default: any)")
    parser.add_argument("--default-status", default="Pending", choices=STATUSES,
                        help="MailFromDomainStatus for domains not configured")
    parser.add_argument("--disabled-shape", default="absent",
                        choices=DISABLED_SHAPES,
                        help="Get for an identity without MAIL FROM: omit "
                        "MailFromDomain (absent) or send it empty")
    parser.add_argument("--identity", action="append", default=[],
                        help="an identity known from the start (repeatable)")
    parser.add_argument("--die-with-parent", action="store_true",
                        help="exit when the process that started this one "
                        "exits (a killed test run leaves no server behind)")
    parser.add_argument("--verbose", action="store_true",
                        help="log every HTTP request to stderr")
    args = parser.parse_args(argv)
    if args.rate < 0:
        parser.error("--rate must be >= 0")

    state = State(args.cred, args.rate, args.region, args.default_status,
                  args.disabled_shape)
    for identity in args.identity:
        add_identity(state, identity)

    family = socket.AF_INET6 if args.host == "::1" else socket.AF_INET
    servers = [Server((args.host, args.port), family, state, args.verbose)]
    port = servers[0].server_address[1]
    if args.ipv6 and args.host != "::1":
        servers.append(Server(("::1", port), socket.AF_INET6, state,
                              args.verbose))

    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as out:
            out.write("%d\n" % port)
        os.replace(tmp, args.port_file)
    print(port, flush=True)

    def stop(_signum, _frame):
        state.stopping.set()
        threading.Thread(target=lambda: [s.shutdown() for s in servers],
                         daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.die_with_parent:
        parent = os.getppid()

        def watch_parent():
            while not state.stopping.wait(0.5):
                if os.getppid() != parent:
                    stop(None, None)

        threading.Thread(target=watch_parent, daemon=True).start()
    threads = [threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.2})
               for s in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        while thread.is_alive():
            thread.join(0.5)
    for server in servers:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
