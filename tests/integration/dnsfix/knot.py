# SPDX-License-Identifier: BSD-2-Clause
"""A knotd 3.2 authoritative server for tests, serving zones given as text.

    k = Knot(basedir, {"example.test": EXAMPLE_TEST}).start()
    k.port                      # 127.0.0.1@port, UDP and TCP
    k.set_zone("example.test", make_zone("example.test", records, serial=2))
    k.query("ok.example.test", "MX")  # a dnslib.DNSRecord, straight from knotd
    k.stop()

knotd runs as nobody:nogroup (setpriv), in the foreground, logging to
basedir/knotd.log. Zone files are written by the test (root) and only read
by knotd, so the template never writes them back (zonefile-sync: -1) and
keeps no journal (journal-content: none): a reload loads the file as it is.
A zone whose text does not load is served as SERVFAIL, which is how a test
gets a real SERVFAIL from a real server."""

import os
import re
import shutil
import subprocess
import time

import dnslib

from . import free_udp_port

KNOTD = shutil.which("knotd", path="/usr/sbin:/usr/bin") or "/usr/sbin/knotd"
KNOTC = shutil.which("knotc", path="/usr/sbin:/usr/bin") or "/usr/sbin/knotc"
SES_MX = "feedback-smtp.us-east-1.amazonses.com"
START_TIMEOUT = 10.0

# A MAIL FROM domain in every MX state, for example.test (see make_zone).
EXAMPLE_RECORDS = f"""\
ok          IN MX    10 {SES_MX}.
wrong       IN MX    10 mail.example.net.
multi       IN MX    10 {SES_MX}.
multi       IN MX    20 backup.example.net.
null        IN MX    0 .
nodata      IN A     192.0.2.1
nodata      IN TXT   "no mail exchanger here"
cname    30 IN CNAME ok
short     2 IN MX    10 {SES_MX}.
"""
SOA_MINIMUM = 5


def make_zone(origin, records, serial=1, soa_ttl=3600, minimum=SOA_MINIMUM, ttl=60):
    """Zone text for origin: an SOA (soa_ttl, MINIMUM minimum), an NS with
    its address, then `records` (zone-file lines relative to the origin;
    $TTL ttl for those without their own)."""
    origin = origin.rstrip(".")
    return (f"$ORIGIN {origin}.\n"
            f"$TTL {ttl}\n"
            f"@ {soa_ttl} IN SOA ns1.{origin}. hostmaster.{origin}. "
            f"{serial} 3600 600 86400 {minimum}\n"
            f"@ IN NS ns1\n"
            f"ns1 IN A 127.0.0.1\n"
            f"{records}")


EXAMPLE_TEST = make_zone("example.test", EXAMPLE_RECORDS)


class Knot:
    def __init__(self, basedir, zones, port=None):
        """zones: {origin: zone text}. basedir is created (it and its
        parents must be traversable by nobody)."""
        self.dir = os.path.abspath(basedir)
        self.zones = dict(zones)
        self.port = port or free_udp_port()
        self.address = "127.0.0.1"
        self.proc = None
        self.conf = os.path.join(self.dir, "knot.conf")
        self.logpath = os.path.join(self.dir, "knotd.log")
        self.zonedir = os.path.join(self.dir, "zones")
        self.rundir = os.path.join(self.dir, "run")
        self.dbdir = os.path.join(self.dir, "db")

    @property
    def server(self):
        """The server as c-ares and the daemon's [dns] servers want it."""
        return f"{self.address}:{self.port}"

    def _write_conf(self):
        for d, mode in ((self.dir, 0o755), (self.zonedir, 0o755)):
            os.makedirs(d, exist_ok=True)
            os.chmod(d, mode)
        for d in (self.rundir, self.dbdir):
            os.makedirs(d, exist_ok=True)
            shutil.chown(d, "nobody", "nogroup")
            os.chmod(d, 0o755)
        zones = "".join(f"  - domain: {z}\n" for z in self.zones)
        text = f"""\
server:
    rundir: "{self.rundir}"
    listen: {self.address}@{self.port}
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1

log:
  - target: stderr
    any: info

database:
    storage: "{self.dbdir}"

control:
    listen: "{self.rundir}/knot.sock"

template:
  - id: default
    storage: "{self.zonedir}"
    file: "%s.zone"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none

zone:
{zones}"""
        self._write(self.conf, text)

    def _write(self, path, text):
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)

    def _zone_path(self, origin):
        return os.path.join(self.zonedir, f"{origin.rstrip('.')}.zone")

    def start(self):
        self._write_conf()
        for origin, text in self.zones.items():
            self._write(self._zone_path(origin), text)
        self.log = open(self.logpath, "ab")
        self.proc = subprocess.Popen(
            ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
             KNOTD, "-c", self.conf],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT
        for origin, text in self.zones.items():
            serial = _serial(text)
            while not self._serves(origin, serial):
                if self.proc.poll() is not None:
                    raise RuntimeError(f"knotd exited with {self.proc.returncode}:\n"
                                       + self.log_tail())
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"knotd does not serve {origin}:\n" + self.log_tail())
                time.sleep(0.05)
        return self

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if getattr(self, "log", None):
            self.log.close()
            self.log = None

    def set_zone(self, origin, text):
        """Replaces a zone's text and reloads it; returns once knotd serves
        the new SOA serial (a zone meant to fail loading: once reloaded)."""
        self.zones[origin] = text
        self._write(self._zone_path(origin), text)
        subprocess.run([KNOTC, "-c", self.conf, "-b", "zone-reload", origin],
                       check=True, capture_output=True, timeout=10)
        serial = _serial(text)
        deadline = time.monotonic() + START_TIMEOUT
        while not self._serves(origin, serial):
            if time.monotonic() > deadline:
                raise RuntimeError(f"knotd does not serve {origin} serial {serial}:\n"
                                   + self.log_tail())
            time.sleep(0.05)

    def query(self, name, qtype="MX", timeout=1.0):
        q = dnslib.DNSRecord.question(name, qtype)
        return dnslib.DNSRecord.parse(q.send(self.address, self.port, timeout=timeout))

    def _serves(self, origin, serial):
        """True once the zone answers with this serial (serial None: once
        it answers at all, SERVFAIL included)."""
        try:
            r = self.query(origin, "SOA", timeout=0.3)
        except OSError:
            return False
        if serial is None:
            return True
        return any(rr.rtype == dnslib.QTYPE.SOA and rr.rdata.times[0] == serial
                   for rr in r.rr)

    def log_tail(self, n=30):
        try:
            with open(self.logpath, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""


def _serial(text):
    m = re.search(r"\bSOA\s+\S+\s+\S+\s+\(?\s*(\d+)", text)
    return int(m.group(1)) if m else None
