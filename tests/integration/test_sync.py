# SPDX-License-Identifier: BSD-2-Clause
"""The synchroniser: SES made to match the configuration.

`ses-mailfrom sync`, `status` and `check-dns` against moto, the project's
fault-injecting fake SES and knotd; then the daemon's synchroniser thread
under the Postfix harness: convergence at start, faults survived and the
pass completed later, dry-run, the state file across a restart, reloads,
drift warnings, and mail that never waits for SES.

Credentials are the fake's (environment variables), with a private HOME,
empty AWS files and no instance metadata. SES_RETRY_BASE_MS makes the
client's retry delays small. Unless a test is about the rate, the fake's
limit is off and the configuration's `rate` high, so tests stay quick.

The tool is $SMF_TOOL if set, else SMF_BUILD/ses-mailfrom."""

import os
import re
import subprocess
import time

import pytest

from dnsfix.fakedns import FakeDNS
from dnsfix.knot import SES_MX, Knot, make_zone
from harness.milter import EX_CONFIG
from harness.util import free_port

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness.fake_ses import (DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, FakeSES,  # noqa: E402
                     max_per_window)

SET = "SetIdentityMailFromDomain"
GET = "GetIdentityMailFromDomainAttributes"
VERIFY = "GetIdentityVerificationAttributes"
REFUSED_URL = "http://127.0.0.1:1/"
CLI_RC_PARAM = 252
RCPT = "rcpt@example.net"


# -- fixtures and helpers --------------------------------------------------------

@pytest.fixture(scope="module")
def ses():
    with FakeSES(rate=1) as server:
        yield server


@pytest.fixture
def fake(ses):
    """The module's fake SES, emptied, with its rate limit off."""
    ses.reset()
    ses.configure(rate=0)
    return ses


@pytest.fixture
def home(tmp_path):
    h = tmp_path / "home"
    (h / ".aws").mkdir(parents=True)
    for name in ("config", "credentials"):
        (h / ".aws" / name).write_text("")
    return str(h)


def aws_env(home, **extra):
    env = {
        "PATH": "/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8",
        "AWS_CONFIG_FILE": os.path.join(home, ".aws", "config"),
        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, ".aws", "credentials"),
        "AWS_ACCESS_KEY_ID": DEFAULT_ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": DEFAULT_SECRET_KEY,
        "AWS_EC2_METADATA_DISABLED": "true",
        "SES_RETRY_BASE_MS": "20",
    }
    env.update({k: str(v) for k, v in extra.items()})
    return env


@pytest.fixture
def daemon_env(monkeypatch, home):
    """The daemon inherits the test's environment: make it a closed one."""
    for k in list(os.environ):
        if k.startswith("AWS_"):
            monkeypatch.delenv(k)
    for k, v in aws_env(home).items():
        if k != "PATH":
            monkeypatch.setenv(k, v)


@pytest.fixture(scope="session")
def tool_bin(smf_build):
    path = os.environ.get("SMF_TOOL") or os.path.join(smf_build, "ses-mailfrom")
    if not os.access(path, os.X_OK):
        pytest.fail(f"{path} not built")
    p = subprocess.run([path, "sync", "help"], capture_output=True, text=True,
                       stdin=subprocess.DEVNULL, env={"PATH": "/usr/bin:/bin"})
    if p.returncode != 0 or "ses-mailfrom sync" not in p.stdout:
        pytest.skip(f"{path} has no `sync` command yet (tool/main.c does not "
                    f"dispatch to TOOL_PROJECT_COMMANDS); the sync_pass tests "
                    f"cover the pass")
    return path


@pytest.fixture
def tool(tool_bin, home):
    """tool(*args, timeout=, **env) -> CompletedProcess (text)."""
    def run(*args, timeout=120, **env):
        return subprocess.run([tool_bin, *args], capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, timeout=timeout,
                              env=aws_env(home, **env))
    return run


def conf_text(endpoint, identities, ses=None, dns=None, milter=None):
    """INI text: [milter], [dns], [ses] (endpoint, rate 100 unless given)
    then one [identity NAME] per (name, domain, behavior); domain "" or
    None disables, behavior None leaves SES's default."""
    out = []
    if milter:
        out.append("[milter]")
        out += [f"{k} = {v}" for k, v in milter.items()]
    if dns:
        out.append("[dns]")
        out += [f"{k} = {v}" for k, v in dns.items()]
    settings = {"endpoint": endpoint, "rate": 100}
    settings.update(ses or {})
    out.append("[ses]")
    out += [f"{k} = {v}" for k, v in settings.items()]
    for name, domain, behavior in identities:
        out.append(f"[identity {name}]")
        out.append(f"mail_from_domain = {domain or ''}")
        if behavior:
            out.append(f"behavior_on_mx_failure = {behavior}")
    return "\n".join(out) + "\n"


def write_conf(dirpath, *args, **kwargs):
    path = os.path.join(str(dirpath), "sync.conf")
    with open(path, "w") as f:
        f.write(conf_text(*args, **kwargs))
    return path


def table(stdout):
    """The rows of a table the tool printed (first line: the header), as
    dicts; columns are separated by two spaces or more."""
    lines = [ln for ln in stdout.splitlines() if ln.strip()]
    head = re.split(r"\s{2,}", lines[0].strip())
    rows = []
    for ln in lines[1:]:
        cells = re.split(r"\s{2,}", ln.strip())
        if len(cells) != len(head):
            break
        rows.append(dict(zip(head, cells)))
    return rows


def by_identity(rows):
    return {r["IDENTITY"]: r for r in rows}


def settings(ses, names):
    """{identity: (mail_from_domain or None, behavior)} in the fake."""
    out = {}
    for rec in ses.state()["identities"]:
        if rec["identity"] in names:
            out[rec["identity"]] = (rec.get("mail_from_domain") or None,
                                    rec.get("behavior"))
    return out


def calls(ses, action=None):
    return [e for e in ses.log() if action is None or e["action"] == action]


# A drifted account and the configuration that fixes it.
DRIFTED = [
    # identity, in SES (domain, behavior), configured (domain, behavior)
    ("example.com", ("old.example.com", "UseDefaultValue"),
     ("bounce.example.com", "RejectMessage")),
    ("alice@example.org", ("mail.example.org", "UseDefaultValue"),
     ("mail.example.org", "RejectMessage")),
    ("steady.test", ("b.steady.test", "RejectMessage"),
     ("b.steady.test", "RejectMessage")),
    ("new.test", (None, None), ("b.new.test", "UseDefaultValue")),
    ("off.test", ("b.off.test", "RejectMessage"), (None, None)),
]
WANT = {name: (w[0], w[1] or "UseDefaultValue") for name, _, w in DRIFTED}


def seed_drifted(ses, status="Success"):
    for name, (domain, behavior), _ in DRIFTED:
        ses.verify_identity(name, mail_from_domain=domain, behavior=behavior,
                            status=status if domain else None)


def drifted_identities():
    return [(name, w[0], w[1]) for name, _, w in DRIFTED]


# -- ses-mailfrom sync against the fake SES ---------------------------------------

def test_sync_converges_a_drifted_state(fake, tool, tmp_path):
    seed_drifted(fake)
    conf = write_conf(tmp_path, fake.endpoint_url, drifted_identities())
    p = tool("sync", "-c", conf)
    assert p.returncode == 0, p.stdout + p.stderr
    rows = by_identity(table(p.stdout))
    assert set(rows) == {"example.com", "alice@example.org", "new.test", "off.test"}
    assert rows["example.com"]["FROM"] == "old.example.com UseDefaultValue"
    assert rows["example.com"]["TO"] == "bounce.example.com RejectMessage"
    assert rows["new.test"]["FROM"] == "(disabled)"
    assert rows["off.test"]["TO"] == "(disabled)"
    assert all(r["RESULT"] == "ok" for r in rows.values()), p.stdout
    assert "5 identities: 1 in step, 4 changed, 0 failed, 0 unknown" in p.stdout
    assert settings(fake, WANT) == WANT
    assert len(calls(fake, GET)) == 1
    sets = calls(fake, SET)
    assert sorted(dict(e["params"])["Identity"] for e in sets) == \
        sorted(["example.com", "alice@example.org", "new.test", "off.test"])
    # disabling leaves MailFromDomain out
    off = [dict(e["params"]) for e in sets if dict(e["params"])["Identity"] == "off.test"]
    assert "MailFromDomain" not in off[0]

    # the settings match now, but a Set restarts SES's check: the three
    # with a MAIL FROM domain are Pending, not "in step"; one Get, no Set
    fake.clear_log()
    p = tool("sync", "-c", conf)
    assert p.returncode == 0, p.stdout + p.stderr
    assert ("2 in step, 0 changed, 0 failed, 0 unknown to SES, 0 re-verified, "
            "3 waiting for SES, 0 with DNS to fix") in p.stdout
    rows = by_identity(table(p.stdout))
    assert set(rows) == {"example.com", "alice@example.org", "new.test"}
    assert {r["RESULT"] for r in rows.values()} == {"wait for SES (Pending)"}
    assert [e["action"] for e in calls(fake)] == [GET, VERIFY]
    # SES verifies them: in step
    for domain in ("bounce.example.com", "mail.example.org", "b.new.test"):
        fake.set_status(domain, "Success")
    p = tool("sync", "-c", conf)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "5 in step, 0 changed" in p.stdout


def test_sync_dry_run_makes_no_set(fake, tool, tmp_path):
    seed_drifted(fake)
    before = settings(fake, WANT)
    conf = write_conf(tmp_path, fake.endpoint_url, drifted_identities())
    p = tool("sync", "-c", conf, "--dry-run")
    assert p.returncode == 0, p.stdout + p.stderr
    rows = by_identity(table(p.stdout))
    assert {r["RESULT"] for r in rows.values()} == {"dry-run"}
    assert len(rows) == 4
    assert "4 would change" in p.stdout
    assert calls(fake, SET) == []
    assert settings(fake, WANT) == before


def test_sync_reports_an_unverified_identity(fake, tool, tmp_path):
    seed_drifted(fake)
    ids = drifted_identities() + [("unverified.test", "b.unverified.test", None)]
    conf = write_conf(tmp_path, fake.endpoint_url, ids)
    p = tool("sync", "-c", conf)
    assert p.returncode == 1, p.stdout + p.stderr
    rows = by_identity(table(p.stdout))
    assert rows["unverified.test"]["RESULT"].startswith("unknown identity")
    assert "1 unknown to SES" in p.stdout
    # the others are not held up
    assert settings(fake, WANT) == WANT
    assert "unverified.test" not in [dict(e["params"])["Identity"]
                                     for e in calls(fake, SET)]


def test_sync_a_thousand_identities_at_one_request_per_second(fake, tool, tmp_path):
    """1,000 identities of which 10 differ: 10 Gets of 100, 10 Gets of their
    verification, 10 Sets, never two requests in one second (SES's
    account-wide limit, enforced)."""
    fake.configure(rate=1)
    names = [f"d{i:04d}.test" for i in range(1000)]
    differ = set(names[::100])
    seed = [{"identity": n, "mail_from_domain": f"b.{n}",
             "behavior": "UseDefaultValue" if n in differ else "RejectMessage",
             "status": "Success"} for n in names]
    fake.control("POST", "identities", {"identities": seed})
    conf = write_conf(tmp_path, fake.endpoint_url,
                      [(n, f"b.{n}", "RejectMessage") for n in names],
                      ses={"rate": 1})
    t0 = time.monotonic()
    p = tool("sync", "-c", conf, timeout=90)
    elapsed = time.monotonic() - t0
    assert p.returncode == 0, p.stdout + p.stderr
    assert "990 in step, 10 changed" in p.stdout
    log = calls(fake)
    gets = [e for e in log if e["action"] == GET]
    verifications = [e for e in log if e["action"] == VERIFY]
    sets = [e for e in log if e["action"] == SET]
    timeline = [(round(e["mono"], 3), e["action"][:3], e["status"], e["error_code"])
                for e in log]
    assert len(gets) == 10 and len(verifications) == 10 and len(sets) == 10, timeline
    assert all(e["status"] == 200 for e in log), timeline
    assert max(len([k for k, _ in e["params"] if k.startswith("Identities.member.")])
               for e in gets) == 100
    assert max_per_window(log) <= 1, timeline
    assert fake.stats()["max_in_any_second"] <= 1
    assert sorted(dict(e["params"])["Identity"] for e in sets) == sorted(differ)
    assert 28 < elapsed < 70, elapsed
    assert all(rec["behavior"] == "RejectMessage" for rec in fake.state()["identities"])


def test_sync_survives_throttling_500_drop_and_hang(fake, tool, tmp_path):
    """Within one pass each call is retried (the AWS CLI's standard mode):
    a Throttling, a 500, a dropped connection and a hang (past the read
    timeout) each cost one attempt."""
    seed_drifted(fake)
    fake.inject("throttle", action=GET)
    fake.inject("500", action=SET)
    fake.inject("drop", action=SET)
    fake.inject("hang", action=SET, seconds=10)
    conf = write_conf(tmp_path, fake.endpoint_url, drifted_identities())
    p = tool("--cli-read-timeout", "1", "sync", "-c", conf)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "4 changed, 0 failed" in p.stdout
    assert settings(fake, WANT) == WANT
    faults = [e["fault"] for e in calls(fake) if e["fault"]]
    assert len(faults) == 4, faults
    assert fake.faults() == [] or fake.faults() == {"faults": []}


def test_sync_fails_when_ses_keeps_failing(fake, tool, tmp_path):
    seed_drifted(fake)
    fake.inject("503", count=3, action=GET)
    conf = write_conf(tmp_path, fake.endpoint_url, drifted_identities())
    p = tool("sync", "-c", conf)
    assert p.returncode == 1, p.stdout + p.stderr
    assert "ServiceUnavailable" in p.stderr
    assert "5 not done" in p.stdout
    assert calls(fake, SET) == []


def test_sync_a_refused_set_does_not_stop_the_others(fake, tool, tmp_path):
    seed_drifted(fake)
    fake.inject("error", action=SET, code="InvalidParameterValue", status=400,
                message="Provided MAIL-FROM domain is not subdomain")
    conf = write_conf(tmp_path, fake.endpoint_url, drifted_identities())
    p = tool("sync", "-c", conf)
    assert p.returncode == 1, p.stdout + p.stderr
    results = [r["RESULT"] for r in table(p.stdout)]
    assert sorted(results)[:1] == ["error: InvalidParameterValue: Provided MAIL-FROM "
                                   "domain is not subdomain"], results
    assert results.count("ok") == 3
    assert len(calls(fake, SET)) == 4


def test_status(fake, tool, tmp_path):
    seed_drifted(fake)
    dns = FakeDNS().start()
    try:
        dns.mx("b.steady.test", SES_MX)
        dns.mx("mail.example.org", "mail.example.net")
        ids = drifted_identities() + [("unverified.test", "b.unverified.test", None)]
        conf = write_conf(tmp_path, fake.endpoint_url, ids,
                          dns={"servers": dns.server, "timeout_ms": 500, "tries": 1})
        p = tool("status", "-c", conf)
    finally:
        dns.stop()
    assert p.returncode == 2, p.stdout + p.stderr  # things to do
    rows = by_identity(table(p.stdout))
    assert rows["steady.test"] == {
        "IDENTITY": "steady.test", "VERIFICATION": "Success",
        "CONFIGURED": "b.steady.test RejectMessage",
        "SES": "b.steady.test RejectMessage", "STATUS": "Success",
        "SYNC": "in-step", "LOCAL MX": "ok", "NEXT": "-"}
    assert rows["example.com"]["SYNC"] == "differs"
    assert rows["example.com"]["NEXT"] == "sync sets it"
    assert rows["unverified.test"]["NEXT"] == "verify the identity in SES"
    assert rows["example.com"]["LOCAL MX"] == "nxdomain"
    assert rows["alice@example.org"]["LOCAL MX"] == "wrong-host"
    assert rows["off.test"]["CONFIGURED"] == "(disabled)"
    assert rows["off.test"]["LOCAL MX"] == "-"
    assert rows["unverified.test"]["SES"] == "(unknown to SES)"
    assert rows["unverified.test"]["SYNC"] == "unknown"
    assert rows["unverified.test"]["VERIFICATION"] == "-"
    # status changes nothing
    assert calls(fake, SET) == []

    fake.inject("500", count=3, action=GET)
    p = tool("status", "-c", conf)
    assert p.returncode == 1, p.stdout + p.stderr
    assert "InternalFailure" in p.stderr


def test_sync_and_status_are_honest_about_ses(fake, tool, tmp_path):
    """Settings that match are not "in step" while SES says Pending,
    TemporaryFailure or Failed: status and sync show SES's status, the
    local MX check and what happens next; sync re-verifies a Failed
    identity whose MX now checks out, and only that one."""
    dns = FakeDNS().start()
    try:
        seeded = {"ok.test": "Success", "wait.test": "Pending",
                  "tf.test": "TemporaryFailure", "fixed.test": "Failed",
                  "broken.test": "Failed"}
        for name, status in seeded.items():
            fake.verify_identity(name, mail_from_domain=f"b.{name}",
                                 behavior="RejectMessage", status=status)
            if name != "broken.test":
                dns.mx(f"b.{name}", SES_MX)
        conf = write_conf(tmp_path, fake.endpoint_url,
                          [(n, f"b.{n}", "RejectMessage") for n in seeded],
                          dns={"servers": dns.server, "timeout_ms": 500, "tries": 1})
        p = tool("status", "-c", conf)
        assert p.returncode == 2, p.stdout + p.stderr
        rows = by_identity(table(p.stdout))
        assert {n: (r["STATUS"], r["SYNC"], r["LOCAL MX"], r["NEXT"])
                for n, r in rows.items()} == {
            "ok.test": ("Success", "in-step", "ok", "-"),
            "wait.test": ("Pending", "settings-match", "ok", "wait for SES (Pending)"),
            "tf.test": ("TemporaryFailure", "settings-match", "ok",
                        "wait for SES (TemporaryFailure)"),
            "fixed.test": ("Failed", "settings-match", "ok",
                           "re-verify (sync sets it again)"),
            "broken.test": ("Failed", "settings-match", "nxdomain",
                            f"fix DNS: publish b.broken.test. MX 10 {SES_MX}."),
        }
        assert calls(fake, SET) == []

        p = tool("sync", "-c", conf, "--dry-run")
        assert p.returncode == 2, p.stdout + p.stderr
        assert "1 would re-verify" in p.stdout
        assert calls(fake, SET) == []

        p = tool("sync", "-c", conf)
        assert p.returncode == 2, p.stdout + p.stderr  # broken.test's DNS
        rows = by_identity(table(p.stdout))
        assert rows["fixed.test"]["RESULT"] == "re-verified: SES checks it again (was Failed)"
        assert rows["broken.test"]["RESULT"] == \
            f"fix DNS: publish b.broken.test. MX 10 {SES_MX}."
        assert "ok.test" not in rows
        assert ("1 in step, 0 changed, 0 failed, 0 unknown to SES, 1 re-verified, "
                "2 waiting for SES, 1 with DNS to fix") in p.stdout
        sets = [dict(e["params"]) for e in calls(fake, SET)]
        assert sets == [{"Action": SET, "Version": "2010-12-01",
                         "Identity": "fixed.test", "MailFromDomain": "b.fixed.test",
                         "BehaviorOnMXFailure": "RejectMessage"}]
        assert fake.state()["statuses"]["b.fixed.test"] == "Pending"

        # all verified: in step, exit 0
        for name in seeded:
            fake.set_status(f"b.{name}", "Success")
        p = tool("status", "-c", conf)
        assert p.returncode == 0, p.stdout + p.stderr
        p = tool("sync", "-c", conf)
        assert p.returncode == 0 and "5 in step" in p.stdout, p.stdout + p.stderr
    finally:
        dns.stop()


def test_sync_and_status_report_identities_ses_has_not_verified(fake, tool, tmp_path):
    """SES sends nothing from an identity it has not verified: status and
    sync show SES's VerificationStatus, never call such an identity in
    step, say to wait for SES (Pending, TemporaryFailure) or to verify it
    again (Failed, NotStarted), and exit 2; the MAIL FROM setting is still
    made."""
    dns = FakeDNS().start()
    try:
        seeded = {"ok.test": "Success", "p.test": "Pending",
                  "tf.test": "TemporaryFailure", "f.test": "Failed",
                  "ns@x.test": "NotStarted"}
        for name, verification in seeded.items():
            domain = "b." + name.rpartition("@")[2]
            fake.verify_identity(name, mail_from_domain=domain,
                                 behavior="RejectMessage", status="Success",
                                 verification=verification)
            dns.mx(domain, SES_MX)
        # an unverified identity whose setting differs
        fake.verify_identity("set.test", mail_from_domain="old.set.test",
                             behavior="RejectMessage", status="Success",
                             verification="Pending")
        dns.mx("new.set.test", SES_MX)
        ids = [(n, "b." + n.rpartition("@")[2], "RejectMessage") for n in seeded]
        ids.append(("set.test", "new.set.test", "RejectMessage"))
        conf = write_conf(tmp_path, fake.endpoint_url, ids,
                          dns={"servers": dns.server, "timeout_ms": 500, "tries": 1})

        p = tool("status", "-c", conf)
        assert p.returncode == 2, p.stdout + p.stderr
        rows = by_identity(table(p.stdout))
        assert {n: (r["VERIFICATION"], r["STATUS"], r["SYNC"], r["NEXT"])
                for n, r in rows.items()} == {
            "ok.test": ("Success", "Success", "in-step", "-"),
            "p.test": ("Pending", "Success", "settings-match",
                       "wait for SES to verify the identity (Pending)"),
            "tf.test": ("TemporaryFailure", "Success", "settings-match",
                        "wait for SES to verify the identity (TemporaryFailure)"),
            "f.test": ("Failed", "Success", "settings-match",
                       "verify the identity in SES (Failed)"),
            "ns@x.test": ("NotStarted", "Success", "settings-match",
                          "verify the identity in SES (NotStarted)"),
            "set.test": ("Pending", "Success", "differs",
                         "wait for SES to verify the identity (Pending)"),
        }
        assert calls(fake, SET) == []
        # one Get of each kind, read-only
        assert [e["action"] for e in calls(fake)] == [GET, VERIFY]

        fake.clear_log()
        p = tool("sync", "-c", conf)
        assert p.returncode == 2, p.stdout + p.stderr
        rows = by_identity(table(p.stdout))
        assert {n: r["RESULT"] for n, r in rows.items()} == {
            "p.test": "wait for SES to verify the identity (Pending)",
            "tf.test": "wait for SES to verify the identity (TemporaryFailure)",
            "f.test": "verify the identity in SES (Failed)",
            "ns@x.test": "verify the identity in SES (NotStarted)",
            "set.test": "ok; wait for SES to verify the identity (Pending)",
        }
        assert ("6 identities: 1 in step, 1 changed, 0 failed, 0 unknown to SES, "
                "0 re-verified, 0 waiting for SES, 0 with DNS to fix, "
                "5 not verified by SES (3 requests)") in p.stdout
        assert [dict(e["params"])["Identity"] for e in calls(fake, SET)] == ["set.test"]
        assert settings(fake, ["set.test"]) == {"set.test": ("new.set.test",
                                                             "RejectMessage")}

        # SES verifies them (and the new MAIL FROM domain): in step, exit 0
        for name in list(seeded) + ["set.test"]:
            fake.set_verification(name, "Success")
        fake.set_status("new.set.test", "Success")
        p = tool("status", "-c", conf)
        assert p.returncode == 0, p.stdout + p.stderr
        assert {r["SYNC"] for r in table(p.stdout)} == {"in-step"}
        p = tool("sync", "-c", conf)
        assert p.returncode == 0, p.stdout + p.stderr
        assert "6 in step" in p.stdout and "0 not verified by SES" in p.stdout
    finally:
        dns.stop()


def test_verification_that_cannot_be_read(fake, tool, tmp_path):
    """A policy without ses:GetIdentityVerificationAttributes: status cannot
    tell (exit 1, "?"), sync still makes the MAIL FROM settings but fails."""
    seed_drifted(fake)
    conf = write_conf(tmp_path, fake.endpoint_url, drifted_identities())
    fake.inject("error", count=10, action=VERIFY, code="AccessDenied", status=403,
                message="User is not authorized to perform "
                        "ses:GetIdentityVerificationAttributes")
    p = tool("status", "-c", conf)
    assert p.returncode == 1, p.stdout + p.stderr
    assert {r["VERIFICATION"] for r in table(p.stdout)} == {"?"}
    assert ("identity verification not read: AccessDenied: User is not authorized "
            "to perform ses:GetIdentityVerificationAttributes") in p.stderr
    p = tool("sync", "-c", conf)
    assert p.returncode == 1, p.stdout + p.stderr
    assert "4 changed, 0 failed" in p.stdout
    assert "identity verification not read: AccessDenied" in p.stderr
    assert settings(fake, WANT) == WANT


@pytest.mark.parametrize("command", ["sync", "status", "check-dns"])
def test_bad_configuration_exits_78(tool, tmp_path, command):
    text = conf_text(REFUSED_URL, [("example.com", "bounce.example.org", None)],
                     ses={"sync": "sometimes"})
    path = tmp_path / "bad.conf"
    path.write_text(text)
    p = tool(command, "-c", str(path))
    assert p.returncode == EX_CONFIG, p.stdout + p.stderr
    lines = [int(n) for n in re.findall(rf"(?m)^{re.escape(str(path))}:(\d+): ", p.stderr)]
    assert len(lines) == 2, p.stderr
    p = tool(command, "-c", str(tmp_path / "absent.conf"))
    assert p.returncode == EX_CONFIG, p.stdout + p.stderr


def test_usage(tool):
    p = tool("sync", "--frobnicate")
    assert p.returncode == CLI_RC_PARAM, p.stdout + p.stderr
    assert "usage: ses-mailfrom sync" in p.stderr
    p = tool("check-dns", "--dry-run")
    assert p.returncode == CLI_RC_PARAM
    p = tool("status", "-c")
    assert p.returncode == CLI_RC_PARAM
    for command in ("sync", "status", "check-dns"):
        p = tool(command, "help")
        assert p.returncode == 0 and p.stdout.startswith("usage: ses-mailfrom " + command)


# -- ses-mailfrom check-dns against knotd ---------------------------------------------

CHECK_ZONE = f"""\
good          IN MX    10 {SES_MX}.
good          IN TXT   "v=spf1 include:amazonses.com ~all"
nospf         IN MX    10 {SES_MX}.
nospf         IN TXT   "google-site-verification=x"
wrongmx       IN MX    10 mail.example.net.
wrongmx       IN TXT   "v=spf1 " "include:amazonses.com -all"
twomx         IN MX    10 {SES_MX}.
twomx         IN MX    20 backup.example.net.
twomx         IN TXT   "v=spf1 mx -all"
twospf        IN MX    10 {SES_MX}.
twospf        IN TXT   "v=spf1 include:amazonses.com ~all"
twospf        IN TXT   "v=spf1 -all"
"""


@pytest.fixture
def knot(testdir):
    k = Knot(os.path.join(testdir, "knot"),
             {"example.test": make_zone("example.test", CHECK_ZONE)}).start()
    yield k
    k.stop()


def test_check_dns(knot, tool, tmp_path):
    ids = [("example.test", "good.example.test", "RejectMessage"),
           ("a@example.test", "nospf.example.test", None),
           ("b@example.test", "wrongmx.example.test", None),
           ("c@example.test", "twomx.example.test", None),
           ("d@example.test", "twospf.example.test", None),
           ("e@example.test", "missing.example.test", None),
           ("f@example.test", "good.example.test", None),
           ("off@example.test", None, None)]
    conf = write_conf(tmp_path, REFUSED_URL, ids, dns={"servers": knot.server})
    p = tool("check-dns", "-c", conf)
    assert p.returncode == 1, p.stdout + p.stderr
    rows = {(r["DOMAIN"], r["CHECK"]): r for r in table(p.stdout)}
    assert len(rows) == 12  # six domains, good.example.test once
    assert rows[("good.example.test", "MX")]["RESULT"] == "ok"
    assert rows[("good.example.test", "SPF")]["RESULT"] == "ok"
    assert rows[("good.example.test", "SPF")]["FOUND"] == \
        '"v=spf1 include:amazonses.com ~all"'
    assert rows[("nospf.example.test", "SPF")]["RESULT"] == "none"
    assert rows[("wrongmx.example.test", "MX")]["RESULT"] == "wrong-host"
    assert rows[("wrongmx.example.test", "MX")]["FOUND"] == "mail.example.net"
    # a record of two strings is one record
    assert rows[("wrongmx.example.test", "SPF")]["RESULT"] == "ok"
    assert rows[("twomx.example.test", "MX")]["RESULT"] == "multiple"
    assert rows[("twomx.example.test", "SPF")]["RESULT"] == "no-include"
    assert rows[("twospf.example.test", "SPF")]["RESULT"] == "multiple"
    assert rows[("missing.example.test", "MX")]["RESULT"] == "nxdomain"
    assert rows[("missing.example.test", "SPF")]["FOUND"] == "no such domain"

    publish = p.stdout.split("Publish these records", 1)[1].splitlines()[1:]
    publish = [ln.strip() for ln in publish if ln.strip()]
    assert f"wrongmx.example.test. MX 10 {SES_MX}." in publish
    assert 'nospf.example.test. TXT "v=spf1 include:amazonses.com ~all"' in publish
    assert f"missing.example.test. MX 10 {SES_MX}." in publish
    assert not [ln for ln in publish if ln.startswith("good.")]
    assert len(publish) == 7, publish

    conf = write_conf(tmp_path, REFUSED_URL, ids[:1], dns={"servers": knot.server})
    p = tool("check-dns", "-c", conf)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "Publish" not in p.stdout


def test_check_dns_with_dns_down(tool, tmp_path):
    conf = write_conf(tmp_path, REFUSED_URL, [("example.test", "good.example.test", None)],
                      dns={"servers": f"127.0.0.1:{free_port()}", "timeout_ms": 200,
                           "tries": 1})
    p = tool("check-dns", "-c", conf)
    assert p.returncode == 1, p.stdout + p.stderr
    assert "Some lookups failed" in p.stdout
    assert "Publish" not in p.stdout


# -- ses-mailfrom sync against moto -------------------------------------------------

def moto_client(url):
    import botocore.session
    return botocore.session.get_session().create_client(
        "ses", region_name="us-east-1", endpoint_url=url,
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret")


def test_moto_convergence_disabling_and_an_unverified_identity(moto_server, tool,
                                                               tmp_path):
    c = moto_client(moto_server)
    c.verify_domain_identity(Domain="drift.moto.test")
    c.verify_domain_identity(Domain="off.moto.test")
    c.verify_email_identity(EmailAddress="u@user.moto.test")
    c.set_identity_mail_from_domain(Identity="drift.moto.test",
                                    MailFromDomain="old.drift.moto.test",
                                    BehaviorOnMXFailure="UseDefaultValue")
    c.set_identity_mail_from_domain(Identity="off.moto.test",
                                    MailFromDomain="b.off.moto.test")
    ids = [("drift.moto.test", "bounce.drift.moto.test", "RejectMessage"),
           ("off.moto.test", None, None),
           ("u@user.moto.test", "m.user.moto.test", None),
           ("unverified.moto.test", "b.unverified.moto.test", None)]
    conf = write_conf(tmp_path, moto_server, ids)
    p = tool("sync", "-c", conf)
    assert p.returncode == 1, p.stdout + p.stderr  # the unverified identity
    rows = by_identity(table(p.stdout))
    assert rows["drift.moto.test"]["RESULT"] == "ok"
    assert rows["off.moto.test"]["RESULT"] == "ok"
    assert rows["u@user.moto.test"]["RESULT"] == "ok"
    assert rows["unverified.moto.test"]["RESULT"].startswith("unknown identity")

    attrs = c.get_identity_mail_from_domain_attributes(
        Identities=[n for n, _, _ in ids])["MailFromDomainAttributes"]
    assert attrs["drift.moto.test"]["MailFromDomain"] == "bounce.drift.moto.test"
    assert attrs["drift.moto.test"]["BehaviorOnMXFailure"] == "RejectMessage"
    assert not attrs["off.moto.test"].get("MailFromDomain")
    assert attrs["u@user.moto.test"]["MailFromDomain"] == "m.user.moto.test"
    assert "unverified.moto.test" not in attrs

    p = tool("sync", "-c", conf)
    assert "3 in step, 0 changed, 0 failed, 1 unknown to SES" in p.stdout, p.stdout


# -- the same pass without the tool: build/tests/sync_pass ----------------------------

@pytest.fixture
def sync_pass(smf_build, home):
    """sync_pass(conf, *args) -> (rc, {identity: row}, summary, stderr)."""
    import json

    def run(conf, *args):
        p = subprocess.run([os.path.join(smf_build, "tests", "sync_pass"), "-c", conf,
                            *args], capture_output=True, text=True, timeout=120,
                           stdin=subprocess.DEVNULL, env=aws_env(home))
        lines = [json.loads(ln) for ln in p.stdout.splitlines()]
        assert lines, p.stderr
        return p.returncode, {r["identity"]: r for r in lines[:-1]}, lines[-1], p.stderr
    return run


def test_sync_pass_against_the_fake(fake, sync_pass, tmp_path):
    seed_drifted(fake)
    ids = drifted_identities() + [("unverified.test", "b.unverified.test", None)]
    conf = write_conf(tmp_path, fake.endpoint_url, ids)
    rc, rows, summary, err = sync_pass(conf, "--dry-run")
    assert rc == 0, err
    assert rows["example.com"]["outcome"] == "dry-run"
    assert rows["steady.test"]["outcome"] == "in-step"
    assert rows["unverified.test"]["outcome"] == "unknown-identity"
    assert calls(fake, SET) == []
    assert "result=dry-run" in err

    rc, rows, summary, err = sync_pass(conf)
    assert rc == 0, err
    assert summary == {"ok": True, "gets": 2, "sets": 4, "error": None}
    assert rows["off.test"]["outcome"] == "ok"
    assert rows["off.test"]["ses"]["mail_from_domain"] == "b.off.test"
    assert rows["unverified.test"]["known"] is False
    assert settings(fake, WANT) == WANT
    rc, rows, summary, err = sync_pass(conf)
    assert (rc, summary["sets"]) == (0, 0)


def test_sync_pass_against_moto(moto_server, sync_pass, tmp_path):
    c = moto_client(moto_server)
    c.verify_domain_identity(Domain="pass-drift.moto.test")
    c.verify_domain_identity(Domain="pass-off.moto.test")
    c.set_identity_mail_from_domain(Identity="pass-drift.moto.test",
                                    MailFromDomain="old.pass-drift.moto.test")
    c.set_identity_mail_from_domain(Identity="pass-off.moto.test",
                                    MailFromDomain="b.pass-off.moto.test")
    ids = [("pass-drift.moto.test", "b.pass-drift.moto.test", "RejectMessage"),
           ("pass-off.moto.test", None, None),
           ("pass-unverified.moto.test", "b.pass-unverified.moto.test", None)]
    conf = write_conf(tmp_path, moto_server, ids)
    rc, rows, summary, err = sync_pass(conf)
    assert rc == 0 and summary["sets"] == 2, err
    assert rows["pass-unverified.moto.test"]["outcome"] == "unknown-identity"
    attrs = c.get_identity_mail_from_domain_attributes(
        Identities=[n for n, _, _ in ids])["MailFromDomainAttributes"]
    assert attrs["pass-drift.moto.test"]["MailFromDomain"] == "b.pass-drift.moto.test"
    assert attrs["pass-drift.moto.test"]["BehaviorOnMXFailure"] == "RejectMessage"
    assert not attrs["pass-off.moto.test"].get("MailFromDomain")
    rc, rows, summary, err = sync_pass(conf)
    assert (rc, summary["sets"]) == (0, 0), err


# -- the daemon's synchroniser --------------------------------------------------------

def daemon_conf(endpoint, identities, interval="2s", sync="yes", **ses):
    conf = {"ses": {"sync": sync, "endpoint": endpoint, "sync_interval": interval,
                    "rate": ses.pop("rate", 100), **ses}}
    for name, domain, behavior in identities:
        section = {"mail_from_domain": domain or ""}
        if behavior:
            section["behavior_on_mx_failure"] = behavior
        conf[f"identity {name}"] = section
    return conf


PASS_OK = r"SES: pass mode=apply .* result=ok"
PASS_ERROR = r"SES: pass mode=apply .* result=error"


def test_daemon_converges_at_start(fake, daemon_env, milter):
    fake.configure(rate=1)
    seed_drifted(fake)
    m = milter(daemon_conf(fake.endpoint_url, drifted_identities(), rate=1))
    m.wait_log(r"SES: synchroniser started \(apply, 5 identities, every 2 s\); "
               r"first pass in 0 s")
    m.wait_log(PASS_OK)
    assert settings(fake, WANT) == WANT
    m.wait_log(r"SES: action=SetIdentityMailFromDomain identity=example.com "
               r"mail_from_domain=bounce.example.com behavior=RejectMessage "
               r"previous_mail_from_domain=old.example.com "
               r"previous_behavior=UseDefaultValue result=ok attempts=1")
    m.wait_log(r"SES: action=SetIdentityMailFromDomain identity=off.test "
               r"mail_from_domain=\"\" behavior=UseDefaultValue")
    # the next pass, an interval later, finds everything in step
    m.wait_log(r"SES: pass mode=apply identities=5 in_step=2 changed=0 .*waiting=3 "
               r".* result=ok")
    assert os.path.exists(milter.state_file)
    log = calls(fake)
    assert all(e["status"] == 200 for e in log), [
        (round(e["mono"], 3), e["action"], e["status"], e["error_code"]) for e in log]
    assert max_per_window(log) <= 1


def test_daemon_survives_faults_and_completes_the_pass_later(fake, daemon_env, milter):
    """More failures than the client's three attempts: the pass fails, the
    daemon backs off (at most sync_interval) and a later pass converges."""
    fake.configure(rate=1)
    seed_drifted(fake)
    fake.inject("throttle", count=3, action=GET)
    fake.inject("500", count=2, action=SET)
    fake.inject("drop", count=1, action=SET)
    fake.inject("hang", count=2, action=SET, seconds=1)
    m = milter(daemon_conf(fake.endpoint_url, drifted_identities(), rate=1))
    m.wait_log(PASS_ERROR)
    m.wait_log(r"SES: next pass in 2 s")
    m.wait_log(PASS_OK, timeout=60)
    assert settings(fake, WANT) == WANT
    log = calls(fake)
    assert len([e for e in log if e["fault"]]) == 8
    # No rate check here: when SES closes a reused connection without an
    # answer (the drop, the end of a hang) libcurl sends the request again
    # at once on a new connection, inside the client's one attempt.


def test_daemon_dry_run(fake, daemon_env, milter):
    seed_drifted(fake)
    before = settings(fake, WANT)
    m = milter(daemon_conf(fake.endpoint_url, drifted_identities(), sync="dry-run"))
    m.wait_log(r"SES: pass mode=dry-run .*would_change=4 .*result=ok")
    assert m.log.count(r"SES: action=SetIdentityMailFromDomain .*result=dry-run") == 4
    assert calls(fake, SET) == []
    assert settings(fake, WANT) == before


def test_daemon_restart_waits_for_the_interval(fake, daemon_env, milter):
    seed_drifted(fake)
    conf = daemon_conf(fake.endpoint_url, drifted_identities(), interval="1h")
    m = milter(conf)
    m.wait_log(PASS_OK)
    m.stop()
    fake.clear_log()

    m = milter(conf)
    found = m.wait_log(r"SES: synchroniser started .* first pass in (\d+) s")
    assert 3500 < int(found.group(1)) <= 3600, found.group(0)
    time.sleep(3)
    assert calls(fake) == []
    # a reload runs a pass at once
    mark = m.reload()
    m.wait_log(PASS_OK, since=mark)
    assert [e["action"] for e in calls(fake)] == [GET, VERIFY]


def test_daemon_restart_with_a_changed_configuration_syncs_at_once(fake, daemon_env,
                                                                   milter):
    seed_drifted(fake)
    m = milter(daemon_conf(fake.endpoint_url, drifted_identities(), interval="1h"))
    m.wait_log(PASS_OK)
    m.stop()
    ids = drifted_identities()
    ids[0] = ("example.com", "mx.example.com", "RejectMessage")
    m = milter(daemon_conf(fake.endpoint_url, ids, interval="1h"))
    m.wait_log(r"first pass in 0 s")
    m.wait_log(PASS_OK)
    assert settings(fake, ["example.com"]) == {"example.com": ("mx.example.com",
                                                               "RejectMessage")}


def test_daemon_reload_applies_the_new_configuration(fake, daemon_env, milter):
    seed_drifted(fake)
    conf = daemon_conf(fake.endpoint_url, drifted_identities(), interval="1h")
    m = milter(conf)
    m.wait_log(PASS_OK)
    conf["identity steady.test"]["mail_from_domain"] = "other.steady.test"
    mark = m.reload(milter.conf_text(conf))
    m.wait_log(r"SES: action=SetIdentityMailFromDomain identity=steady.test "
               r"mail_from_domain=other.steady.test .*result=ok", since=mark)
    # sync = no by reload: the thread stays, idle
    conf["ses"]["sync"] = "no"
    conf["ses"]["sync_interval"] = "1s"
    m.reload(milter.conf_text(conf), expect=r"configuration reloaded")
    time.sleep(0.5)
    fake.clear_log()
    time.sleep(2.5)
    assert calls(fake) == []


def test_daemon_sync_no_starts_no_thread(fake, daemon_env, milter):
    seed_drifted(fake)
    m = milter(daemon_conf(fake.endpoint_url, drifted_identities(), sync="no",
                           interval="1s"))
    time.sleep(2)
    assert "synchroniser" not in m.log.text()
    assert calls(fake) == []


def test_daemon_warns_of_drift(fake, daemon_env, milter):
    dns = FakeDNS().start()
    try:
        dns.mx("b.good.test", SES_MX)
        fake.verify_identity("good.test", mail_from_domain="b.good.test",
                             status="Failed")
        fake.verify_identity("bad.test", mail_from_domain="b.bad.test", status="Success")
        fake.verify_identity("wait.test", mail_from_domain="b.wait.test",
                             status="Pending")
        conf = daemon_conf(fake.endpoint_url,
                           [("good.test", "b.good.test", None),
                            ("bad.test", "b.bad.test", None),
                            ("wait.test", "b.wait.test", None)])
        conf["dns"] = {"servers": dns.server, "timeout_ms": 500, "tries": 1}
        m = milter(conf)
        m.wait_log(PASS_OK)
        m.wait_log(r"SES: drift identity=good.test mail_from_domain=b.good.test "
                   r"ses_status=Failed mx=ok")
        m.wait_log(r"SES: drift identity=bad.test mail_from_domain=b.bad.test "
                   r"ses_status=Success mx=nxdomain")
        m.wait_log(r"SES: identity=good.test mail_from_domain=b.good.test status=Failed")
        assert "drift identity=wait.test" not in m.log.text()
        # a status change is audited once
        fake.set_status("b.wait.test", "Success")
        mark = m.mark()
        m.wait_log(r"SES: identity=wait.test mail_from_domain=b.wait.test "
                   r"status=Success previous_status=Pending", since=mark)
        m.wait_log(PASS_OK, since=mark, count=2)
        assert m.log.count(r"identity=wait.test mail_from_domain=b.wait.test "
                           r"status=Success") == 1
    finally:
        dns.stop()


def test_daemon_warns_once_per_pass_of_unverified_identities(fake, daemon_env, milter):
    """The synchroniser reads each identity's verification too (one more
    request per 100 identities) and warns once per pass of each one SES
    has not verified; the pass itself succeeds."""
    fake.verify_identity("ok.test", mail_from_domain="b.ok.test", status="Success")
    fake.verify_identity("p.test", mail_from_domain="b.p.test", status="Success",
                         verification="Pending")
    fake.verify_identity("f@x.test", verification="Failed")
    m = milter(daemon_conf(fake.endpoint_url,
                           [("ok.test", "b.ok.test", None),
                            ("p.test", "b.p.test", None), ("f@x.test", None, None)],
                           interval="1h"))
    m.wait_log(r"SES: pass mode=apply identities=3 in_step=1 .* unknown=0 "
               r"unverified=2 .* result=ok")
    m.wait_log(r"SES: action=GetIdentityVerificationAttributes identities=3 "
               r"first=f@x.test found=3 result=ok attempts=1")
    m.wait_log(r"SES: identity=p.test verification=Pending next=wait-verification message="
               r'"SES has not verified this identity and refuses to send from it '
               r'until it has; SES is still checking"')
    m.wait_log(r"SES: identity=f@x.test verification=Failed next=verify-identity message="
               r'"SES has not verified this identity .*; \(re\)start its verification in SES"')
    assert "identity=ok.test verification=" not in m.log.text()
    # once per pass: a reload runs the next one
    mark = m.reload()
    m.wait_log(PASS_OK, since=mark)
    assert m.log.count(r"SES: identity=p.test verification=Pending") == 2
    assert m.log.count(r"SES: identity=f@x.test verification=Failed") == 2
    # verified: no more warnings
    fake.set_verification("p.test", "Success")
    fake.set_verification("f@x.test", "Success")
    mark = m.reload()
    m.wait_log(r"SES: pass mode=apply .* unverified=0 .* result=ok", since=mark)
    assert m.log.count(r"SES: identity=p.test verification=") == 2


# -- mail never waits for SES ----------------------------------------------------

MAIL_IDENTITIES = [("example.com", None, None)] + \
    [(f"s{i}.test", f"b.s{i}.test", "RejectMessage") for i in range(5)]


def send_quickly(postfix, sink, n=5, limit=2.0):
    """n messages, each accepted within limit seconds and delivered."""
    for i in range(n):
        t0 = time.monotonic()
        t = postfix.send(f"user{i}@example.com", [RCPT])
        elapsed = time.monotonic() - t0
        assert t.accepted, t
        assert elapsed < limit, (elapsed, t)
        assert sink.wait_for(t).sender == f"user{i}@example.com"
    postfix.assert_milter_ok()


def mail_conf(endpoint, dns):
    conf = daemon_conf(endpoint, MAIL_IDENTITIES, rate=1)
    conf["dns"] = {"servers": dns.server, "timeout_ms": 300, "tries": 1}
    return conf


@pytest.fixture
def quiet_dns():
    dns = FakeDNS().start()
    yield dns
    dns.stop()


def test_mail_flows_while_ses_is_down(daemon_env, milter, postfix, sink, quiet_dns):
    m = milter(mail_conf(REFUSED_URL, quiet_dns))
    m.wait_log(PASS_ERROR)
    send_quickly(postfix, sink)
    m.wait_log(r"SES: next pass in 2 s")


@pytest.mark.parametrize("fault", ["throttle", "hang", "503"])
def test_mail_flows_while_ses_fails(fake, daemon_env, milter, postfix, sink, quiet_dns,
                                    fault):
    fake.configure(rate=1)
    fake.control("POST", "identities", {"identities": [
        {"identity": n, "mail_from_domain": d, "behavior": b}
        for n, d, b in MAIL_IDENTITIES]})
    fake.inject(fault, count=1000, seconds=2 if fault == "hang" else None)
    m = milter(mail_conf(fake.endpoint_url, quiet_dns))
    fake.wait_for(lambda log: len(log) >= 1)
    send_quickly(postfix, sink)
    assert [e for e in calls(fake) if e["action"] == SET] == []
    # SES comes back: the next pass succeeds, without a restart
    fake.clear_faults()
    m.wait_log(PASS_OK, timeout=60)
