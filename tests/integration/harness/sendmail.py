# SPDX-License-Identifier: BSD-2-Clause
"""A private Sendmail 8.17 on loopback, beside the machine's Postfix.

Debian's sendmail-bin conflicts with postfix (both are the system's
mail-transport-agent), so it is never installed: its .debs (sendmail-bin,
sendmail-cf) are fetched once with `apt-get download` into BUILD/debs and
unpacked with `dpkg-deb -x` into the instance's own directory. Only the
libraries they need are installed (contrib/install-deps: libwrap0, m4,
sasl2-bin for saslpasswd2).

Everything lives in one directory under the build tree, not under /tmp:
Sendmail refuses a queue, alias file or milter socket below a
world-writable directory. When the checkout itself lies below one (a
clone in /tmp), the directory is made under /run/smf-tests instead, which
the suite creates root-owned and removes when it is empty. There:

  root/          the unpacked packages (binary, m4 tree)
  mta.mc/.cf     the MTA: test-only lines around contrib/sendmail.mc
  submit.mc/.cf  the MSP (sendmail(1)): test-only lines around contrib/submit.mc
  mqueue/, clientmqueue/, aliases, sasl/ (Sendmail.conf, sasldb2)
  milter/        the directory of the filter's socket
  maillog        what Sendmail sent to syslog

Sendmail sleeps 60 s at start when it cannot qualify the host's name, and
logs only to /dev/log, which this machine may lack. So each Sendmail
process (the daemon, newaliases, every sendmail(1) submission) runs in a
mount and UTS namespace of its own (unshare): the host name is
mta.harness.test, /etc/hosts says where that is and where the sink is,
/etc/nsswitch.conf and /etc/resolv.conf keep every name lookup off the
machine's DNS, /usr/lib/sasl2 holds the
test's Sendmail.conf, and /dev/log is a socket this module reads into
`maillog`. The machine's own files are never touched.

The MTA listens on two loopback ports: `port` (Name=MTA, the SMTP clients
of the tests) and `local_port` (Name=local-submit, contrib/sendmail.mc's
daemon for the MSP). It relays everything to smtp-sink, accepts AUTH PLAIN
and LOGIN against the sasldb (user AUTH_USER, password AUTH_PASSWORD), and
has the filter as `ses-mailfrom` with F=T, so mail that gets through has
proven that the filter answered."""

import contextlib
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading

from . import smtp
from .util import LogFile, make_dir, tail, tcp_listening, wait_until

PACKAGES = ("sendmail-bin", "sendmail-cf")
HOSTNAME = "mta.harness.test"
# The smart host (the sink): by name, since [127.0.0.1] is one of
# Sendmail's own addresses and a smart host that is "us" is skipped.
SINK_HOST = "sink.harness.test"
AUTH_USER = "submitter"
AUTH_PASSWORD = "harness-secret"
# The MSP runs as this user (it refuses root); it owns clientmqueue.
MSP_USER = "mail"

# Test-only lines before contrib/sendmail.mc: where the MTA keeps its
# files, its test port, no DNS (hosts from files only), relaying to the
# sink, senders in domains nobody resolves, SMTP AUTH on a private sasldb,
# and the socket and local daemon port of this run (the snippet's
# defaults are the production ones).
MTA_HEAD = """\
divert(-1)
include(`{cf}/m4/cf.m4')
divert(0)dnl
VERSIONID(`ses-mailfrom-milter integration harness')dnl
OSTYPE(`linux')dnl
define(`confDOMAIN_NAME', `{host}')dnl
define(`QUEUE_DIR', `{d}/mqueue')dnl
define(`ALIAS_FILE', `{d}/aliases')dnl
define(`STATUS_FILE', `{d}/statistics')dnl
define(`confPID_FILE', `{d}/sendmail.pid')dnl
define(`confSERVICE_SWITCH_FILE', `{d}/service.switch')dnl
define(`confHOSTS_FILE', `{d}/hosts')dnl
define(`confHOST_STATUS_DIRECTORY', `')dnl
define(`confDONT_PROBE_INTERFACES', `True')dnl
define(`confTO_IDENT', `0s')dnl
define(`confTO_CONNECT', `5s')dnl
define(`confMAX_DAEMON_CHILDREN', `0')dnl
define(`confCONNECTION_RATE_THROTTLE', `0')dnl
define(`confQUEUE_LA', `100')dnl
define(`confREFUSE_LA', `200')dnl
define(`confDELAY_LA', `0')dnl
define(`confAUTH_MECHANISMS', `PLAIN LOGIN')dnl
define(`confAUTH_OPTIONS', `A')dnl
TRUST_AUTH_MECH(`PLAIN LOGIN')dnl
define(`SMART_HOST', `[sink.harness.test]')dnl
define(`RELAY_MAILER_ARGS', `TCP $h {sink_port}')dnl
define(`ESMTP_MAILER_ARGS', `TCP $h {sink_port}')dnl
FEATURE(`nocanonify')dnl
FEATURE(`accept_unresolvable_domains')dnl
FEATURE(`no_default_msa')dnl
dnl Listen: Sendmail's default backlog of 10 drops connections (and
dnl costs a 1 s SYN retry) when 16 clients connect at once (make bench).
DAEMON_OPTIONS(`Family=inet, Name=MTA, Port={port}, Addr=127.0.0.1, Listen=256')dnl
define(`SES_MAILFROM_SOCKET', `local:{socket}')dnl
define(`SES_MAILFROM_LOCAL_PORT', `{local_port}')dnl
"""
MTA_TAIL = """\
MAILER(`local')dnl
MAILER(`smtp')dnl
"""

# The MSP: sendmail(1) queues in clientmqueue and relays at once
# (DeliveryMode=i) to the MTA's local-submit port.
SUBMIT_HEAD = """\
divert(-1)
include(`{cf}/m4/cf.m4')
divert(0)dnl
VERSIONID(`ses-mailfrom-milter integration harness, MSP')dnl
OSTYPE(`linux')dnl
define(`confDOMAIN_NAME', `{host}')dnl
define(`MSP_QUEUE_DIR', `{d}/clientmqueue')dnl
define(`STATUS_FILE', `{d}/clientmqueue/sm-client.st')dnl
define(`confPID_FILE', `{d}/clientmqueue/sm-client.pid')dnl
define(`confSERVICE_SWITCH_FILE', `{d}/service.switch')dnl
define(`confHOSTS_FILE', `{d}/hosts')dnl
define(`confRUN_AS_USER', `{msp_user}')dnl
define(`SES_MAILFROM_LOCAL_PORT', `{local_port}')dnl
"""
SUBMIT_TAIL = """\
FEATURE(`msp', `[127.0.0.1]')dnl
"""

SASL_CONF = """\
pwcheck_method: auxprop
auxprop_plugin: sasldb
sasldb_path: {d}/sasl/sasldb2
mech_list: PLAIN LOGIN
"""

# $1: the instance's directory; the rest: the command. Private mounts
# only; everything under /dev stays reachable through links.
NS_SCRIPT = """set -e
d=$1; shift
hostname {host}
mount --bind "$d/hosts" /etc/hosts
mount --bind "$d/nsswitch.conf" /etc/nsswitch.conf
mount --bind "$d/resolv.conf" /etc/resolv.conf
mount --bind "$d/sasl" /usr/lib/sasl2
for s in /etc/sasl2 /etc/sasl; do [ -d "$s" ] && mount --bind "$d/sasl" "$s"; done
mount --rbind /dev "$d/realdev"
mount -t tmpfs -o mode=0755 harness-dev /dev
for n in "$d"/realdev/* "$d"/realdev/.[!.]*; do [ -e "$n" ] || [ -L "$n" ] && ln -s "$n" /dev/; done
rm -f /dev/log
ln -s "$d/log.sock" /dev/log
exec "$@"
""".replace("{host}", HOSTNAME)

# Sendmail's complaints about the filter (maillog): trouble is logged
# under its name ("Milter (ses-mailfrom): timeout ..."), its verdicts as
# "Milter: from=..., reject=...".
MILTER_TROUBLE = r"Milter \(ses-mailfrom\): |SYSERR"


def fetch_debs(build):
    """The .debs in BUILD/debs, downloaded when missing -> [path]."""
    debs = make_dir(os.path.join(build, "debs"))
    paths = []
    for pkg in PACKAGES:
        found = sorted(glob.glob(os.path.join(debs, f"{pkg}_*.deb")))
        if not found:
            p = subprocess.run(["apt-get", "download", "-q", pkg], cwd=debs,
                               capture_output=True, text=True, timeout=300)
            found = sorted(glob.glob(os.path.join(debs, f"{pkg}_*.deb")))
            if p.returncode != 0 or not found:
                raise RuntimeError(f"apt-get download {pkg} failed (exit {p.returncode}):\n"
                                   f"{p.stdout}{p.stderr}")
        paths.append(found[-1])
    return paths


class SyslogReader:
    """A /dev/log for the namespaced Sendmail: each datagram becomes one
    line of `path`, without its <PRI> prefix."""

    def __init__(self, sock_path, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(sock_path)
        self.sock.bind(sock_path)
        os.chmod(sock_path, 0o666)
        self.sock.settimeout(0.2)
        self.stopping = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        with open(self.path, "ab", buffering=0) as out:
            while not self.stopping:
                try:
                    data = self.sock.recv(65536)
                except socket.timeout:
                    continue
                except OSError:
                    return
                out.write(re.sub(rb"^<\d+>", b"", data).rstrip(b"\0\n") + b"\n")

    def stop(self):
        self.stopping = True
        self.thread.join(2)
        self.sock.close()


RUN_PARENT = "/run/smf-tests"


def _world_writable_above(path):
    """True if PATH or a directory above it is writable by everybody."""
    path = os.path.abspath(path)
    while True:
        if os.path.isdir(path) and os.stat(path).st_mode & 0o002:
            return True
        up = os.path.dirname(path)
        if up == path:
            return False
        path = up


def _parent_dir(build):
    if not _world_writable_above(build):
        return make_dir(os.path.join(build, "it-sendmail"), 0o755)
    return make_dir(RUN_PARENT, 0o755, owner=0, group=0)


class Sendmail:
    """The session's Sendmail (the `sendmail` fixture shows it through
    SendmailView). `base` is a fresh directory under BUILD/it-sendmail (or
    RUN_PARENT, see above)."""

    def __init__(self, build, root, port, local_port, sink_port, extra_mc=""):
        self.build = build
        parent = _parent_dir(build)
        self.base = tempfile.mkdtemp(prefix="sm-", dir=parent)
        os.chmod(self.base, 0o755)
        self.root_dir = root  # the ses-mailfrom-milter repository
        self.port = port
        self.local_port = local_port
        self.sink_port = sink_port
        self.extra_mc = extra_mc
        self.pkgroot = os.path.join(self.base, "root")
        self.binary = os.path.join(self.pkgroot, "usr/libexec/sendmail/sendmail")
        self.cfdir = os.path.join(self.pkgroot, "usr/share/sendmail/cf")
        self.milter_dir = make_dir(os.path.join(self.base, "milter"), 0o755)
        self.milter_socket = f"unix:{self.milter_dir}/milter.sock"
        self.maillog = os.path.join(self.base, "maillog")
        self.mta_cf = os.path.join(self.base, "mta.cf")
        self.submit_cf = os.path.join(self.base, "submit.cf")
        self.log = LogFile(self.maillog, name="sendmail maillog")
        self.proc = None
        self.syslog = None

    # -- set-up ----------------------------------------------------------
    def unpack(self):
        for deb in fetch_debs(self.build):
            subprocess.run(["dpkg-deb", "-x", deb, self.pkgroot], check=True,
                           capture_output=True, timeout=120)

    def mta_mc(self):
        """The MTA's .mc: test-only lines, contrib/sendmail.mc as shipped,
        test-only lines."""
        head = MTA_HEAD.format(cf=self.cfdir, d=self.base, host=HOSTNAME,
                               sink_port=self.sink_port, port=self.port,
                               local_port=self.local_port,
                               socket=self.milter_socket[len("unix:"):])
        return head + self.extra_mc + self._contrib("sendmail.mc") + MTA_TAIL

    def submit_mc(self):
        head = SUBMIT_HEAD.format(cf=self.cfdir, d=self.base, host=HOSTNAME,
                                  msp_user=MSP_USER, local_port=self.local_port)
        return head + self._contrib("submit.mc") + SUBMIT_TAIL

    def _contrib(self, name):
        with open(os.path.join(self.root_dir, "contrib", name)) as f:
            return f.read()

    def m4(self, mc_text, cf_path):
        mc_path = re.sub(r"\.cf$", ".mc", cf_path)
        with open(mc_path, "w") as f:
            f.write(mc_text)
        p = subprocess.run(["m4", mc_path], capture_output=True, text=True, timeout=60)
        if p.returncode != 0 or p.stderr.strip():
            raise RuntimeError(f"m4 {mc_path} failed (exit {p.returncode}):\n{p.stderr}")
        with open(cf_path, "w") as f:
            f.write(p.stdout)
        return p.stdout

    def write_files(self):
        d = self.base
        make_dir(os.path.join(d, "mqueue"), 0o700, owner="root")
        make_dir(os.path.join(d, "clientmqueue"), 0o770, owner=MSP_USER, group=MSP_USER)
        make_dir(os.path.join(d, "realdev"), 0o755)
        with open(os.path.join(d, "hosts"), "w") as f:
            # The sink on a line of its own: a name on the host's line is local.
            # Sendmail asks for the smart host with a trailing dot too.
            f.write(f"127.0.0.1 localhost\n127.0.0.1 {HOSTNAME} mta\n"
                    f"127.0.0.1 {SINK_HOST} {SINK_HOST}.\n::1 localhost\n")
        # No DNS at all: names come from that file, and a lookup that
        # reaches the resolver anyway ends at once on loopback.
        with open(os.path.join(d, "nsswitch.conf"), "w") as f:
            f.write("passwd: files\ngroup: files\nshadow: files\nhosts: files\n")
        with open(os.path.join(d, "resolv.conf"), "w") as f:
            f.write("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
        with open(os.path.join(d, "service.switch"), "w") as f:
            f.write("hosts files\naliases files\n")
        with open(os.path.join(d, "aliases"), "w") as f:
            # Bounces to local users vanish: there is no local delivery here.
            f.write("postmaster: root\nMAILER-DAEMON: root\nroot: /dev/null\n")
        open(os.path.join(d, "statistics"), "w").close()
        sasl = make_dir(os.path.join(d, "sasl"), 0o755)
        with open(os.path.join(sasl, "Sendmail.conf"), "w") as f:
            f.write(SASL_CONF.format(d=d))
        p = subprocess.run(["saslpasswd2", "-p", "-c", "-f", os.path.join(sasl, "sasldb2"),
                            "-u", HOSTNAME, "-a", "Sendmail", AUTH_USER],
                           input=AUTH_PASSWORD, capture_output=True, text=True, timeout=30)
        if p.returncode != 0:
            raise RuntimeError(f"saslpasswd2 failed (exit {p.returncode}): {p.stderr}")
        os.chmod(os.path.join(sasl, "sasldb2"), 0o600)
        self.m4(self.mta_mc(), self.mta_cf)
        self.m4(self.submit_mc(), self.submit_cf)

    def ns_argv(self, *argv):
        """argv run in the instance's namespaces (host name, hosts, SASL
        configuration, /dev/log)."""
        return ["unshare", "-m", "--uts", "--propagation", "private", "/bin/sh", "-c",
                NS_SCRIPT, "sh", self.base, *argv]

    def run(self, *args, input=None, timeout=60, cf=None):
        """The unpacked sendmail binary with `-C cf` (default: the MTA's)."""
        argv = self.ns_argv(self.binary, "-C", cf or self.mta_cf, *args)
        return subprocess.run(argv, input=input, capture_output=True, timeout=timeout)

    def start(self, *args):
        """Unpacks, writes the files, runs newaliases, then the daemon."""
        self.unpack()
        self.write_files()
        self.syslog = SyslogReader(os.path.join(self.base, "log.sock"), self.maillog)
        p = self.run("-bi")
        if p.returncode != 0:
            raise RuntimeError(f"newaliases failed (exit {p.returncode}):\n"
                               f"{p.stdout.decode()}{p.stderr.decode()}")
        return self.start_daemon(*args)

    def start_daemon(self, *args):
        """The daemon alone, with extra sendmail options (the bench runs
        it with -OInputMailFilters= for its no-filter figures)."""
        with open(os.path.join(self.base, "sendmail.out"), "ab") as out:
            # -bD: the daemon in the foreground, so the suite owns its pid.
            self.proc = subprocess.Popen(self.ns_argv(self.binary, "-C", self.mta_cf, "-bD",
                                                      "-q1s", *args),
                                         stdin=subprocess.DEVNULL, stdout=out, stderr=out)
        wait_until(lambda: self.proc.poll() is not None or (
            tcp_listening(self.port) and tcp_listening(self.local_port)),
            what=f"Sendmail on ports {self.port} and {self.local_port}",
            detail=lambda: tail(self.log.text()))
        if self.proc.poll() is not None:
            raise RuntimeError(f"sendmail exited {self.proc.returncode} at start:\n"
                               + tail(self.log.text()) + self._out())
        return self

    def stop_daemon(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        wait_until(lambda: not tcp_listening(self.port), 10, what="Sendmail to close its port")

    def _out(self):
        with contextlib.suppress(OSError):
            with open(os.path.join(self.base, "sendmail.out"), errors="replace") as f:
                return "\n--- sendmail.out ---\n" + tail(f.read())
        return ""

    def leftovers(self):
        """Pids of this instance's processes that outlive the daemon (its
        delivery children, a queue run): they work in its queue."""
        pids = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            with contextlib.suppress(OSError):
                if os.readlink(f"/proc/{pid}/cwd").startswith(self.base + "/"):
                    pids.append(int(pid))
        return pids

    def stop(self):
        self.stop_daemon()
        for pid in self.leftovers():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self.syslog is not None:
            self.syslog.stop()
            self.syslog = None

    def remove(self):
        shutil.rmtree(self.base, ignore_errors=True)
        with contextlib.suppress(OSError):
            os.rmdir(RUN_PARENT)  # only when no other instance lives there

    def queue_files(self, which="mqueue"):
        try:
            return sorted(os.listdir(os.path.join(self.base, which)))
        except FileNotFoundError:
            return []

    def view(self):
        return SendmailView(self)


class SendmailView(smtp.MTAView):
    """The `sendmail` fixture: the session's instance, with `log` showing
    only what Sendmail logged since this test started."""

    LOG_NAME = "sendmail maillog"

    def submit(self, sender, recipients, *, subject=None, body=None, timeout=60):
        """sendmail(1) through the MSP: `sendmail -C submit.cf -f SENDER --
        RCPT...`, message on stdin -> harness.smtp.Submission."""
        if isinstance(recipients, str):
            recipients = [recipients]
        message, mid = smtp.make_message(sender, recipients, subject, None, body)
        p = self.instance.run("-f", sender, "--", *recipients, cf=self.instance.submit_cf,
                              input=message.replace(b"\r\n", b"\n"), timeout=timeout)
        return smtp.Submission(p.returncode, p.stdout.decode("utf-8", "replace"),
                               p.stderr.decode("utf-8", "replace"), mid)

    def wait_sent(self, queue_id, timeout=None):
        """Waits until Sendmail logs the message as relayed to the sink."""
        return self.log.wait(rf"\b{queue_id}: to=.*stat=Sent", timeout)

    def assert_milter_ok(self):
        self.log.assert_no(MILTER_TROUBLE)


def queue_id(txn):
    """Sendmail's queue id from a Transaction's 250 at end of data."""
    m = txn.data and re.search(r"(\w+) Message accepted for delivery", txn.data.text)
    return m.group(1) if m else None
