# SPDX-License-Identifier: BSD-2-Clause
"""A scriptable DNS server (dnslib, UDP) in a thread of the test process.

    f = FakeDNS().start()              # 127.0.0.1, a free port; f.server = "ip:port"
    FakeDNS("::1")                     # the same on IPv6; f.server = "[::1]:port"
    f.mx("ok.fake.test", "mx.example.net", ttl=60, delay=0.3)
    f.nxdomain("gone.fake.test", soa_ttl=300, minimum=20)
    f.nodata("www.fake.test", soa_ttl=20, minimum=300)
    f.servfail("broken.fake.test"); f.refused("acl.fake.test")
    f.drop("dead.fake.test")           # reads the query, never answers
    f.truncated("big.fake.test")       # an empty answer with the TC bit: retry over TCP
    f.garbage("junk.fake.test")        # the query's id, then bytes that do not decode
    f.serve_tcp("garbage")             # TCP on the same port: "garbage" answers
                                       # junk, "close" hangs up; without it TCP is refused
    f.default = ("servfail",)          # for names without a rule (NXDOMAIN if unset)
    f.count("ok.fake.test")            # queries received for the name so far
    f.stop()

Names are compared lower-case without the root dot. Each query is handled
in a thread of its own, so a delayed answer holds up nobody else."""

import socket
import struct
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


class _Raw:
    """A reply that is not DNS: dnslib's handler sends what pack() gives."""

    def __init__(self, data):
        self.data = data

    def pack(self):
        return self.data


def garbage_for(query_id):
    """An answer a client takes for the reply to its query (its id, QR set,
    one question and one answer announced) that does not decode: the
    question's name runs off the end in a label longer than 63 bytes."""
    return struct.pack("!HHHHHH", query_id, 0x8180, 1, 1, 0, 0) + b"\xff" + b"\xa5" * 7


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
        if kind == "garbage":
            return _Raw(garbage_for(request.header.id))
        if kind == "truncated":
            reply.header.tc = 1
            return reply
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
        self._tcp = None
        self.tcp_queries = 0    # queries serve_tcp() answered

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

    def serve_tcp(self, mode):
        """Listens on TCP too, same port: each connection gets "garbage"
        (a length-prefixed answer that does not decode, after the query is
        read) or "close" (hung up on at once)."""
        if mode not in ("garbage", "close"):
            raise ValueError(mode)
        family = socket.AF_INET6 if ":" in self.address else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.address, self.port))
        sock.listen(16)
        sock.settimeout(0.05)
        stop = threading.Event()

        def answer(conn):
            with conn:
                conn.settimeout(2)
                try:
                    head = conn.recv(2)
                    if mode == "close" or len(head) < 2:
                        return
                    query = b""
                    while len(query) < struct.unpack("!H", head)[0]:
                        more = conn.recv(4096)
                        if not more:
                            return
                        query += more
                    with self._lock:
                        self.tcp_queries += 1
                    junk = garbage_for(struct.unpack("!H", query[:2])[0])
                    conn.sendall(struct.pack("!H", len(junk)) + junk)
                    conn.recv(1)  # until the client hangs up (or 2 s)
                except (OSError, struct.error):
                    return

        def run():
            while not stop.is_set():
                try:
                    conn, _ = sock.accept()
                except socket.timeout:
                    continue
                except OSError:
                    return
                threading.Thread(target=answer, args=(conn,), daemon=True).start()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        self._tcp = (sock, stop, thread)
        return self

    def stop(self):
        if self._tcp is not None:
            sock, stop, thread = self._tcp
            stop.set()
            thread.join()
            sock.close()
            self._tcp = None
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

    def truncated(self, name):
        """An empty answer with the TC bit set: the client must ask again
        over TCP (refused unless serve_tcp())."""
        self._set(name, "truncated")

    def garbage(self, name):
        """Bytes that carry the query's id but do not decode as DNS."""
        self._set(name, "garbage")

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
