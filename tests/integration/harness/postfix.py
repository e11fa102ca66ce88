# SPDX-License-Identifier: BSD-2-Clause
"""A private Postfix instance, independent of /etc/postfix.

Everything lives under one directory: conf/ (main.cf, master.cf written
here), queue/, data/ and the maillog file written by postlogd. smtpd
listens on a free loopback port and mail is relayed to smtp-sink.

The milter lines are contrib/postfix-main.cf as shipped, after the
harness's own test-only lines: smtpd_milters and non_smtpd_milters point
at unix:/ses-mailfrom/milter.sock with default_action = tempfail, so a test
that gets its mail delivered has proven that the milter answered. As on
Debian, smtpd and cleanup run chrooted in the queue directory (prepared
by Debian's own /usr/lib/postfix/configure-instance.sh), so that path is
QUEUE/ses-mailfrom/milter.sock for the daemon (`shipped_socket()`).
With master="debian" master.cf is Debian's master.cf.dist, only its
smtpd moved to the loopback port.

It runs as root: `postfix -c DIR start` creates the queue subdirectories
itself (post-install create-missing, owned by postfix); the queue
directory must belong to root and data_directory to postfix."""

import contextlib
import json
import os
import re
import subprocess

from . import smtp
from .util import LogFile, WaitTimeout, make_dir, tail, tcp_listening, wait_until

# Fast failure over realism: short retries and timeouts, no error sleeps,
# no DNS (the next hop is an IP literal), IPv4 loopback only.
MAIN_CF = """\
compatibility_level = 3.6
queue_directory = {queue}
data_directory = {data}
maillog_file = {maillog}
maillog_file_prefixes = {base}
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mta.harness.test
mydomain = harness.test
myorigin = $myhostname
mydestination =
mynetworks = 127.0.0.0/8
relayhost = [127.0.0.1]:{sink_port}
alias_maps =
alias_database =
biff = no
append_dot_mydomain = no
smtp_dns_support_level = disabled
smtp_tls_security_level = none
smtpd_tls_security_level = none
milter_connect_timeout = 5s
milter_command_timeout = 10s
milter_content_timeout = 15s
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
maximal_queue_lifetime = 5m
bounce_queue_lifetime = 5m
delay_warning_time = 0h
smtp_connect_timeout = 5s
smtpd_timeout = 60s
in_flow_delay = 0s
smtpd_error_sleep_time = 0s
smtpd_soft_error_limit = 1000
smtpd_hard_error_limit = 1000
smtpd_junk_command_limit = 1000
"""

# An explicit milter instead of the shipped lines (make bench).
MILTER_CF = """\
smtpd_milters = {milter}
non_smtpd_milters = {milter}
milter_default_action = tempfail
milter_protocol = 6
"""

SNIPPET = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))), "contrib", "postfix-main.cf")
DEBIAN_MASTER_CF = "/usr/share/postfix/master.cf.dist"
CONFIGURE_INSTANCE = "/usr/lib/postfix/configure-instance.sh"
# The chroot-relative path the shipped snippet names.
SHIPPED_SOCKET = "ses-mailfrom/milter.sock"

# smtpd and cleanup chrooted as on Debian (they talk to the milter), the
# rest not. postlog is required by maillog_file.
MASTER_CF = """\
127.0.0.1:{port} inet n - {chroot} - - smtpd
pickup     unix  n - n 60    1 pickup
cleanup    unix  n - {chroot} -     0 cleanup
qmgr       unix  n - n 300   1 qmgr
rewrite    unix  - - n -     - trivial-rewrite
bounce     unix  - - n -     0 bounce
defer      unix  - - n -     0 bounce
trace      unix  - - n -     0 bounce
verify     unix  - - n -     1 verify
flush      unix  n - n 1000? 0 flush
proxymap   unix  - - n -     - proxymap
proxywrite unix  - - n -     1 proxymap
smtp       unix  - - n -     - smtp
relay      unix  - - n -     - smtp
showq      unix  n - n -     - showq
error      unix  - - n -     - error
retry      unix  - - n -     - error
discard    unix  - - n -     - discard
anvil      unix  - - n -     1 anvil
scache     unix  - - n -     1 scache
postlog    unix-dgram n - n - 1 postlogd
"""

# Postfix's warnings when it cannot use the milter.
MILTER_TROUBLE = r"(?i)warning: .*milter|milter.*(unavailable|unreachable|timeout|can't read)"


class Postfix:
    """The session's Postfix. Tests use it through PostfixView (the
    `postfix` fixture), which only shows the log of the current test."""

    def __init__(self, workdir, port, sink_port, milter_socket=None, master="harness",
                 name="postfix"):
        self.base = make_dir(os.path.join(workdir, name))
        self.confdir = make_dir(os.path.join(self.base, "conf"))
        self.queue = make_dir(os.path.join(self.base, "queue"), owner="root")
        self.data = make_dir(os.path.join(self.base, "data"), 0o700, owner="postfix")
        self.maillog = os.path.join(self.base, "maillog")
        self.port = port
        self.sink_port = sink_port
        # None: the shipped snippet; else Postfix syntax, unix:/path or inet:host:port
        self.milter_socket = milter_socket
        self.master = master
        self.log = LogFile(self.maillog, name="postfix maillog")
        self.running = False

    def env(self):
        return dict(os.environ, MAIL_CONFIG=self.confdir)

    def shipped_socket(self):
        """The daemon's socket (libmilter syntax) that the shipped snippet's
        unix:/ses-mailfrom/milter.sock names from inside the chroot."""
        return f"unix:{self.queue}/{SHIPPED_SOCKET}"

    def write_config(self):
        main = MAIN_CF.format(queue=self.queue, data=self.data, maillog=self.maillog,
                              base=self.base, sink_port=self.sink_port)
        if self.milter_socket is None:
            with open(SNIPPET) as f:
                main += "# --- contrib/postfix-main.cf as shipped ---\n" + f.read()
        else:
            main += MILTER_CF.format(milter=self.milter_socket)
        with open(os.path.join(self.confdir, "main.cf"), "w") as f:
            f.write(main)
        with open(os.path.join(self.confdir, "master.cf"), "w") as f:
            f.write(self.master_cf())

    def master_cf(self):
        if self.master == "harness":
            # An explicit milter socket is a real path: no chroot then.
            return MASTER_CF.format(port=self.port,
                                    chroot="y" if self.milter_socket is None else "n")
        # Debian's own, only the public smtpd moved off port 25.
        out = []
        for line in open(DEBIAN_MASTER_CF):
            if re.match(r"smtp\s+inet\s", line):
                line = re.sub(r"^smtp(\s)", rf"127.0.0.1:{self.port}\1", line)
            out.append(line)
        return "".join(out)

    def run(self, *args, check=True, timeout=60):
        """Runs a Postfix command (postfix, postconf, postqueue, postsuper)
        against this instance, e.g. run("postconf", "-h", "relayhost")."""
        p = subprocess.run([args[0], "-c", self.confdir, *args[1:]], env=self.env(),
                           capture_output=True, text=True, timeout=timeout)
        if check and p.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} exited {p.returncode}:\n{p.stdout}{p.stderr}"
                               f"\n--- maillog ---\n{tail(self.log.text())}")
        return p

    def postconf(self, *settings):
        """Changes main.cf (postconf -e "name = value" ...) and reloads
        Postfix. Tests should prefer `configured()`, which restores."""
        self.run("postconf", "-e", *settings)
        self.reload()

    @contextlib.contextmanager
    def configured(self, *settings):
        """with postfix.configured("milter_default_action = accept"): ...
        changes the shared instance for the block only."""
        main_cf = os.path.join(self.confdir, "main.cf")
        saved = open(main_cf).read()
        try:
            self.postconf(*settings)
            yield self
        finally:
            with open(main_cf, "w") as f:
                f.write(saved)
            self.reload()

    def reload(self):
        if self.running:
            mark = self.log.mark()
            self.run("postfix", "reload")
            self.log.wait(r"reload -- version", since=mark)

    def start(self):
        self.write_config()
        # start runs `postfix check` itself (and creates the queue's
        # subdirectories); stop() cleans up after a half-done start too.
        self.running = True
        # What Debian's postfix.service runs before each start: the chroot's
        # etc files and libraries.
        subprocess.run([CONFIGURE_INSTANCE, "-"], env=self.env(), check=True,
                       capture_output=True, timeout=60)
        self.run("postfix", "start")
        # Not a test connection: smtpd would contact the milter and log a
        # warning that the first test would then see.
        wait_until(lambda: tcp_listening(self.port),
                   what=f"Postfix smtpd on port {self.port}",
                   detail=lambda: tail(self.log.text()))
        return self

    def stop(self):
        if not self.running:
            return
        self.running = False
        if self.run("postfix", "stop", check=False).returncode != 0:
            self.run("postfix", "abort", check=False)
        pidfile = os.path.join(self.queue, "pid", "master.pid")
        try:
            pid = int(open(pidfile).read().split()[0])
        except (OSError, ValueError, IndexError):
            return
        try:
            wait_until(lambda: not os.path.exists(f"/proc/{pid}"), 10, what="Postfix master to exit")
        except WaitTimeout:
            os.kill(pid, 9)

    def queue_ids(self):
        """Queue ids of every message still in the queue."""
        p = self.run("postqueue", "-j", check=False)
        return [json.loads(line)["queue_id"] for line in p.stdout.splitlines() if line.strip()]

    def flush(self):
        self.run("postqueue", "-f", check=False)

    def view(self):
        return PostfixView(self)


class PostfixView(smtp.MTAView):
    """The `postfix` fixture: the session's instance, with `log` showing
    only what was logged since this test started."""

    LOG_NAME = "postfix maillog"

    def sendmail(self, sender, recipients, **kwargs):
        """Local submission through sendmail -C CONFDIR -> harness.smtp.Submission."""
        return smtp.sendmail(self.instance.confdir, sender, recipients, **kwargs)

    def wait_delivered(self, queue_id, timeout=None):
        """Waits until Postfix logs the message as sent; returns that line's match."""
        return self.log.wait(rf"\b{queue_id}: to=<.*status=sent", timeout)

    def assert_milter_ok(self):
        """No warning about the milter (unreachable, timeout, bad reply)
        since the test started."""
        self.log.assert_no(MILTER_TROUBLE)
