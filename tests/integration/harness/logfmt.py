# SPDX-License-Identifier: BSD-2-Clause
"""An independent reader of the daemon's audit lines (man page, AUDIT):
`TAG: ` then logfmt fields. Written from the documented grammar, not from
milter/kvline.c, so the two check each other; MilterFactory.finish() runs
it over every line of every daemon of the suite.

    parse('NOQUEUE: msg=1.1 sender="a b"@x.test action=accept')
    -> ("NOQUEUE", [("msg", "1.1"), ("sender", '"a b"@x.test'), ...])

A bare word (no `=`) is a field whose value is None."""

import re

ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t"}
TAG = re.compile(r"^([A-Za-z0-9]+): ")
# A line is an audit record when its first field is key=... or a kind word.
AUDIT = re.compile(r"^(?:NOQUEUE|SES|[0-9A-Za-z]+): (?:(?:pass|drift)(?: |$)|[a-z_]+=)")


class LogfmtError(ValueError):
    pass


def is_audit(line):
    return bool(AUDIT.match(line))


def _value(s, i):
    """The value starting at s[i] -> (value, index after it)."""
    if i < len(s) and s[i] == '"':
        out, i = [], i + 1
        while True:
            if i >= len(s):
                raise LogfmtError(f"unterminated quote: {s!r}")
            c = s[i]
            if c == '"':
                return "".join(out), i + 1
            if c == "\\":
                if i + 1 >= len(s):
                    raise LogfmtError(f"backslash at end: {s!r}")
                e = s[i + 1]
                if e in ESCAPES:
                    out.append(ESCAPES[e])
                    i += 2
                elif e == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", s[i + 2:i + 6]):
                    out.append(chr(int(s[i + 2:i + 6], 16)))
                    i += 6
                else:
                    raise LogfmtError(f"unknown escape \\{e}: {s!r}")
                continue
            if ord(c) < 0x20 or c == "\x7f":
                raise LogfmtError(f"raw control byte in a quoted value: {s!r}")
            out.append(c)
            i += 1
    j = i
    while j < len(s) and s[j] != " ":
        if s[j] in '"=\\' or ord(s[j]) < 0x20 or s[j] == "\x7f":
            raise LogfmtError(f"{s[j]!r} unquoted at {j}: {s!r}")
        j += 1
    if j == i:
        raise LogfmtError(f"empty value unquoted at {i}: {s!r}")
    return s[i:j], j


def parse(line):
    m = TAG.match(line)
    if not m:
        raise LogfmtError(f"no TAG: at the start: {line!r}")
    tag, s, i, fields = m.group(1), line, m.end(), []
    while i < len(s):
        k = i
        while k < len(s) and (s[k].isalnum() or s[k] in "_-."):
            k += 1
        key = s[i:k]
        if not key:
            raise LogfmtError(f"no key at {i}: {line!r}")
        if k < len(s) and s[k] == "=":
            value, k = _value(s, k + 1)
        else:
            value = None
        fields.append((key, value))
        if k < len(s):
            if s[k] != " " or k + 1 == len(s):
                raise LogfmtError(f"fields not separated by one space at {k}: {line!r}")
            k += 1
        i = k
    keys = [f[0] for f in fields if f[1] is not None]
    if len(keys) != len(set(keys)):
        raise LogfmtError(f"a key twice: {line!r}")
    return tag, fields


def man_keys(man_path):
    """Every bold word of the man page's AUDIT section: the documented keys."""
    words, inside = set(), False
    with open(man_path) as f:
        for line in f:
            if line.startswith(".SH "):
                inside = line.strip() == ".SH AUDIT"
                continue
            if inside and re.match(r"^\.(B|BR|RB|BI) ", line):
                words.update(re.findall(r"\b[a-z][a-z_]*\b", line[3:]))
    return words


def check_lines(text, documented):
    """Problems with the audit lines of a log: unparsable, or a key the man
    page does not name. -> list of strings (empty: all good)."""
    problems = []
    for line in text.splitlines():
        if not is_audit(line):
            continue
        try:
            _, fields = parse(line)
        except LogfmtError as e:
            problems.append(str(e))
            continue
        for key, _ in fields:
            if key not in documented and key != "...":
                problems.append(f"key {key!r} not in the man page's AUDIT: {line!r}")
    return problems


def quote(value):
    """VALUE as the man page says it is written (for building regexes)."""
    if value and not re.search(r'[\x00-\x20\x7f="\\]', value):
        return value
    out = []
    for c in value:
        if c in '"\\':
            out.append("\\" + c)
        elif c in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[c])
        elif ord(c) < 0x20 or c == "\x7f":
            out.append(f"\\u{ord(c):04x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def field_rx(key, value):
    """A regex for the field KEY=VALUE, whole."""
    return rf"(?<![^ ]){re.escape(key)}={re.escape(quote(value))}(?= |$)"


def audit_rx(sender, **fields):
    """A regex for the audit line of SENDER's message (any stage), with
    these fields in this order."""
    rx = rf"(?m)^\S+: msg=\S+ stage=\w+ {field_rx('sender', sender)}"
    for k, v in fields.items():
        rx += rf".* {field_rx(k, v)}"
    return rx
