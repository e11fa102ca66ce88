# SPDX-License-Identifier: BSD-2-Clause
"""Mail through the real Postfix with the milter in between."""

import re
import time

from harness.logfmt import audit_rx, quote

ALICE = "alice@example.com"
BOB = "bob@example.org"
RCPT = "rcpt@example.net"


def audit(sender):
    """The milter's audit line for `sender`'s message (regex)."""
    return audit_rx(sender)


def test_no_milter_means_tempfail(postfix, sink, milter_socket):
    """The harness's own premise: with milter_default_action = tempfail,
    mail only gets through when the milter answers."""
    t = postfix.send(ALICE, [RCPT])
    assert not t.accepted, t
    assert t.last.code == 451, t
    postfix.log.wait(r"warning: connect to Milter service")
    sink.assert_none(t)


def test_harness_without_milter_when_default_is_accept(postfix, sink):
    """Postfix + smtp-sink alone: with default_action=accept an absent
    milter is skipped (and logged), and the envelope arrives intact."""
    spec = "{ unix:/ses-mailfrom/milter.sock, default_action=accept }"
    with postfix.configured(f"smtpd_milters = {spec}"):
        # An smtpd started before the reload may still take one connection
        # with the old settings: give the new generation a few tries.
        for _ in range(10):
            t = postfix.send(ALICE, [RCPT, "second@example.net"], subject="plain")
            if t.accepted:
                break
            time.sleep(0.3)
        assert t.accepted, t
        msg = sink.wait_for(t)
    assert msg.sender == ALICE
    assert msg.recipients == [RCPT, "second@example.net"]
    assert msg.header("Subject") == "plain"
    assert msg.client_addr == "127.0.0.1"
    postfix.wait_delivered(t.queue_id)
    postfix.log.wait(r"warning: connect to Milter service")


def test_delivery_through_milter(milter, postfix, sink):
    m = milter()
    t = postfix.send(ALICE, [RCPT])
    assert t.mail.code == 250 and t.rcpt[0].code == 250, t
    assert t.accepted and t.queue_id, t

    msg = sink.wait_for(t)
    assert msg.sender == ALICE
    assert msg.recipients == [RCPT]
    assert msg.queue_id == t.queue_id
    assert msg.body.strip() == "Sent by the ses-mailfrom-milter integration harness."

    m.wait_log(audit(ALICE) + r".*action=accept")
    eom = m.wait_log(rf"\b{t.queue_id}: .*")
    assert f" sender={ALICE} " in eom.group(0), eom.group(0)
    postfix.wait_delivered(t.queue_id)
    postfix.assert_milter_ok()


def test_three_messages_on_one_connection(milter, postfix, sink):
    """Per-message state must not leak: the null sender in the middle must
    not inherit the first sender, nor the third the second."""
    m = milter()
    senders = [ALICE, "", BOB]
    with postfix.smtp() as c:
        txns = [c.send(s, [f"r{i}@example.net"]) for i, s in enumerate(senders)]
    for t in txns:
        assert t.accepted, t
    assert len({t.queue_id for t in txns}) == 3

    for t, s in zip(txns, senders):
        msg = sink.wait_for(t)
        assert msg.sender == s, msg
        assert msg.recipients == t.recipients
        eom = m.wait_log(rf"\b{t.queue_id}: .*").group(0)
        assert f" sender={quote(s)} " in eom, eom
    assert m.log.count(r": msg=\S+ stage=eom ") == 3
    for s in senders:
        assert m.log.count(audit(s)) == 1, m.log.text()
    postfix.assert_milter_ok()


def test_rset_discards_the_aborted_message(milter, postfix, sink):
    """MAIL + RCPT then RSET (the abort callback), then a real message:
    nothing of the first transaction may show in the second."""
    m = milter()
    with postfix.smtp() as c:
        assert c.mail(ALICE).code == 250
        assert c.rcpt(RCPT).code == 250
        assert c.rset().code == 250
        t = c.send(BOB, [RCPT])
    assert t.accepted, t
    assert sink.wait_for(t).sender == BOB
    eom = m.wait_log(rf"\b{t.queue_id}: .*").group(0)
    assert ALICE not in eom, eom
    m.wait_log(audit(BOB))
    postfix.assert_milter_ok()


def test_local_submission_through_milter(milter, postfix, sink):
    """sendmail(1) -> pickup -> cleanup runs non_smtpd_milters."""
    m = milter()
    sub = postfix.sendmail(ALICE, [RCPT])
    assert sub.returncode == 0, sub.stderr
    msg = sink.wait_for(sub.message_id)
    assert msg.sender == ALICE
    assert msg.recipients == [RCPT]
    m.wait_log(rf"sender={re.escape(ALICE)} ")
    postfix.assert_milter_ok()
