# SPDX-License-Identifier: BSD-2-Clause
"""The decision at MAIL FROM, end to end: an SMTP client, a real Postfix, the
milter, and the MAIL FROM domains' MX answered by a real knot server (every
record state) or by a dnslib server (SERVFAIL, no answer, slow answers).
Every row of the decision table, for both BehaviorOnMXFailure values."""

import threading
import time

import pytest

from harness.logfmt import audit_rx

from dnsfix.knot import EXAMPLE_RECORDS, SES_MX, make_zone

RCPT = "rcpt@example.net"
BEHAVIORS = {"r": "RejectMessage", "d": "UseDefaultValue"}
# MAIL FROM domain state -> what SES (and so the milter) makes of it.
STATES = {
    "ok": "ok",
    "cname": "ok",
    "wrong": "wrong-host",
    "multi": "multiple",
    "null": "null-mx",
    "nodata": "nodata",
    "missing": "nxdomain",
}


def identities():
    """An address identity per (state, behaviour), plus the domain itself."""
    conf = {"identity example.test": {"mail_from_domain": "ok.example.test",
                                      "behavior_on_mx_failure": "RejectMessage"}}
    for state in STATES:
        for b, behavior in BEHAVIORS.items():
            conf[f"identity {state}-{b}@example.test"] = {
                "mail_from_domain": f"{state}.example.test",
                "behavior_on_mx_failure": behavior,
            }
    return conf


def dns_conf(server, **extra):
    d = {"servers": server, "timeout_ms": "300", "tries": "2"}
    d.update(extra)
    return {"dns": d}


def start(milter, server, milter_extra=None, dns_extra=None, ids=None):
    conf = identities() if ids is None else ids
    conf.update(dns_conf(server, **(dns_extra or {})))
    if milter_extra:
        conf["milter"] = milter_extra
    return milter(conf)


def audit(sender, **fields):
    """A regex for the audit line of sender's message with these fields."""
    return audit_rx(sender, **fields)


@pytest.mark.parametrize("state", sorted(STATES))
@pytest.mark.parametrize("b", sorted(BEHAVIORS))
def test_decision_table(milter, postfix, sink, knot, state, b):
    """Every MX state x both behaviours: the SMTP reply the client sees and
    the envelope that reaches the sink."""
    m = start(milter, knot.server)
    sender = f"{state}-{b}@example.test"
    mx = STATES[state]
    t = postfix.send(sender, [RCPT])
    if mx == "ok":
        assert t.accepted, t
        assert sink.wait_for(t).sender == sender
        m.wait_log(audit(sender, mx="ok", status="Success", action="accept"))
    elif b == "d":
        assert t.accepted, t
        assert sink.wait_for(t).sender == sender   # SES will use its default
        m.wait_log(audit(sender, mx=mx, status="Failed", behavior="UseDefaultValue",
                         action="accept", reason="use-default-value"))
    else:
        assert t.mail.code == 550 and t.mail.enhanced == "5.7.1", t
        assert f"{state}.example.test" in t.mail.text, t
        assert f"{sender}" in t.mail.text and "MailFromDomainNotVerified" in t.mail.text, t
        assert f"({mx})" in t.mail.text, t
        m.wait_log(audit(sender, mx=mx, status="Failed", behavior="RejectMessage",
                         action="reject", reply="550/5.7.1"))
    postfix.assert_milter_ok()


@pytest.mark.parametrize("b", sorted(BEHAVIORS))
def test_servfail(milter, postfix, sink, fakedns, b):
    """A transient DNS failure: RejectMessage tempfails (the client retries,
    nothing bounces), UseDefaultValue accepts."""
    fakedns.servfail("sf.example.test")
    sender = f"x@example.test"
    ids = {"identity example.test": {"mail_from_domain": "sf.example.test",
                                     "behavior_on_mx_failure": BEHAVIORS[b]}}
    m = start(milter, fakedns.server, ids=ids)
    t = postfix.send(sender, [RCPT])
    if b == "r":
        assert t.mail.code == 451 and t.mail.enhanced == "4.4.3", t
        assert "sf.example.test" in t.mail.text and "(servfail)" in t.mail.text, t
        m.wait_log(audit(sender, mx="servfail", status="TemporaryFailure", action="tempfail"))
    else:
        assert t.accepted, t
        m.wait_log(audit(sender, mx="servfail", status="TemporaryFailure", action="accept"))


def test_no_answer_is_bounded(milter, postfix, fakedns):
    """A DNS server that never answers: 451 4.4.3 within timeout_ms x tries,
    well inside Postfix's 30 s command timeout."""
    fakedns.drop("dead.example.test")
    ids = {"identity example.test": {"mail_from_domain": "dead.example.test",
                                     "behavior_on_mx_failure": "RejectMessage"}}
    m = start(milter, fakedns.server, ids=ids)
    started = time.monotonic()
    t = postfix.send("x@example.test", [RCPT])
    elapsed = time.monotonic() - started
    assert t.mail.code == 451 and t.mail.enhanced == "4.4.3", t
    assert "(timeout)" in t.mail.text, t
    assert elapsed < 3, elapsed
    m.wait_log(audit("x@example.test", mx="timeout", action="tempfail"))


def test_slow_answer_within_timeout(milter, postfix, sink, fakedns):
    fakedns.mx("slow.example.test", SES_MX, delay=0.2)
    ids = {"identity example.test": {"mail_from_domain": "slow.example.test",
                                     "behavior_on_mx_failure": "RejectMessage"}}
    start(milter, fakedns.server, ids=ids, dns_extra={"timeout_ms": "1000"})
    t = postfix.send("x@example.test", [RCPT])
    assert t.accepted, t


def test_parallel_messages_share_one_query(milter, postfix, sink, fakedns):
    """200 messages at once for one cold MAIL FROM domain: one DNS query."""
    fakedns.mx("cold.example.test", SES_MX, delay=0.5)
    ids = {"identity example.test": {"mail_from_domain": "cold.example.test",
                                     "behavior_on_mx_failure": "RejectMessage"}}
    start(milter, fakedns.server, ids=ids, dns_extra={"timeout_ms": "2000"})
    results = []
    lock = threading.Lock()

    def one(i):
        t = postfix.send(f"p{i}@example.test", [RCPT])
        with lock:
            results.append(t)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(200)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    assert len(results) == 200
    refused = [t for t in results if not t.accepted]
    assert not refused, refused[:3]
    assert fakedns.count("cold.example.test") == 1


def test_rewrite_envelope(milter, postfix, sink, knot):
    """rewrite_envelope = yes: on Success the envelope sender moves into the
    MAIL FROM domain; a failed check or a bounce is never rewritten."""
    m = start(milter, knot.server, milter_extra={"rewrite_envelope": "yes"})
    t = postfix.send("ok-r@example.test", [RCPT])
    assert t.accepted, t
    assert sink.wait_for(t).sender == "ok-r@ok.example.test"
    m.wait_log(r"stage=eom sender=ok-r@example.test .*rewritten=ok-r@ok.example.test")
    t = postfix.send("wrong-d@example.test", [RCPT])
    assert t.accepted, t
    assert sink.wait_for(t).sender == "wrong-d@example.test"
    t = postfix.send("", [RCPT])
    assert t.accepted, t
    assert sink.wait_for(t).sender == ""
    postfix.assert_milter_ok()


def test_address_identity_overrides_domain(milter, postfix, sink, knot):
    ids = {"identity example.test": {"mail_from_domain": "ok.example.test",
                                     "behavior_on_mx_failure": "RejectMessage"},
           "identity bad@example.test": {"mail_from_domain": "wrong.example.test",
                                         "behavior_on_mx_failure": "RejectMessage"}}
    m = start(milter, knot.server, ids=ids)
    t = postfix.send("bad@example.test", [RCPT])
    assert t.mail.code == 550, t
    t = postfix.send("good@example.test", [RCPT])
    assert t.accepted, t
    m.wait_log(audit("good@example.test", identity="example.test", mx="ok"))


def test_subdomain_sender_uses_parent_identity(milter, postfix, sink, knot):
    m = start(milter, knot.server)
    t = postfix.send("x@deep.sub.example.test", [RCPT])
    assert t.accepted, t
    m.wait_log(audit("x@deep.sub.example.test", identity="example.test", mx="ok"))


@pytest.mark.parametrize("action,code,enhanced", [
    ("accept", 250, None), ("reject", 550, "5.7.1"), ("tempfail", 451, "4.7.1")])
def test_unknown_sender(milter, postfix, sink, knot, action, code, enhanced):
    m = start(milter, knot.server, milter_extra={"unknown_sender": action})
    t = postfix.send("someone@unknown.test", [RCPT])
    if action == "accept":
        assert t.accepted, t
    else:
        assert t.mail.code == code and t.mail.enhanced == enhanced, t
        assert "no Amazon SES identity" in t.mail.text, t
    m.wait_log(audit("someone@unknown.test", action=action, reason="unknown-sender"))


def test_null_sender_untouched(milter, postfix, sink, knot):
    m = start(milter, knot.server, milter_extra={"unknown_sender": "reject",
                                                 "rewrite_envelope": "yes"})
    t = postfix.send("", [RCPT])
    assert t.accepted, t
    assert sink.wait_for(t).sender == ""
    m.wait_log(audit("", action="accept", reason="bounce"))


def test_mixed_case_domain(milter, postfix, sink, knot):
    m = start(milter, knot.server)
    t = postfix.send("wrong-r@EXAMPLE.Test", [RCPT])
    assert t.mail.code == 550, t
    m.wait_log(audit("wrong-r@EXAMPLE.Test", identity="wrong-r@example.test"))


def test_trailing_dot(milter, postfix, sink, knot):
    m = start(milter, knot.server)
    t = postfix.send("wrong-r@example.test.", [RCPT])
    assert t.mail.code == 550, t
    m.wait_log(r"identity=wrong-r@example.test ")


def test_scope_authenticated_skips_unauthenticated(milter, postfix, sink, knot):
    m = start(milter, knot.server, milter_extra={"scope": "authenticated"})
    t = postfix.send("wrong-r@example.test", [RCPT])
    assert t.accepted, t
    m.wait_log(audit("wrong-r@example.test", action="accept", reason="out-of-scope"))


def test_local_submission_is_never_refused(milter, postfix, sink, knot):
    """sendmail(1): a RejectMessage failure is audited, not applied."""
    m = start(milter, knot.server)
    sub = postfix.sendmail("wrong-r@example.test", [RCPT])
    assert sub.returncode == 0, sub.stderr
    msg = sink.wait_for(sub.message_id)
    assert msg.sender == "wrong-r@example.test"
    m.wait_log(r"sender=wrong-r@example.test .*mx=wrong-host .*action=accept"
               r".*spared=reject .*origin=local")
    postfix.assert_milter_ok()


def test_changed_record_seen_after_ttl(milter, postfix, sink, knot):
    """short.example.test has a 2-second TTL: a broken record is not seen
    while the good answer is cached, and is seen once it expires."""
    ids = {"identity example.test": {"mail_from_domain": "short.example.test",
                                     "behavior_on_mx_failure": "RejectMessage"}}
    start(milter, knot.server, ids=ids)
    t = postfix.send("a@example.test", [RCPT])
    assert t.accepted, t
    broken = EXAMPLE_RECORDS.replace(f"short     2 IN MX    10 {SES_MX}.",
                                     "short     2 IN MX    10 elsewhere.example.net.")
    knot.set_zone("example.test", make_zone("example.test", broken, serial=2))
    try:
        t = postfix.send("b@example.test", [RCPT])
        assert t.accepted, t            # still cached
        time.sleep(2.5)
        t = postfix.send("c@example.test", [RCPT])
        assert t.mail.code == 550 and "(wrong-host)" in t.mail.text, t
    finally:
        knot.set_zone("example.test", make_zone("example.test", EXAMPLE_RECORDS, serial=3))


def test_reject_text_is_configurable(milter, postfix, knot):
    start(milter, knot.server, milter_extra={
        "reject_reply": "no: %{domain} for %{identity} is %{mx}, 100% sure"})
    t = postfix.send("null-r@example.test", [RCPT])
    assert t.mail.code == 550, t
    assert "no: null.example.test for null-r@example.test is null-mx, 100% sure" in t.mail.text
