# SPDX-License-Identifier: BSD-2-Clause
"""A scriptable DNS server (dnslib, UDP) in a thread of the test process.

    f = FakeDNS().start()              # 127.0.0.1, a free port; f.server = "ip:port"
    FakeDNS("::1")                     # the same on IPv6; f.server = "[::1]:port"
    f.mx("ok.fake.test", "mx.example.net", ttl=60, delay=0.3)
    f.nxdomain("gone.fake.test", soa_ttl=300, minimum=20)
    f.nodata("www.fake.test", soa_ttl=20, minimum=300)
    f.servfail("broken.fake.test"); f.refused("acl.fake.test")
    f.drop("dead.fake.test")           # reads the query, never answers
    f.default = ("servfail",)          # for names without a rule (NXDOMAIN if unset)
    f.count("ok.fake.test")            # queries received for the name so far
    f.stop()

Names are compared lower-case without the root dot. Each query is handled
in a thread of its own, so a delayed answer holds up nobody else."""

import socket
import threading
import time
from collections import Counter

from dnslib import MX, QTYPE, RCODE, RR, SOA
from dnslib.dns import DNSError
from dnslib.server import BaseResolver, DNSLogger, DNSServer, UDPServer


def _key(name):
    return str(name).rstrip(".").lower()


class _UDP6Server(UDPServer):
    address_family = socket.AF_INET6


class _QuietLogger(DNSLogger):
    def __init__(self):
        super().__init__("-recv,-send,-request,-reply,-truncated,-error,-data")


class _Resolver(BaseResolver):
    def __init__(self, fake):
        self.fake = fake

    def resolve(self, request, handler):
        name = _key(request.q.qname)
        rule = self.fake._hit(name)
        kind, args = rule[0], rule[1]
        if args.get("delay"):
            time.sleep(args["delay"])
        reply = request.reply()
        if kind == "drop":
            raise DNSError("dropped on purpose")
        if kind == "servfail":
            reply.header.rcode = RCODE.SERVFAIL
        elif kind == "refused":
            reply.header.rcode = RCODE.REFUSED
        elif kind == "mx":
            for pref, host in args["hosts"]:
                reply.add_answer(RR(request.q.qname, QTYPE.MX, ttl=args["ttl"],
                                    rdata=MX(host, pref)))
        else:
            if kind == "nxdomain":
                reply.header.rcode = RCODE.NXDOMAIN
            if args.get("soa_ttl") is not None:
                zone = name.split(".", 1)[1] if "." in name else name
                reply.add_auth(RR(zone + ".", QTYPE.SOA, ttl=args["soa_ttl"],
                                  rdata=SOA(f"ns1.{zone}.", f"hostmaster.{zone}.",
                                            (1, 3600, 600, 86400, args["minimum"]))))
        return reply


class FakeDNS:
    def __init__(self, address="127.0.0.1", port=0):
        self.address = address
        self._port = port
        self._rules = {}
        self._counts = Counter()
        self._lock = threading.Lock()
        self.default = ("nxdomain",)
        self._dns = None

    @property
    def port(self):
        return self._dns.server.server_address[1]

    @property
    def server(self):
        """The server as c-ares and the daemon's [dns] servers want it."""
        if ":" in self.address:
            return f"[{self.address}]:{self.port}"
        return f"{self.address}:{self.port}"

    def start(self):
        self._dns = DNSServer(_Resolver(self), address=self.address, port=self._port,
                              logger=_QuietLogger(),
                              server=_UDP6Server if ":" in self.address else None)
        self._dns.server.daemon_threads = True
        # A short poll interval makes stop() quick (serve_forever's default is 0.5 s).
        self._thread = threading.Thread(target=self._dns.server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._dns is not None:
            self._dns.server.shutdown()
            self._dns.server.server_close()
            self._thread.join()
            self._dns = None

    def _set(self, name, kind, **args):
        with self._lock:
            self._rules[_key(name)] = (kind, args)

    def mx(self, name, *hosts, ttl=60, delay=0):
        """Answers with one MX per host: "host" (preference 10, 20, ...)
        or (preference, "host"); "." is the null MX."""
        pairs = [h if isinstance(h, tuple) else (10 * (i + 1), h)
                 for i, h in enumerate(hosts)]
        self._set(name, "mx", hosts=pairs, ttl=ttl, delay=delay)

    def nxdomain(self, name, soa_ttl=None, minimum=None, delay=0):
        self._set(name, "nxdomain", soa_ttl=soa_ttl, minimum=minimum, delay=delay)

    def nodata(self, name, soa_ttl=None, minimum=None, delay=0):
        self._set(name, "nodata", soa_ttl=soa_ttl, minimum=minimum, delay=delay)

    def servfail(self, name, delay=0):
        self._set(name, "servfail", delay=delay)

    def refused(self, name, delay=0):
        self._set(name, "refused", delay=delay)

    def drop(self, name):
        self._set(name, "drop")

    def _hit(self, name):
        with self._lock:
            self._counts[name] += 1
            rule = self._rules.get(name)
            if rule is None:
                kind = self.default[0]
                rule = (kind, dict(self.default[1]) if len(self.default) > 1 else {})
            return rule

    def count(self, name):
        with self._lock:
            return self._counts[_key(name)]

    def counts(self):
        with self._lock:
            return dict(self._counts)
