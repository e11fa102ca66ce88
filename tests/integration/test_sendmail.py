# SPDX-License-Identifier: BSD-2-Clause
"""The decision at MAIL FROM through a real Sendmail 8.17 (harness/sendmail.py):
an SMTP client, Sendmail with contrib/sendmail.mc as shipped (test-only
lines around it), the milter, smtp-sink behind; sendmail(1) through the MSP
with contrib/submit.mc; SMTP AUTH against a private sasldb; the MX answers
from knot (every record state) and a dnslib server (SERVFAIL, no answer).

What differs from Postfix and is checked here: Sendmail knows the queue id
at MAIL FROM (the audit line carries it, not NOQUEUE); it drops a filter's
reply whose codes disagree or whose '%' is not doubled (the client must see
exactly the configured text); and sendmail(1) mail arrives over SMTP from
127.0.0.1, known only by the MTA daemon the MSP relays to."""

import os
import re

import pytest

from harness.sendmail import AUTH_PASSWORD, AUTH_USER, queue_id
from test_mailfrom import BEHAVIORS, STATES, audit, dns_conf, identities

RCPT = "rcpt@example.net"


def start(sm_milter, server, milter_extra=None, ids=None):
    conf = identities() if ids is None else ids
    conf.update(dns_conf(server))
    conf["milter"] = dict(milter_extra or {}, socket=sm_milter.socket)
    return sm_milter(conf)


def sm_any(sender, **fields):
    """The message's audit line, with whatever queue id but NOQUEUE."""
    return audit(sender, **fields).replace(r"^\S+:", r"^(?!NOQUEUE)\w+:", 1)


def sm_audit(qid, sender, stage=None, **fields):
    """The message's audit line, starting with Sendmail's queue id (known
    at MAIL FROM already), at STAGE if given."""
    rx = audit(sender, **fields).replace(r"^\S+:", "^" + re.escape(qid) + ":", 1)
    if stage is not None:
        rx = rx.replace(r"stage=\w+", "stage=" + stage, 1)
    return rx


def text(reply, sender):
    """A refusal's text as the filter set it: Sendmail puts "<sender>... "
    before a 5xx to MAIL FROM (not before a 4xx); nothing else may differ."""
    prefix = f"<{sender}>... "
    return reply.text[len(prefix):] if reply.text.startswith(prefix) else reply.text


def reject_text(sender, state, mx):
    return (f"MAIL FROM domain {state}.example.test of SES identity {sender} "
            f"failed its MX check ({mx}): MailFromDomainNotVerified")


def test_no_milter_means_tempfail(sendmail, sink):
    """F=T: with the filter down, Sendmail tempfails; so every accepted
    message in this file has proven that the filter answered."""
    t = sendmail.send("ok-r@example.test", [RCPT])
    assert not t.accepted, t
    assert t.last.temporary, t
    sink.assert_none(t)


@pytest.mark.parametrize("state", sorted(STATES))
@pytest.mark.parametrize("b", sorted(BEHAVIORS))
def test_decision_table(sm_milter, sendmail, sink, knot, state, b):
    """Every MX state x both behaviours through Sendmail: the reply the
    client sees, the envelope at the sink, the audit line with the queue id."""
    m = start(sm_milter, knot.server)
    sender = f"{state}-{b}@example.test"
    mx = STATES[state]
    t = sendmail.send(sender, [RCPT])
    if mx == "ok" or b == "d":
        assert t.accepted, t
        qid = queue_id(t)
        assert sink.wait_for(t).sender == sender
        status, action = ("Success", "accept") if mx == "ok" else ("Failed", "accept")
        m.wait_log(sm_audit(qid, sender, stage="eom", mx=mx, status=status,
                            action=action))
        sendmail.wait_sent(qid)
    else:
        assert (t.mail.code, t.mail.enhanced) == (550, "5.7.1"), t
        assert text(t.mail, t.sender) == reject_text(sender, state, mx), t
        # Sendmail knows the queue id at MAIL FROM, refused or not.
        m.wait_log(sm_any(sender, mx=mx, status="Failed", behavior="RejectMessage",
                          action="reject", reply="550/5.7.1"))
    sendmail.assert_milter_ok()


@pytest.mark.parametrize("b", sorted(BEHAVIORS))
def test_servfail_reaches_the_client_unchanged(sm_milter, sendmail, sink, fakedns, b):
    fakedns.servfail("sf.example.test")
    ids = {"identity example.test": {"mail_from_domain": "sf.example.test",
                                     "behavior_on_mx_failure": BEHAVIORS[b]}}
    m = start(sm_milter, fakedns.server, ids=ids)
    t = sendmail.send("x@example.test", [RCPT])
    if b == "r":
        assert (t.mail.code, t.mail.enhanced) == (451, "4.4.3"), t
        assert text(t.mail, t.sender) == ("MAIL FROM domain sf.example.test of SES identity example.test: "
                               "MX check failed temporarily (servfail), try again later"), t
        m.wait_log(sm_any("x@example.test", mx="servfail", status="TemporaryFailure",
                         action="tempfail", reply="451/4.4.3"))
    else:
        assert t.accepted, t
        sink.wait_for(t)
        m.wait_log(sm_any("x@example.test", mx="servfail", action="accept"))


def test_no_answer_tempfails(sm_milter, sendmail, fakedns):
    fakedns.drop("dead.example.test")
    ids = {"identity example.test": {"mail_from_domain": "dead.example.test",
                                     "behavior_on_mx_failure": "RejectMessage"}}
    start(sm_milter, fakedns.server, ids=ids)
    t = sendmail.send("x@example.test", [RCPT])
    assert (t.mail.code, t.mail.enhanced) == (451, "4.4.3"), t
    assert "(timeout)" in t.mail.text, t


def test_percent_in_texts_and_sender(sm_milter, sendmail, knot):
    """libmilter wants '%' doubled and Sendmail replaces a reply that
    breaks the rule by a generic one: the client must see exactly the
    configured text, with the sender's '%' too."""
    ids = {"identity example.test": {"mail_from_domain": "wrong.example.test",
                                     "behavior_on_mx_failure": "RejectMessage"}}
    start(sm_milter, knot.server, ids=ids, milter_extra={
        "reject_reply": "100% no: <%{sender}> via %{domain} is %{mx} (%d %s %%)",
        "unknown_sender": "reject"})
    sender = "50%off@example.test"
    t = sendmail.send(sender, [RCPT])
    assert (t.mail.code, t.mail.enhanced) == (550, "5.7.1"), t
    assert text(t.mail, t.sender) == f"100% no: <{sender}> via wrong.example.test is wrong-host (%d %s %%)", t
    t = sendmail.send("10%@unknown.test", [RCPT])
    assert (t.mail.code, t.mail.enhanced) == (550, "5.7.1"), t
    assert text(t.mail, t.sender) == "sender <10%@unknown.test> has no Amazon SES identity on this gateway", t
    sendmail.assert_milter_ok()


def test_tempfail_text_is_configurable(sm_milter, sendmail, fakedns):
    fakedns.servfail("sf.example.test")
    ids = {"identity example.test": {"mail_from_domain": "sf.example.test",
                                     "behavior_on_mx_failure": "RejectMessage"}}
    start(sm_milter, fakedns.server, ids=ids,
          milter_extra={"tempfail_reply": "later: %{domain} 50% (%{mx})"})
    t = sendmail.send("x@example.test", [RCPT])
    assert (t.mail.code, t.mail.enhanced) == (451, "4.4.3"), t
    assert text(t.mail, t.sender) == "later: sf.example.test 50% (servfail)", t


def test_rewrite_envelope(sm_milter, sendmail, sink, knot):
    """On Success the envelope sender moves into the MAIL FROM domain
    (smfi_chgfrom at end of message); a failed check or a bounce is never
    rewritten."""
    m = start(sm_milter, knot.server, milter_extra={"rewrite_envelope": "yes"})
    t = sendmail.send("ok-r@example.test", [RCPT])
    assert t.accepted, t
    assert sink.wait_for(t).sender == "ok-r@ok.example.test"
    m.wait_log(sm_audit(queue_id(t), "ok-r@example.test", stage="eom",
                        rewritten="ok-r@ok.example.test"))
    t = sendmail.send("wrong-d@example.test", [RCPT])
    assert t.accepted, t
    assert sink.wait_for(t).sender == "wrong-d@example.test"
    t = sendmail.send("", [RCPT])
    assert t.accepted, t
    assert sink.wait_for(t).sender == ""
    sendmail.assert_milter_ok()


def test_scope_authenticated_with_smtp_auth(sm_milter, sendmail, sink, knot):
    """scope = authenticated: a real AUTH PLAIN login (Cyrus SASL, the
    test's sasldb) puts {auth_authen} in the MAIL FROM macros, and only
    then does the filter decide."""
    m = start(sm_milter, knot.server, milter_extra={"scope": "authenticated"})
    t = sendmail.send("wrong-r@example.test", [RCPT])
    assert t.accepted, t
    m.wait_log(sm_any("wrong-r@example.test", action="accept", reason="out-of-scope"))
    with sendmail.smtp() as c:
        code, msg = c.conn.login(AUTH_USER, AUTH_PASSWORD)
        assert code == 235, (code, msg)
        refused = c.send("wrong-r@example.test", [RCPT])
        accepted = c.send("ok-r@example.test", [RCPT])
    assert (refused.mail.code, refused.mail.enhanced) == (550, "5.7.1"), refused
    assert text(refused.mail, refused.sender) == reject_text("wrong-r@example.test", "wrong", "wrong-host")
    assert accepted.accepted, accepted
    assert sink.wait_for(accepted).sender == "ok-r@example.test"
    m.wait_log(sm_any("wrong-r@example.test", action="reject", reason="reject-message"))
    m.wait_log(sm_audit(queue_id(accepted), "ok-r@example.test", mx="ok", action="accept"))


@pytest.mark.parametrize("action,code,enhanced", [
    ("accept", 250, None), ("reject", 550, "5.7.1"), ("tempfail", 451, "4.7.1")])
def test_unknown_sender(sm_milter, sendmail, sink, knot, action, code, enhanced):
    m = start(sm_milter, knot.server, milter_extra={"unknown_sender": action})
    t = sendmail.send("someone@unknown.test", [RCPT])
    if action == "accept":
        assert t.accepted, t
        sink.wait_for(t)
    else:
        assert (t.mail.code, t.mail.enhanced) == (code, enhanced), t
        assert text(t.mail, t.sender) == ("sender <someone@unknown.test> has no Amazon SES "
                               "identity on this gateway"), t
    m.wait_log(sm_any("someone@unknown.test", action=action, reason="unknown-sender"))


def test_null_sender_untouched(sm_milter, sendmail, sink, knot):
    m = start(sm_milter, knot.server, milter_extra={"unknown_sender": "reject",
                                                   "rewrite_envelope": "yes"})
    t = sendmail.send("", [RCPT])
    assert t.accepted, t
    assert sink.wait_for(t).sender == ""
    m.wait_log(sm_audit(queue_id(t), "", action="accept", reason="bounce"))


def test_three_messages_on_one_connection(sm_milter, sendmail, sink, knot):
    """Per-message state and queue ids: each audit line carries its own."""
    m = start(sm_milter, knot.server)
    senders = ["ok-r@example.test", "", "wrong-d@example.test"]
    with sendmail.smtp() as c:
        txns = [c.send(s, [f"r{i}@example.net"]) for i, s in enumerate(senders)]
    assert all(t.accepted for t in txns), txns
    assert len({queue_id(t) for t in txns}) == 3
    for t, s in zip(txns, senders):
        assert sink.wait_for(t).sender == s
        m.wait_log(sm_audit(queue_id(t), s, stage="eom", action="accept"))


def test_local_submission_is_never_refused(sm_milter, sendmail, sink, knot):
    """sendmail(1) -> MSP (contrib/submit.mc) -> the MTA's local-submit
    daemon (contrib/sendmail.mc): a RejectMessage failure is audited and
    spared; the same sender over SMTP is refused."""
    m = start(sm_milter, knot.server)
    sub = sendmail.submit("wrong-r@example.test", [RCPT])
    assert sub.returncode == 0, sub
    assert sink.wait_for(sub.message_id).sender == "wrong-r@example.test"
    m.wait_log(audit("wrong-r@example.test", mx="wrong-host", action="accept",
                     spared="reject", origin="local"))
    t = sendmail.send("wrong-r@example.test", [RCPT])
    assert (t.mail.code, t.mail.enhanced) == (550, "5.7.1"), t
    sendmail.log.wait(r"daemon=local-submit")
    sendmail.assert_milter_ok()


def test_local_submission_tempfail_spared(sm_milter, sendmail, sink, fakedns):
    fakedns.servfail("sf.example.test")
    ids = {"identity example.test": {"mail_from_domain": "sf.example.test",
                                     "behavior_on_mx_failure": "RejectMessage"}}
    m = start(sm_milter, fakedns.server, ids=ids)
    sub = sendmail.submit("x@example.test", [RCPT])
    assert sub.returncode == 0, sub
    assert sink.wait_for(sub.message_id).sender == "x@example.test"
    m.wait_log(audit("x@example.test", mx="servfail", action="accept",
                     spared="tempfail", origin="local"))


def test_without_local_daemons_the_msp_mail_is_refused(sm_milter, sendmail, sink, knot):
    """The control: with local_daemons empty the filter cannot tell the
    MSP's relay from any SMTP client, and the submission is refused (the
    failure the issue reported)."""
    m = start(sm_milter, knot.server, milter_extra={"local_daemons": ""})
    sub = sendmail.submit("wrong-r@example.test", [RCPT])
    m.wait_log(audit("wrong-r@example.test", action="reject"))
    assert "origin=local" not in m.log.text()
    sendmail.log.wait(r"stat=.*5\.7\.1|reject=550")
    assert not [s for s in sink.messages() if s.message_id == sub.message_id]


def test_contrib_mc_as_shipped(sendmail, smf_root):
    """contrib/sendmail.mc and submit.mc with nothing around them but the
    m4 tree: the socket is the default configuration's, the local daemon
    is on loopback under the name local_daemons defaults to, the MSP relays
    to its port, and the macros the filter reads are sent."""
    def cf(name, mc):
        return sendmail.m4(f"include(`{sendmail.cfdir}/m4/cf.m4')dnl\nOSTYPE(`linux')dnl\n"
                           + mc, os.path.join(sendmail.base, f"shipped-{name}.cf"))

    with open(os.path.join(smf_root, "contrib", "sendmail.mc")) as f:
        mta = cf("mta", f.read() + "MAILER(`local')dnl\nMAILER(`smtp')dnl\n")
    with open(os.path.join(smf_root, "contrib", "submit.mc")) as f:
        # As in Debian's submit.mc (the MSP feature brings its mailers).
        msp = cf("msp", f.read() + "FEATURE(`msp', `[127.0.0.1]', `25')dnl\n")
    with open(os.path.join(smf_root, "conf", "ses-mailfrom-milter.conf")) as f:
        conf = f.read()
    socket = re.search(r"(?m)^socket = unix:(\S+)$", conf).group(1)
    local = re.search(r"(?m)^local_daemons = (\S+)$", conf).group(1)

    filt = re.search(r"(?m)^Xses-mailfrom, S=local:(\S+), F=T, T=", mta)
    assert filt and filt.group(1) == socket, mta
    daemon = re.search(r"(?m)^O DaemonPortOptions=(.*Name=local-submit.*)$", mta).group(1)
    assert f"Name={local}," in daemon and "Addr=127.0.0.1" in daemon, daemon
    port = re.search(r"Port=(\d+)", daemon).group(1)
    relay = re.search(r"(?ms)^Mrelay,.*?A=TCP \$h (\d+)$", msp)
    assert relay and relay.group(1) == port, msp
    macros = dict(re.findall(r"(?m)^O Milter\.macros\.(\w+)=(.*)$", mta))
    assert "{daemon_name}" in macros["connect"].split(", "), macros
    assert {"i", "{auth_authen}"} <= set(macros["envfrom"].split(", ")), macros
    # The harness's own .cf is the shipped snippet plus test-only lines.
    with open(sendmail.mta_cf) as f:
        used = f.read()
    assert f"Name={local}," in used and f"S=local:{sendmail.milter_dir}/" in used
