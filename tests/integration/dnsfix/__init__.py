# SPDX-License-Identifier: BSD-2-Clause
"""DNS servers for the integration tests, all on 127.0.0.1 with free ports.

  knot.Knot        a real authoritative server (knotd 3.2, run as nobody)
                   serving zones given as text; zones can be changed and
                   reloaded while it runs. knot.make_zone() writes zone text,
                   knot.EXAMPLE_TEST the zone with a MAIL FROM domain in
                   every MX state.
  fakedns.FakeDNS  a dnslib server in a thread of the test process with a
                   behaviour per name (MX answer, NXDOMAIN, NODATA,
                   SERVFAIL, REFUSED, no answer, a delay before any of them)
                   and a count of the queries each name received.
  free_udp_port()  a port free for both UDP and TCP on 127.0.0.1.

Both are plain classes; a test module makes fixtures of them (see
test_resolver.py)."""

import socket


def free_udp_port(host="127.0.0.1"):
    """A port nobody uses over UDP nor TCP right now (a small race, as with
    any free-port helper; fine for tests)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind((host, 0))
            port = u.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
                try:
                    t.bind((host, port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no free UDP+TCP port")
