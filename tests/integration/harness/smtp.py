# SPDX-License-Identifier: BSD-2-Clause
"""Sending mail the way a client does, recording every reply.

SMTPClient keeps one connection open for several transactions; send()
is the one-message shortcut. Every stage's reply is kept (code, enhanced
status code, text), and nothing raises on a 4xx/5xx: the test asserts on
the replies. Local submission (sendmail -C CONFDIR) is `sendmail()`."""

import itertools
import os
import re
import smtplib
import socket
import subprocess
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import List, Optional

from .util import LogFile

_ENHANCED = re.compile(r"^([245]\.\d{1,3}\.\d{1,3})(?:\s+|$)")
_QUEUED = re.compile(r"queued as (\w+)")
_counter = itertools.count(1)


@dataclass(repr=False)
class Reply:
    code: int
    enhanced: Optional[str]
    text: str  # without the enhanced code; lines of a multi-line reply joined by \n

    @classmethod
    def parse(cls, code, msg):
        if isinstance(msg, bytes):
            msg = msg.decode("utf-8", "replace")
        lines = msg.split("\n")
        enhanced = None
        m = _ENHANCED.match(lines[0])
        if m:
            enhanced = m.group(1)
            lines = [_ENHANCED.sub("", line, count=1) for line in lines]
        return cls(code, enhanced, "\n".join(lines))

    @property
    def ok(self):
        return 200 <= self.code < 400

    @property
    def temporary(self):
        return 400 <= self.code < 500

    @property
    def permanent(self):
        return 500 <= self.code < 600

    def __str__(self):
        return f"{self.code} {self.enhanced + ' ' if self.enhanced else ''}{self.text}"

    __repr__ = __str__  # pytest shows repr() in assertion messages


@dataclass(repr=False)
class Transaction:
    """One MAIL..DATA attempt. data is None when DATA was not reached
    (MAIL refused, or every RCPT refused)."""
    sender: str
    recipients: List[str]
    message_id: str
    mail: Optional[Reply] = None
    rcpt: List[Reply] = field(default_factory=list)
    data: Optional[Reply] = None

    @property
    def accepted(self):
        """The message was queued (250 at end of data)."""
        return self.data is not None and self.data.code == 250

    @property
    def queue_id(self):
        m = self.data and _QUEUED.search(self.data.text)
        return m.group(1) if m else None

    @property
    def last(self):
        """The reply that decided the transaction."""
        if self.data is not None:
            return self.data
        refused = [r for r in self.rcpt if not r.ok]
        if self.mail is not None and self.mail.ok and refused:
            return refused[-1]
        return self.mail

    def __str__(self):
        stages = [f"MAIL {self.mail}"] + [f"RCPT {r}" for r in self.rcpt]
        if self.data is not None:
            stages.append(f"DATA {self.data}")
        return f"<{self.sender}> -> {self.recipients}: " + " | ".join(stages)

    __repr__ = __str__


def new_message_id():
    return f"<smf-{os.getpid()}-{next(_counter)}-{time.monotonic_ns()}@harness.test>"


def make_message(sender, recipients, subject=None, headers=None, body=None, message_id=None):
    """A small RFC 5322 message; returns (bytes, message_id). headers: a
    dict or a list of (name, value) added after the standard ones."""
    message_id = message_id or new_message_id()
    hdrs = [("From", f"<{sender}>" if sender else "<MAILER-DAEMON@harness.test>"),
            ("To", ", ".join(f"<{r}>" for r in recipients)),
            ("Subject", subject or f"harness test {message_id}"),
            ("Date", formatdate(localtime=False)),
            ("Message-ID", message_id)]
    if headers:
        hdrs += list(headers.items()) if isinstance(headers, dict) else list(headers)
    text = "".join(f"{k}: {v}\r\n" for k, v in hdrs) + "\r\n"
    text += body if body is not None else "Sent by the ses-mailfrom-milter integration harness.\r\n"
    return text.encode("utf-8"), message_id


def _smtp_data(data):
    """CRLF line ends, dot-stuffing, the terminating dot."""
    data = re.sub(rb"\r?\n", b"\r\n", data)
    data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


class SMTPClient:
    """One SMTP connection. Use as a context manager:

        with postfix.smtp() as c:
            t1 = c.send("a@example.com", ["x@example.net"])
            t2 = c.send("", ["y@example.net"])     # null sender
    """

    def __init__(self, host, port, helo="client.harness.test", timeout=30):
        self.conn = smtplib.SMTP(timeout=timeout)
        code, msg = self.conn.connect(host, port)
        self.banner = Reply.parse(code, msg)
        code, msg = self.conn.ehlo(helo)
        self.ehlo = Reply.parse(code, msg)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _cmd(self, line):
        self.conn.putcmd(line)
        return Reply.parse(*self.conn.getreply())

    def mail(self, sender, options=()):
        return self._cmd(f"MAIL FROM:<{sender}>" + "".join(f" {o}" for o in options))

    def rcpt(self, recipient, options=()):
        return self._cmd(f"RCPT TO:<{recipient}>" + "".join(f" {o}" for o in options))

    def data(self, message):
        reply = self._cmd("DATA")
        if reply.code != 354:
            return reply
        self.conn.send(_smtp_data(message))
        return Reply.parse(*self.conn.getreply())

    def rset(self):
        return self._cmd("RSET")

    def noop(self):
        return self._cmd("NOOP")

    def send(self, sender, recipients, message=None, *, subject=None, headers=None,
             body=None, mail_options=(), rcpt_options=()):
        """MAIL, every RCPT, DATA; stops (and sends RSET) at the first stage
        that leaves nothing to do. message: bytes/str to send verbatim (then
        the Message-ID is taken from it), else one is built."""
        if isinstance(recipients, str):
            recipients = [recipients]
        if message is None:
            message, mid = make_message(sender, recipients, subject, headers, body)
        else:
            if isinstance(message, str):
                message = message.encode("utf-8")
            m = re.search(rb"(?im)^Message-ID:\s*(\S+)", message)
            mid = m.group(1).decode() if m else ""
        t = Transaction(sender, list(recipients), mid)
        t.mail = self.mail(sender, mail_options)
        if not t.mail.ok:
            return t
        t.rcpt = [self.rcpt(r, rcpt_options) for r in recipients]
        if not any(r.ok for r in t.rcpt):
            self.rset()
            return t
        t.data = self.data(message)
        return t

    def close(self):
        try:
            self.conn.quit()
        except (smtplib.SMTPException, OSError):
            self.conn.close()


def send(host, port, sender, recipients, **kwargs):
    """One message on its own connection; returns the Transaction."""
    with SMTPClient(host, port) as c:
        return c.send(sender, recipients, **kwargs)


def banner_ready(host, port, timeout=2):
    """True when something on host:port answers with an SMTP 220 banner."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.settimeout(timeout)
            ok = s.recv(512).startswith(b"220")
            s.sendall(b"QUIT\r\n")
            return ok
    except OSError:
        return False


@dataclass
class Submission:
    """The result of a local submission through sendmail(1)."""
    returncode: int
    stdout: str
    stderr: str
    message_id: str


def sendmail(confdir, sender, recipients, message=None, *, subject=None, headers=None,
             body=None, args=(), timeout=30):
    """Local submission: `sendmail -C CONFDIR -f SENDER -- RCPT...` with the
    message on stdin. The mail enters Postfix through pickup/cleanup, so only
    non_smtpd_milters see it."""
    if isinstance(recipients, str):
        recipients = [recipients]
    if message is None:
        message, mid = make_message(sender, recipients, subject, headers, body)
        message = message.replace(b"\r\n", b"\n")
    else:
        if isinstance(message, str):
            message = message.encode("utf-8")
        m = re.search(rb"(?im)^Message-ID:\s*(\S+)", message)
        mid = m.group(1).decode() if m else ""
    argv = ["/usr/sbin/sendmail", "-C", str(confdir), "-f", sender, *args, "--", *recipients]
    p = subprocess.run(argv, input=message, capture_output=True, timeout=timeout)
    return Submission(p.returncode, p.stdout.decode("utf-8", "replace"),
                      p.stderr.decode("utf-8", "replace"), mid)


class MTAView:
    """A test's view of the session's MTA (a Postfix or a Sendmail of the
    harness): the instance's attributes, and `log` showing only what the
    MTA logged since the test started."""

    LOG_NAME = "maillog"

    def __init__(self, instance):
        self.instance = instance
        self.log = LogFile(instance.maillog, start=instance.log.mark(), name=self.LOG_NAME)

    def __getattr__(self, name):
        return getattr(self.instance, name)

    def smtp(self, **kwargs):
        """A connection to this MTA's SMTP port (SMTPClient)."""
        return SMTPClient("127.0.0.1", self.instance.port, **kwargs)

    def send(self, sender, recipients, **kwargs):
        """One message on its own connection -> Transaction."""
        return send("127.0.0.1", self.instance.port, sender, recipients, **kwargs)
