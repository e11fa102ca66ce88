# SPDX-License-Identifier: BSD-2-Clause
"""Prometheus metrics: [milter] metrics_file, written every
metrics_interval (atomically) and at stop; `promtool check metrics`
accepts it, and after a known mix of mail (bench_load playing smtpd,
fakedns answering the MX checks) every count is what the mix makes it,
across a reload."""

import os
import re
import subprocess


from dnsfix.knot import SES_MX
from harness.util import wait_until
from test_sync import PASS_OK, daemon_conf, daemon_env, fake, home, ses  # noqa: F401

PFX = "ses_mailfrom_"


def conf(dns, path):
    return {
        "milter": {"unknown_sender": "tempfail", "metrics_file": path,
                   "metrics_interval": "1s"},
        "dns": {"servers": dns.server, "timeout_ms": "500", "tries": "1"},
        "identity ok.test": {"mail_from_domain": "b.ok.test",
                             "behavior_on_mx_failure": "RejectMessage"},
        "identity bad.test": {"mail_from_domain": "b.bad.test",
                              "behavior_on_mx_failure": "RejectMessage"},
        "identity dflt.test": {"mail_from_domain": "b.dflt.test",
                               "behavior_on_mx_failure": "UseDefaultValue"},
        "identity plain.test": {},
    }


def send(smf_build, m, sender, n, outcome):
    argv = [os.path.join(smf_build, "tests", "bench", "bench_load"), "-s", m.socket,
            "-c", "1", "-m", str(n), "-x", outcome, "-t", "10", "-F", sender]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=40)
    assert p.returncode == 0, f"{argv}\n{p.stdout}{p.stderr}"


def read(path):
    """The file's samples: {'name{labels}': value}."""
    out = {}
    with open(path) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            key, value = line.rsplit(" ", 1)
            out[key] = float(value)
    return out


def msgs(action, reason):
    return f'{PFX}messages_total{{action="{action}",reason="{reason}"}}'


def test_metrics_after_a_known_mix(milter, fakedns, smf_build, testdir):
    fakedns.mx("b.ok.test", SES_MX)
    fakedns.nxdomain("b.bad.test")
    fakedns.servfail("b.dflt.test")
    path = os.path.join(testdir, "ses-mailfrom.prom")
    c = conf(fakedns, path)
    m = milter(c)
    # written at start, before any mail
    wait_until(lambda: os.path.exists(path), what=path)
    assert read(path)[msgs("accept", "Success")] == 0

    send(smf_build, m, "a@ok.test", 3, "accept")
    send(smf_build, m, "a@bad.test", 2, "reject")
    # a reload keeps every count
    m.reload(expect=r"configuration reloaded")
    send(smf_build, m, "a@dflt.test", 1, "accept")
    send(smf_build, m, "x@nowhere.test", 2, "tempfail")
    send(smf_build, m, "", 2, "accept")
    send(smf_build, m, "a@plain.test", 1, "accept")

    # the writer's interval, not only the stop, brings the counts out
    wait_until(lambda: read(path).get(msgs("accept", "no_mail_from")) == 1,
               what="the interval's write")
    m.stop()
    assert not os.path.exists(path + ".tmp")

    p = subprocess.run(["promtool", "check", "metrics"], stdin=open(path),
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr

    got = read(path)
    want = {
        msgs("accept", "Success"): 3,
        msgs("reject", "Failed"): 2,
        msgs("accept", "TemporaryFailure"): 1,
        msgs("tempfail", "unknown_sender"): 2,
        msgs("accept", "bounce"): 2,
        msgs("accept", "no_mail_from"): 1,
        f'{PFX}mx_checks_total{{result="ok"}}': 3,
        f'{PFX}mx_checks_total{{result="nxdomain"}}': 2,
        f'{PFX}mx_checks_total{{result="servfail"}}': 1,
        f"{PFX}dns_cache_misses_total": 3,
        f"{PFX}dns_cache_hits_total": 3,
        f"{PFX}dns_queries_total": 3,
        f"{PFX}log_lines_dropped_total": 0,
        f'{PFX}build_info{{version="0.1.0"}}': 1,
    }
    for k, v in want.items():
        assert got.get(k) == v, (k, got.get(k))
    # every other message series is zero: nothing counted twice
    others = {k: v for k, v in got.items()
              if k.startswith(f"{PFX}messages_total") and k not in want and v}
    assert not others, others
    assert sum(v for k, v in got.items() if k.startswith(f"{PFX}messages_total")) == 11
    assert got[f"{PFX}start_time_seconds"] > 1.7e9
    assert all(re.match(r"^ses_mailfrom_\w+(\{.*\})?$", k) for k in got), got


def test_metrics_of_the_synchroniser(fake, daemon_env, milter, testdir):  # noqa: F811
    """SES requests by action and outcome, the passes and the last good
    one, and the identities by the status the pass read."""
    fake.verify_identity("s.test", mail_from_domain="b.s.test",
                         behavior="UseDefaultValue", status="Success")
    fake.verify_identity("p.test", mail_from_domain="b.p.test",
                         behavior="UseDefaultValue", status="Pending")
    fake.verify_identity("c.test", mail_from_domain="old.c.test",
                         behavior="UseDefaultValue", status="Success")
    path = os.path.join(testdir, "sync.prom")
    c = daemon_conf(fake.endpoint_url, [("s.test", "b.s.test", None),
                                        ("p.test", "b.p.test", None),
                                        ("c.test", "b.c.test", None),
                                        ("gone.test", "b.gone.test", None)],
                    interval="1h")
    c["milter"] = {"metrics_file": path, "metrics_interval": "1s"}
    m = milter(c)
    m.wait_log(PASS_OK)
    m.stop()
    p = subprocess.run(["promtool", "check", "metrics"], stdin=open(path),
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr
    got = read(path)
    want = {
        f'{PFX}ses_requests_total{{action="GetIdentityMailFromDomainAttributes",outcome="ok"}}': 1,
        f'{PFX}ses_requests_total{{action="GetIdentityVerificationAttributes",outcome="ok"}}': 1,
        f'{PFX}ses_requests_total{{action="SetIdentityMailFromDomain",outcome="ok"}}': 1,
        f'{PFX}ses_requests_total{{action="SetIdentityMailFromDomain",outcome="error"}}': 0,
        f'{PFX}sync_passes_total{{result="ok"}}': 1,
        f'{PFX}sync_passes_total{{result="error"}}': 0,
        f'{PFX}identities{{status="Success"}}': 2,
        f'{PFX}identities{{status="Pending"}}': 1,
        f'{PFX}identities{{status="unknown"}}': 1,
        f'{PFX}identities{{status="Failed"}}': 0,
    }
    for k, v in want.items():
        assert got.get(k) == v, (k, got.get(k), m.log.text())
    assert got[f"{PFX}sync_last_success_timestamp_seconds"] >= got[f"{PFX}start_time_seconds"]
