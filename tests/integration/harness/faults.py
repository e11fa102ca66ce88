# SPDX-License-Identifier: BSD-2-Clause
"""Faults that are not a fake server's answer: endpoints that refuse or
black-hole connections, and file systems that are read-only or full.

    with refused_endpoint() as url: ...   # connect() gets ECONNREFUSED
    with BlackHole() as bh: bh.url, bh.connections
    with tmpfs(path, size="64k", ro=True): ...
    fill(path)                            # until ENOSPC
    n = Notify(); env NOTIFY_SOCKET=n.name; n.wait(r"^READY=1", since=t0)

A daemon's own log can be stuck behind the fault (a stalled syslog holds
its logger thread, and stderr with it); systemd's notification socket is
a second witness of what it did and when.

Mounts need root (CAP_SYS_ADMIN); they are made in the test's own
directory and always unmounted (lazily if something still uses them)."""

import contextlib
import errno
import os
import socket
import re
import subprocess
import threading
import time


@contextlib.contextmanager
def refused_endpoint():
    """An http:// URL on 127.0.0.1 where nothing listens. The port stays
    bound (not listening) while the block runs, so nobody else can take it
    and every connect() is refused."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        yield "http://127.0.0.1:%d" % s.getsockname()[1]
    finally:
        s.close()


class BlackHole:
    """A TCP listener on 127.0.0.1 that accepts every connection and then
    never reads from it nor answers: a firewall that eats packets, or a
    server wedged after accept(). `connections` counts them."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.held = []
        self._stop = threading.Event()
        self._thread = None

    @property
    def connections(self):
        return len(self.held)

    def start(self):
        def run():
            while not self._stop.is_set():
                try:
                    conn, _ = self.sock.accept()
                except socket.timeout:
                    continue
                except OSError:
                    return
                self.held.append(conn)

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        for conn in self.held:
            conn.close()
        self.sock.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


@contextlib.contextmanager
def tmpfs(path, size="64k", ro=False):
    """A small tmpfs on `path` (created, root's, mode 0755) for the block; with
    ro=True it is remounted read-only before the block runs."""
    os.makedirs(path, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755",
                    "smf-faults", path], check=True, capture_output=True)
    try:
        if ro:
            subprocess.run(["mount", "-o", "remount,ro", path], check=True,
                           capture_output=True)
        yield path
    finally:
        if subprocess.run(["umount", path], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", path], capture_output=True)


def fill(directory):
    """Writes a file in `directory` until the file system is full."""
    chunk = b"\0" * 4096
    with open(os.path.join(directory, "filler"), "wb", buffering=0) as f:
        while True:
            try:
                f.write(chunk)
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise
                return


class Notify:
    """systemd's side of $NOTIFY_SOCKET (an abstract datagram socket, so
    it is reachable from any mount namespace): every message with the
    time.monotonic() it arrived."""

    def __init__(self):
        self.name = f"@smf-faults-{os.getpid()}-{time.monotonic_ns()}"
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind("\0" + self.name[1:])
        self.sock.settimeout(0.05)
        self.messages = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self):
        while not self._stop.is_set():
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            with self._lock:
                self.messages.append((time.monotonic(), data.decode("utf-8", "replace")))

    def first(self, regex, since):
        """The monotonic time of the first message matching regex that
        arrived at or after `since`, or None."""
        with self._lock:
            for when, text in self.messages:
                if when >= since and re.search(regex, text, re.M):
                    return when
        return None

    def wait(self, regex, since, timeout):
        """As first(), waiting up to `timeout` seconds after `since`."""
        while True:
            when = self.first(regex, since)
            if when is not None or time.monotonic() > since + timeout:
                return when
            time.sleep(0.01)

    def close(self):
        self._stop.set()
        self._thread.join()
        self.sock.close()
