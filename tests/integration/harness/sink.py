# SPDX-License-Identifier: BSD-2-Clause
"""smtp-sink (from the postfix package) as the next hop of the private
Postfix: it accepts everything and, with -d, dumps each transaction into its
own file, envelope first. Those files are what tests assert on.

Dump format (smtp-sink(1)): X-Client-Addr, X-Client-Proto, X-Helo-Args,
X-Mail-Args (the MAIL FROM arguments, i.e. the envelope sender as it left
Postfix), one X-Rcpt-Args per RCPT, then smtp-sink's own three-line
Received header, then the message as received, then one empty line."""

import email
import email.policy
import os
import re
import signal
import subprocess

from .smtp import banner_ready
from .util import make_dir, tail, wait_until

_ADDR = re.compile(r"<([^>]*)>")


class SinkMessage:
    """One transaction as smtp-sink saw it."""

    def __init__(self, path):
        self.path = path
        with open(path, "rb") as f:
            self.raw = f.read()
        self.sink_headers = {}  # name -> list of values, in order
        lines = self.raw.split(b"\n")
        i = 0
        while i < len(lines) and lines[i].startswith(b"X-"):
            name, _, value = lines[i].decode("utf-8", "replace").partition(":")
            self.sink_headers.setdefault(name, []).append(value.strip())
            i += 1
        if i < len(lines) and lines[i].startswith(b"Received:"):
            i += 1
            while i < len(lines) and lines[i][:1] in (b" ", b"\t"):
                i += 1
        data = b"\n".join(lines[i:])
        # smtp-sink appends one empty line after the message.
        if data.endswith(b"\n\n"):
            data = data[:-1]
        self.data = data
        self.message = email.message_from_bytes(data, policy=email.policy.compat32)

    def _first(self, name):
        values = self.sink_headers.get(name) or [""]
        return values[0]

    @property
    def mail_args(self):
        """Everything after MAIL FROM:, e.g. '<a@b> SIZE=123'."""
        return self._first("X-Mail-Args")

    @property
    def sender(self):
        """The envelope sender without <>; '' for the null sender."""
        m = _ADDR.search(self.mail_args)
        return m.group(1) if m else self.mail_args.split(" ")[0]

    @property
    def rcpt_args(self):
        return list(self.sink_headers.get("X-Rcpt-Args", []))

    @property
    def recipients(self):
        out = []
        for args in self.rcpt_args:
            m = _ADDR.search(args)
            out.append(m.group(1) if m else args.split(" ")[0])
        return out

    @property
    def client_addr(self):
        return self._first("X-Client-Addr")

    @property
    def helo(self):
        return self._first("X-Helo-Args")

    @property
    def headers(self):
        """The message headers (email.message.Message: msg['Subject'],
        .get_all('Received'), ...)."""
        return self.message

    def header(self, name, default=None):
        return self.message.get(name, default)

    @property
    def message_id(self):
        return (self.message.get("Message-ID") or "").strip()

    @property
    def body(self):
        head, sep, body = self.data.partition(b"\n\n")
        return body.decode("utf-8", "replace") if sep else ""

    @property
    def queue_id(self):
        """The Postfix queue id, from the Received header Postfix added."""
        for value in self.message.get_all("Received") or []:
            m = re.search(r"\(Postfix\)\s+with\s+\S+\s+id\s+(\w+)", value)
            if m:
                return m.group(1)
        return None

    def __repr__(self):
        return (f"<SinkMessage {os.path.basename(self.path)} from=<{self.sender}> "
                f"to={self.recipients} id={self.message_id}>")


class Sink:
    """A running smtp-sink writing into `directory` (session-wide)."""

    def __init__(self, workdir, port):
        self.port = port
        self.directory = make_dir(os.path.join(workdir, "sink"), 0o755, owner="postfix")
        self.log_path = os.path.join(workdir, "sink.log")
        self.proc = None

    def start(self):
        # -u is required as root; -d DIR/PREFIX. writes one file per
        # transaction with a random suffix.
        argv = ["smtp-sink", "-u", "postfix", "-d",
                os.path.join(self.directory, "%Y%m%d%H%M%S."),
                f"127.0.0.1:{self.port}", "100"]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=log)
        wait_until(lambda: self.proc.poll() is not None or banner_ready("127.0.0.1", self.port),
                   what=f"smtp-sink on port {self.port}")
        if self.proc.poll() is not None:
            raise RuntimeError(f"smtp-sink exited {self.proc.returncode}:\n"
                               + tail(open(self.log_path).read()))
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def _open_files(self):
        """Dump files smtp-sink still has open: transactions in progress."""
        fd_dir = f"/proc/{self.proc.pid}/fd"
        out = set()
        try:
            for fd in os.listdir(fd_dir):
                try:
                    out.add(os.readlink(os.path.join(fd_dir, fd)))
                except OSError:
                    pass
        except OSError:
            pass
        return out

    def complete_files(self):
        """Paths of finished dumps, oldest first."""
        try:
            names = os.listdir(self.directory)
        except FileNotFoundError:
            return []
        busy = self._open_files()
        paths = [os.path.join(self.directory, n) for n in names]
        paths = [p for p in paths if p not in busy and os.path.isfile(p)]
        return sorted(paths, key=lambda p: (os.stat(p).st_mtime_ns, p))

    def view(self):
        return SinkView(self)


class SinkView:
    """The sink as one test sees it: only messages that arrived after the
    test started (the `sink` fixture)."""

    def __init__(self, sink):
        self.sink = sink
        # Everything already there, finished or not, belongs to earlier tests.
        self.baseline = {os.path.join(sink.directory, n) for n in os.listdir(sink.directory)}

    def messages(self):
        return [SinkMessage(p) for p in self.sink.complete_files() if p not in self.baseline]

    def wait(self, n=1, timeout=None):
        """Waits until at least n messages arrived; returns them all."""
        return wait_until(lambda: (lambda ms: ms if len(ms) >= n else None)(self.messages()),
                          timeout, what=f"{n} message(s) at smtp-sink",
                          detail=lambda: f"arrived: {self.messages()}")

    def wait_for(self, txn_or_message_id, timeout=None):
        """Waits for the message a Transaction (or a Message-ID) sent."""
        mid = getattr(txn_or_message_id, "message_id", txn_or_message_id)

        def find():
            for m in self.messages():
                if m.message_id == mid:
                    return m
            return None

        return wait_until(find, timeout, what=f"message {mid} at smtp-sink",
                          detail=lambda: f"arrived: {self.messages()}")

    def assert_none(self, txn_or_message_id):
        """Asserts that a message has not (yet) arrived."""
        mid = getattr(txn_or_message_id, "message_id", txn_or_message_id)
        assert all(m.message_id != mid for m in self.messages()), f"{mid} was delivered"
