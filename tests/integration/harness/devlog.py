# SPDX-License-Identifier: BSD-2-Clause
"""A /dev/log of the test's own: the daemon runs in a mount namespace
whose /dev is a tmpfs of links to the real /dev, except `log`, which is a
unix datagram socket this harness binds. It starts stalled (nothing reads
it, as a syslog daemon that hangs) and can be made to read, keeping the
lines it receives.

    dl = DevLog(testdir)                  # stalled
    m = milter(conf, binary=dl.wrap(binary))
    dl.resume()                           # reads from now on
    dl.lines                              # what it read

Needs root (CAP_SYS_ADMIN) and unshare(1), as `make bench` does."""

import os
import socket
import stat
import threading

from .util import make_dir, write_file

# $1: this harness's directory; the rest: the command to run.
NS_SCRIPT = """set -e
d=$1; shift
mount --rbind /dev "$d/realdev"
mount -t tmpfs -o mode=0755 devlog-dev /dev
for n in "$d"/realdev/*; do ln -s "$n" /dev/; done
ln -sf "$d/log.sock" /dev/log
exec "$@"
"""


class DevLog:
    def __init__(self, testdir):
        self.dir = make_dir(os.path.join(testdir, "devlog"))
        make_dir(os.path.join(self.dir, "realdev"))
        self.path = os.path.join(self.dir, "log.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        os.chmod(self.path, 0o666)
        self.lines = []
        self._thread = None
        self._stop = False

    def wrap(self, binary):
        """A script that runs BINARY with this /dev/log (same pid: exec)."""
        path = os.path.join(self.dir, "run-with-devlog")
        write_file(path, "#!/bin/sh\n"
                   f"exec unshare -m --propagation private /bin/sh -c '{NS_SCRIPT}' "
                   f"sh {self.dir} {binary} \"$@\"\n", mode=0o755)
        return path

    def resume(self):
        """Reads every datagram from now on, in a thread."""
        def read():
            while not self._stop:
                try:
                    data = self.sock.recv(65536)
                except socket.timeout:
                    continue
                except OSError:
                    return
                self.lines.append(data.decode("utf-8", "replace"))

        self.sock.settimeout(0.1)
        self._thread = threading.Thread(target=read, daemon=True)
        self._thread.start()

    def close(self):
        self._stop = True
        if self._thread is not None:
            self._thread.join()
        self.sock.close()
        if stat.S_ISSOCK(os.lstat(self.path).st_mode):
            os.unlink(self.path)
