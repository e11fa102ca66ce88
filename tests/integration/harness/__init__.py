# SPDX-License-Identifier: BSD-2-Clause
"""Integration harness for ses-mailfrom-milter: a private Postfix relaying
to smtp-sink, with the daemon under test as its milter.

Fixtures (defined in ../conftest.py; all but the session ones are per test):

  milter        factory: milter(conf=None, extra_args=(), wait=True) -> Milter
                (harness.milter). conf: dict merged on the defaults (socket
                = the one Postfix uses, user empty, umask 000 so Postfix can
                connect to a root-owned socket, [ses] sync = no, state_file
                in testdir/var), or INI text written verbatim.
                m.wait_log(regex), m.log, m.reload(text, expect=regex),
                m.stop(), m.wait_exit(), m.status(), m.pid.
                milter.check(conf) runs -n; milter.conf_text(conf) and
                milter.write_conf(conf) give the text / a file.
                Stopped with SIGTERM at teardown: must exit 0, socket gone.
  postfix       the session's Postfix (harness.postfix.PostfixView):
                postfix.send(sender, rcpts) -> Transaction, postfix.smtp() for
                several messages on one connection, postfix.sendmail(...) for
                local submission, postfix.log (this test's part of maillog),
                postfix.assert_milter_ok(), postfix.wait_delivered(qid),
                postfix.configured("name = value", ...) (a with-block that
                changes main.cf, reloads, and restores), postfix.run(cmd...),
                postfix.confdir, postfix.port.
  sink          what reached smtp-sink during this test (harness.sink.SinkView):
                sink.wait_for(txn) -> SinkMessage (.sender, .recipients,
                .headers, .body, .queue_id), sink.wait(n), sink.messages().
  testdir       a fresh directory (0755) for the test's files; testdir/var
                is 01777, for whatever an unprivileged daemon writes.
  smf_build, smf_root, workdir, milter_socket, sink_server,
  postfix_instance  (session) the build dir, the repository, the session's
                temp dir, the socket spec Postfix points at, the processes.

A new case is one function:

    def test_null_sender_untouched(milter, postfix, sink):
        m = milter()
        t = postfix.send("", ["rcpt@example.net"])
        assert t.accepted, t
        assert sink.wait_for(t).sender == ""
        m.wait_log(r"NOQUEUE: .*sender=<>")

The private Sendmail (harness/fixtures_sendmail.py, harness/sendmail.py):
`sendmail` (send, smtp, submit through the MSP, log, assert_milter_ok,
wait_sent) and `sm_milter`, the milter factory on the socket Sendmail's
INPUT_MAIL_FILTER names.

More fixtures (a DNS server, moto, a fake SES...): put them in a module
harness/fixtures_<name>.py; conftest.py loads every such module as a pytest
plugin, so its fixtures are visible to every test without editing
conftest.py. Helpers that are not fixtures go in harness/<name>.py.

Environment: SMF_BUILD (build directory, default <repo>/build),
SMF_TIMEOUT (default wait limit, seconds), SMF_STOP_TIMEOUT (how long
SIGTERM may take at teardown, default 8: libmilter polls every 5 s), SMF_KEEP=1 (keep the session's
temp dir; it is also kept, and named, when a test fails)."""
