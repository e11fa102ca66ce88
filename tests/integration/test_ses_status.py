# SPDX-License-Identifier: BSD-2-Clause
"""SES's own MailFromDomainStatus joins the MX check, end to end: the
daemon's synchroniser reads the statuses seeded in the fake SES, re-verifies
a Failed identity whose MX now passes, and mail sent through the test
Postfix is decided by the more severe of SES's status and the live MX
answer (a dnslib server), for both behaviours."""

import re

import pytest

from harness.logfmt import audit_rx

from dnsfix.fakedns import FakeDNS
from dnsfix.knot import SES_MX
# the synchroniser's fixtures: a module-wide fake SES, a closed AWS environment
from test_sync import PASS_OK, daemon_conf, daemon_env, fake, home, ses  # noqa: F401

RCPT = "rcpt@example.net"
SET = "SetIdentityMailFromDomain"

# identity: (SES status, MX of its MAIL FROM domain right?, behaviour)
SEEDED = {
    "s-r.test": ("Success", True, "RejectMessage"),
    "p-r.test": ("Pending", True, "RejectMessage"),
    "t-r.test": ("TemporaryFailure", True, "RejectMessage"),
    "p-d.test": ("Pending", True, "UseDefaultValue"),
    "fb-r.test": ("Failed", False, "RejectMessage"),
    "s-bad-r.test": ("Success", False, "RejectMessage"),
    "f-r.test": ("Failed", True, "RejectMessage"),
}


@pytest.fixture
def dns():
    d = FakeDNS().start()
    yield d
    d.stop()


def start(fake, dns, milter):
    for name, (status, mx_ok, behavior) in SEEDED.items():
        fake.verify_identity(name, mail_from_domain=f"b.{name}", behavior=behavior,
                             status=status)
        if mx_ok:
            dns.mx(f"b.{name}", SES_MX)
    conf = daemon_conf(fake.endpoint_url,
                       [(n, f"b.{n}", b) for n, (_, _, b) in SEEDED.items()],
                       interval="1h")
    conf["dns"] = {"servers": dns.server, "timeout_ms": 500, "tries": 1}
    m = milter(conf)
    m.wait_log(PASS_OK)
    return m


def audit(sender, **fields):
    """A regex for the audit line of sender's message with these fields."""
    return audit_rx(sender, **fields)


def test_ses_status_decides_with_the_mx_check(fake, daemon_env, milter, postfix,
                                              sink, dns):
    m = start(fake, dns, milter)

    # Success and a right MX: both signals pass
    t = postfix.send("a@s-r.test", [RCPT])
    assert t.accepted, t
    m.wait_log(audit("a@s-r.test", mx="ok", ses_status="Success", status="Success",
                     basis="both", action="accept"))

    # Pending / TemporaryFailure: SES would refuse now; the client retries
    for name, status in (("p-r.test", "Pending"), ("t-r.test", "TemporaryFailure")):
        t = postfix.send(f"a@{name}", [RCPT])
        assert (t.mail.code, t.mail.enhanced) == (451, "4.4.3"), t
        assert f"SES status {status}" in t.mail.text, t
        m.wait_log(audit(f"a@{name}", mx="ok", ses_status=status, status=status,
                         basis="ses", action="tempfail", reply="451/4.4.3"))

    # UseDefaultValue: accepted, audited with SES's status
    t = postfix.send("a@p-d.test", [RCPT])
    assert t.accepted, t
    m.wait_log(audit("a@p-d.test", ses_status="Pending", status="Pending", basis="ses",
                     behavior="UseDefaultValue", action="accept",
                     reason="use-default-value"))

    # SES says Success, the live MX says otherwise: the MX check refuses
    t = postfix.send("a@s-bad-r.test", [RCPT])
    assert (t.mail.code, t.mail.enhanced) == (550, "5.7.1"), t
    m.wait_log(audit("a@s-bad-r.test", mx="nxdomain", ses_status="Success",
                     status="Failed", basis="mx", action="reject"))

    # Failed and the MX still wrong: both refuse; no Set was made for it
    t = postfix.send("a@fb-r.test", [RCPT])
    assert (t.mail.code, t.mail.enhanced) == (550, "5.7.1"), t
    m.wait_log(audit("a@fb-r.test", mx="nxdomain", ses_status="Failed",
                     status="Failed", basis="both", action="reject"))
    m.wait_log(r"SES: identity=fb-r.test mail_from_domain=b.fb-r.test "
               r"ses_status=Failed mx=nxdomain next=fix-dns "
               rf"record=\"b.fb-r.test. MX 10 {re.escape(SES_MX)}.\"")

    # Failed with a right MX: re-verified in the pass (Set, same values), so
    # SES has it Pending again and the milter answers 451 meanwhile
    sets = [dict(e["params"]) for e in fake.log(action=SET)]
    assert [s["Identity"] for s in sets] == ["f-r.test"], sets
    assert sets[0]["MailFromDomain"] == "b.f-r.test"
    assert sets[0]["BehaviorOnMXFailure"] == "RejectMessage"
    m.wait_log(r"SES: action=SetIdentityMailFromDomain identity=f-r.test "
               r".*previous_status=Failed reason=reverify result=ok")
    m.wait_log(r"SES: pass mode=apply identities=7 in_step=2 .*reverified=1 "
               r".*waiting=3 fix_dns=1")
    assert fake.identity("f-r.test")["mail_from_domain"] == "b.f-r.test"
    assert fake.state()["statuses"]["b.f-r.test"] == "Pending"
    t = postfix.send("a@f-r.test", [RCPT])
    assert (t.mail.code, t.mail.enhanced) == (451, "4.4.3"), t
    m.wait_log(audit("a@f-r.test", mx="ok", ses_status="Pending", basis="ses",
                     action="tempfail"))

    # Local submissions are still never refused
    sub = postfix.sendmail("b@p-r.test", [RCPT])
    assert sub.returncode == 0, sub.stderr
    m.wait_log(r"sender=b@p-r.test .*ses_status=Pending .*action=accept "
               r".*spared=tempfail .*origin=local")

    # SES verifies it: the next pass (a reload runs one) lets mail through
    fake.set_status("b.f-r.test", "Success")
    mark = m.reload()
    m.wait_log(PASS_OK, since=mark)
    t = postfix.send("c@f-r.test", [RCPT])
    assert t.accepted, t
    m.wait_log(audit("c@f-r.test", ses_status="Success", basis="both",
                     action="accept"), since=mark)
    # no second re-verification within the interval
    assert len(fake.log(action=SET)) == 1
    postfix.assert_milter_ok()


def test_without_a_known_status_the_mx_check_decides(fake, daemon_env, milter, postfix,
                                                     sink, dns):
    """SES unreachable from the start: no status is known, Pending in SES
    changes nothing, the MX check alone decides as before."""
    fake.verify_identity("p-r.test", mail_from_domain="b.p-r.test",
                         behavior="RejectMessage", status="Pending")
    dns.mx("b.p-r.test", SES_MX)
    fake.inject("503", count=1000)
    conf = daemon_conf(fake.endpoint_url, [("p-r.test", "b.p-r.test", "RejectMessage")])
    conf["dns"] = {"servers": dns.server, "timeout_ms": 500, "tries": 1}
    m = milter(conf)
    m.wait_log(r"SES: pass mode=apply .* result=error")
    t = postfix.send("a@p-r.test", [RCPT])
    assert t.accepted, t
    m.wait_log(audit("a@p-r.test", mx="ok", status="Success", basis="mx",
                     action="accept"))
    assert "ses_status=" not in m.log.text()
