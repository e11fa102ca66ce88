# SPDX-License-Identifier: BSD-2-Clause
"""Every form of a sender finds its identity, end to end through the test
Postfix with knot zones: an internationalised identity written with
U-labels in the configuration, senders in U-label (SMTPUTF8), upper-case
U-label and A-label form; local parts quoted without need or with quoted
pairs. Under RejectMessage with a failing MAIL FROM domain, all are
refused alike; without the mapping they would pass as unknown senders."""

import os
import re

import pytest

from harness.logfmt import audit_rx

from dnsfix.knot import EXAMPLE_RECORDS, SES_MX, Knot, make_zone

RCPT = "rcpt@example.net"
IDN_ZONE = "xn--mller-kva.test"          # müller.test
IDN_RECORDS = f"""\
good     IN MX    10 {SES_MX}.
"""


@pytest.fixture(scope="module")
def knot(workdir):
    k = Knot(os.path.join(workdir, "knot-forms"),
             {"example.test": make_zone("example.test", EXAMPLE_RECORDS),
              IDN_ZONE: make_zone(IDN_ZONE, IDN_RECORDS)}).start()
    yield k
    k.stop()


def start(milter, knot):
    conf = {
        "milter": {"unknown_sender": "accept"},
        "dns": {"servers": knot.server, "timeout_ms": "300", "tries": "2"},
        # U-labels in the configuration; bounce.müller.test does not exist
        "identity müller.test": {"mail_from_domain": "bounce.müller.test",
                                 "behavior_on_mx_failure": "RejectMessage"},
        "identity good@müller.test": {"mail_from_domain": "good.müller.test",
                                      "behavior_on_mx_failure": "RejectMessage"},
        "identity example.test": {"mail_from_domain": "ok.example.test",
                                  "behavior_on_mx_failure": "RejectMessage"},
        "identity alice@example.test": {"mail_from_domain": "wrong.example.test",
                                        "behavior_on_mx_failure": "RejectMessage"},
    }
    return milter(conf)


def send_utf8(postfix, sender):
    """MAIL FROM with SMTPUTF8, the sender in UTF-8 on the wire."""
    with postfix.smtp() as c:
        c.conn.command_encoding = "utf-8"
        return c.send(sender, [RCPT], mail_options=["SMTPUTF8"])


def audit(sender, **fields):
    """A regex for the audit line of sender's message with these fields."""
    return audit_rx(sender, **fields)


@pytest.mark.parametrize("sender,utf8", [
    ("anna@müller.test", True),
    ("anna@MÜLLER.test", True),
    ("anna@xn--mller-kva.test", False),
    ("anna@XN--MLLER-KVA.TEST", False),
])
def test_idn_sender_forms_are_one_identity(milter, postfix, knot, sender, utf8):
    m = start(milter, knot)
    t = send_utf8(postfix, sender) if utf8 else postfix.send(sender, [RCPT])
    assert (t.mail.code, t.mail.enhanced) == (550, "5.7.1"), t
    assert "bounce.xn--mller-kva.test" in t.mail.text, t
    assert "(nxdomain)" in t.mail.text, t
    # mailbox= only where the form compared differs from the one received
    if sender != "anna@xn--mller-kva.test":
        m.wait_log(audit(sender, mailbox="anna@xn--mller-kva.test"))
    m.wait_log(audit(sender, identity="xn--mller-kva.test",
                     mail_from_domain="bounce.xn--mller-kva.test", mx="nxdomain",
                     action="reject"))
    postfix.assert_milter_ok()


def test_idn_address_identity_with_a_good_domain(milter, postfix, sink, knot):
    m = start(milter, knot)
    t = postfix.send("good@xn--mller-kva.test", [RCPT])
    assert t.accepted, t
    assert sink.wait_for(t).sender == "good@xn--mller-kva.test"
    m.wait_log(audit("good@xn--mller-kva.test", identity="good@xn--mller-kva.test",
                     mail_from_domain="good.xn--mller-kva.test", mx="ok",
                     action="accept"))


def test_invalid_idn_sender_is_an_unknown_sender(milter, postfix, knot):
    """Invalid Punycode never matches an identity: unknown_sender decides."""
    m = start(milter, knot)
    t = postfix.send("anna@xn--zz.test", [RCPT])
    assert t.accepted, t
    m.wait_log(audit("anna@xn--zz.test", action="accept",
                     reason="invalid internationalised domain"))


@pytest.mark.parametrize("sender", [
    '"alice"@example.test',
    '"al\\ice"@example.test',
    '"\\a\\l\\i\\c\\e"@example.test',
])
def test_quoted_local_part_is_the_same_mailbox(milter, postfix, knot, sender):
    """alice@example.test has a failing MAIL FROM domain, its domain a good
    one: a needlessly quoted alice must not fall through to the domain."""
    m = start(milter, knot)
    t = postfix.send(sender, [RCPT])
    assert (t.mail.code, t.mail.enhanced) == (550, "5.7.1"), t
    assert "wrong.example.test" in t.mail.text, t
    m.wait_log(rf"stage=mail sender=\S+@example\.test\"? "
               rf"mailbox=alice@example.test identity=alice@example.test "
               rf".*mx=wrong-host .*action=reject")
    postfix.assert_milter_ok()


def test_quoted_local_part_that_needs_quotes_stays_itself(milter, postfix, sink, knot):
    m = start(milter, knot)
    t = postfix.send('"alice smith"@example.test', [RCPT])
    assert t.accepted, t
    m.wait_log(r"identity=example.test .*mx=ok .*action=accept")
