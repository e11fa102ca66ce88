# SPDX-License-Identifier: BSD-2-Clause
"""Differential test of ses/sesxml against botocore's query-protocol parser.

Generated SES answers (seeded) go through tests/tools/sesxml_dump and through
botocore.parsers.QueryParser with the SES model: the maps of both Gets
(GetIdentityMailFromDomainAttributes, GetIdentityVerificationAttributes; in
order, each with its own members only, the other's mixed in to be ignored),
the error members and the RequestId must agree, and for malformed documents our
reason must be ElementTree's, word for word, since the CLI prints it in
"Unable to parse response (REASON), invalid XML received".

Known, deliberate differences kept out of the generated documents: an empty
error member is None in botocore and "" here; an <entry> without <key> or
<value>, repeated error members and DTDs are not compared.
"""

import json
import os
import random
import subprocess
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

import botocore.session
import pytest
from botocore.parsers import QueryParser

BUILD = os.environ.get("SMF_BUILD", "/work/main/build")
HELPER = os.path.join(BUILD, "tests", "sesxml_dump")
NS = "http://ses.amazonaws.com/doc/2010-12-01/"
SEED = 1126
OK, EXML = 0, 1
MEMBERS = ["MailFromDomain", "MailFromDomainStatus", "BehaviorOnMXFailure"]
VERIFICATION_MEMBERS = ["VerificationStatus", "VerificationToken"]
# the order of sesxml_dump's entries after the identity
ALL_MEMBERS = MEMBERS + VERIFICATION_MEMBERS
CHARS = ["a", "b", "-", ".", "@", "+", " ", "&", "<", ">", "\"", "'",
         "\u00e9", "\u65e5", "\U0001f600", "~", "*", "%", "\t"]

_model = botocore.session.get_session().get_service_model("ses")
GET_SHAPE = _model.operation_model(
    "GetIdentityMailFromDomainAttributes").output_shape
VERIFICATION_SHAPE = _model.operation_model(
    "GetIdentityVerificationAttributes").output_shape


def text(rng, lo=0, hi=12):
    return "".join(rng.choice(CHARS) for _ in range(rng.randint(lo, hi)))


def xml_text(rng, s):
    """Escaped, some characters as references, sometimes CDATA."""
    if rng.random() < 0.1 and "]]>" not in s:
        return f"<![CDATA[{s}]]>"
    refs = rng.random() < 0.3
    return "".join(
        rng.choice([f"&#{ord(c)};", f"&#x{ord(c):x};"])
        if refs and rng.random() < 0.3
        else escape(c, {"\"": "&quot;", "'": "&apos;"}) for c in s)


class Writer:
    """Writes one document with a random namespace style and layout."""

    def __init__(self, rng):
        self.rng = rng
        self.style = rng.randrange(3)
        self.nl = rng.choice(["", "\n", "\n  "])

    def tag(self, name):
        return f"ses:{name}" if self.style == 2 else name

    def root(self, name, inner):
        attr = ""
        if self.style == 1:
            attr = f' xmlns="{NS}"'
        elif self.style == 2:
            attr = f' xmlns:ses="{NS}"'
        decl = '<?xml version="1.0" encoding="UTF-8"?>\n' \
            if self.rng.random() < 0.3 else ""
        t = self.tag(name)
        return f"{decl}<{t}{attr}>{self.nl}{inner}{self.nl}</{t}>"

    def el(self, name, inner):
        t = self.tag(name)
        if inner == "" and self.rng.random() < 0.5:
            return f"<{t}/>"
        return f"<{t}>{inner}</{t}>"

    def join(self, parts):
        return self.nl.join(parts)


def attributes_document(rng, action, map_name, own, other):
    """An ACTION answer: MAP_NAME's entries with members of OWN and, now and
    then, one of OTHER (a member of the other Get's map)."""
    w = Writer(rng)
    entries = []
    for _ in range(rng.randint(0, 6)):
        ident = text(rng, 0, 10) if rng.random() < 0.9 else "dup"
        members = [m for m in own if rng.random() < 0.7]
        if rng.random() < 0.2:
            members.append(rng.choice(other))
        rng.shuffle(members)
        value = w.join(w.el(m, xml_text(rng, text(rng))) for m in members)
        entries.append(w.el("entry", w.el("key", xml_text(rng, ident)) +
                            w.el("value", value)))
    result = w.el(action + "Result", w.el(map_name, w.join(entries)))
    meta = w.el("ResponseMetadata",
                w.el("RequestId", xml_text(rng, text(rng, 1))))
    parts = [result, meta] if rng.random() < 0.9 else [result]
    return w.root(action + "Response", w.join(parts)).encode()


def get_document(rng):
    return attributes_document(rng, "GetIdentityMailFromDomainAttributes",
                               "MailFromDomainAttributes", MEMBERS,
                               VERIFICATION_MEMBERS)


def verification_document(rng):
    return attributes_document(rng, "GetIdentityVerificationAttributes",
                               "VerificationAttributes", VERIFICATION_MEMBERS,
                               MEMBERS)


def error_document(rng):
    w = Writer(rng)
    members = []
    for m in ["Type", "Code", "Message"]:
        if rng.random() < 0.8:
            members.append(w.el(m, xml_text(rng, text(rng, 1))))
    rng.shuffle(members)
    error = w.el("Error", w.join(members))
    if rng.random() < 0.3:
        error = w.el("Errors", error)
    parts = [error]
    if rng.random() < 0.8:
        parts.append(w.el("RequestId", xml_text(rng, text(rng, 1))))
    return w.root("ErrorResponse", w.join(parts)).encode()


def broken_document(rng):
    doc = bytearray(rng.choice([get_document, verification_document,
                                error_document])(rng))
    kind = rng.randrange(4)
    if kind == 0:
        return bytes(doc[:rng.randrange(len(doc))])
    if kind == 1:
        for _ in range(rng.randint(1, 3)):
            doc[rng.randrange(len(doc))] = rng.choice(b"<>&/\"'=;x\x00\xff")
        return bytes(doc)
    if kind == 2:
        return bytes(doc) + rng.choice([b"<x/>", b"junk", b"</a>"])
    return rng.choice([b"", b"not xml", b"<html><body>500</body>",
                       b'{"message": "Internal Server Error"}',
                       b"<a xmlns:p='urn:x'><q:b/></a>", b"\xef\xbb\xbf<a>"])


def run_helper(docs):
    proc = subprocess.run([HELPER], input=b"".join(d.hex().encode() + b"\n"
                                                   for d in docs),
                          capture_output=True, check=False, timeout=60)
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(out) == len(docs), proc.stderr
    return out


def et_reason(doc):
    """ElementTree's reason for refusing DOC, as botocore reports it."""
    parser = ET.XMLParser(target=ET.TreeBuilder(), encoding="utf-8")
    try:
        parser.feed(doc)
        parser.close()
    except ET.ParseError as e:
        return str(e)
    return None


def botocore_map(doc, shape, map_name):
    parsed = QueryParser().parse(
        {"body": doc, "headers": {}, "status_code": 200}, shape)
    attrs = parsed.get(map_name, {})
    entries = [[k] + [v.get(m) for m in ALL_MEMBERS] for k, v in attrs.items()]
    return entries, parsed.get("ResponseMetadata", {}).get("RequestId")


def botocore_error(doc):
    parsed = QueryParser().parse(
        {"body": doc, "headers": {}, "status_code": 400}, None)
    err = parsed.get("Error") or {}
    # An empty member is None for botocore and "" for us.
    fix = {k: ("" if v is None else v) for k, v in err.items()}
    return ([fix.get("Type"), fix.get("Code"), fix.get("Message")],
            parsed.get("ResponseMetadata", {}).get("RequestId"))


@pytest.mark.parametrize("make,shape,map_name,kind,seed", [
    (get_document, GET_SHAPE, "MailFromDomainAttributes", 2, SEED),
    (verification_document, VERIFICATION_SHAPE, "VerificationAttributes", 4,
     SEED + 3),
], ids=["mail-from", "verification"])
def test_get_answers_agree(make, shape, map_name, kind, seed):
    rng = random.Random(seed)
    docs = [make(rng) for _ in range(300)]
    same = 0
    for doc, ours in zip(docs, run_helper(docs)):
        assert ours["status"] == OK, (doc, ours)
        assert ours["kind"] == kind
        entries, request_id = botocore_map(doc, shape, map_name)
        assert ours["entries"] == entries, doc
        assert ours["request_id"] == request_id, doc
        same += 1
    print(f"\nsesxml {map_name} vs botocore: {same}/{len(docs)} identical")


def test_error_answers_agree():
    rng = random.Random(SEED + 1)
    docs = [error_document(rng) for _ in range(300)]
    same = 0
    for doc, ours in zip(docs, run_helper(docs)):
        assert ours["status"] == OK, (doc, ours)
        assert ours["kind"] == 1
        members, request_id = botocore_error(doc)
        assert [ours["type"], ours["code"], ours["message"]] == members, doc
        assert ours["request_id"] == request_id, doc
        same += 1
    print(f"\nsesxml errors vs botocore: {same}/{len(docs)} identical")


def test_malformed_reasons_are_elementtree_s():
    rng = random.Random(SEED + 2)
    docs = [broken_document(rng) for _ in range(400)]
    refused = 0
    for doc, ours in zip(docs, run_helper(docs)):
        reason = et_reason(doc)
        if reason is None:
            assert ours["status"] != EXML, (doc, ours)
            continue
        refused += 1
        assert ours["status"] == EXML, (doc, ours)
        assert ours["error"] == reason, doc
    print(f"\nsesxml malformed: {refused} refused with ElementTree's reason, "
          f"{len(docs) - refused} still well-formed")
    assert refused > 200
