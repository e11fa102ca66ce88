# SPDX-License-Identifier: BSD-2-Clause
"""ses-mailfrom against the real AWS CLI, case by case.

Each case runs twice against one fake SES (tests/integration/harness/fake_ses_server.py), reset and seeded
the same way before each run: `/usr/bin/aws [PRE] ses ARGS` and
`$SMF_BUILD/ses-mailfrom [PRE] ARGS`, both with `--endpoint-url
http://127.0.0.1:PORT --region us-east-1` (unless the case is about them)
and the same private environment.  The exit codes, stdout byte for byte,
stderr with the program name normalised, and the parameters of every
request the fake received (in order, with their count: retries show) must
be the same, and every signature the fake checked must have verified.

The deliberate differences (a JSON/YAML "MailFromDomain": null means
"omit"; secrets in an error message are redacted) and the tool's own
commands are tested on their own at the end.
A table of the cases (aws rc, ours rc, result) is printed after the run.
"""

import concurrent.futures
import os
import queue
import re
import subprocess
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

from harness.echo_ses import EchoSES  # noqa: E402
from harness.fake_ses import FakeSES  # noqa: E402
from harness.tls_ses import TLSSES  # noqa: E402

AWS = "/usr/bin/aws"
BUILD = os.path.abspath(os.environ.get("SMF_BUILD") or os.path.join(ROOT, "build"))
TOOL = os.path.join(BUILD, "ses-mailfrom")
SET = "set-identity-mail-from-domain"
GET = "get-identity-mail-from-domain-attributes"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

TABLE = []


class Case:
    """One comparison. setup(ses) runs after the seed, before each tool;
    env(ses, d) returns variables to add (None values remove one); files
    are written into the case's directory, the tools' working directory;
    "{port}" in an argument is the fake's port. normalize() is applied to
    both stderr texts, for parts that differ from run to run or that are
    known differences (each explained where the case is)."""

    def __init__(self, name, args, pre=(), setup=None, env=None, files=None,
                 region=True, endpoint=True, compare="all", attempts=None,
                 normalize=None):
        self.name = name
        self.args = list(args)
        self.pre = list(pre)
        self.setup = setup
        self.env = env
        self.files = files or {}
        self.region = region
        self.endpoint = endpoint
        self.compare = compare
        self.attempts = attempts
        self.normalize = normalize or (lambda text: text)

    def __repr__(self):
        return self.name


def seed(ses):
    ses.verify_identity("example.com", mail_from_domain="bounce.example.com",
                        behavior="RejectMessage", status="Success")
    ses.verify_identity("alice@example.org")
    ses.verify_identity("b.example.net", mail_from_domain="m.b.example.net")
    ses.verify_identity("zeta.example")


def fault(kind, count=1, **kw):
    return lambda ses: ses.inject(kind, count=count, **kw)


def creds_file(ses, d):
    path = os.path.join(d, "credentials")
    with open(path, "w") as f:
        f.write("[work]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                % (ses.access_key, ses.secret_key))
    return {"AWS_SHARED_CREDENTIALS_FILE": path, "AWS_ACCESS_KEY_ID": None,
            "AWS_SECRET_ACCESS_KEY": None}


def config_file(text):
    def env(ses, d):
        path = os.path.join(d, "config")
        with open(path, "w") as f:
            f.write(text)
        return {"AWS_CONFIG_FILE": path}
    return env


def session_token(ses, d):
    return {"AWS_ACCESS_KEY_ID": "ASIATEMPEXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "temporarysecretEXAMPLEKEY",
            "AWS_SESSION_TOKEN": "FQoGZXIvYXdzEXAMPLESESSIONTOKEN/+="}


def add_temp_cred(ses):
    ses.add_cred("ASIATEMPEXAMPLE", "temporarysecretEXAMPLEKEY",
                 "FQoGZXIvYXdzEXAMPLESESSIONTOKEN/+=")


ID = ["--identity", "example.com"]
IDS3 = ["--identities", "example.com", "alice@example.org", "b.example.net"]
CASES = [
    # -- skeletons
    Case("skeleton-set", [SET, "--generate-cli-skeleton"]),
    Case("skeleton-set-input", [SET, "--generate-cli-skeleton", "input"]),
    Case("skeleton-set-yaml", [SET, "--generate-cli-skeleton", "yaml-input"]),
    Case("skeleton-set-output-needs-identity", [SET, "--generate-cli-skeleton", "output"]),
    Case("skeleton-set-output", [SET, "--generate-cli-skeleton", "output", "--identity", "x"]),
    Case("skeleton-get", [GET, "--generate-cli-skeleton"]),
    Case("skeleton-get-yaml", [GET, "--generate-cli-skeleton", "yaml-input"]),
    Case("skeleton-get-output", [GET, "--generate-cli-skeleton", "output", "--identities", "x"]),
    Case("skeleton-get-output-text", [GET, "--generate-cli-skeleton", "output",
                                      "--identities", "x", "--output", "text"]),
    Case("skeleton-wins-sends-nothing", [SET] + ID + ["--mail-from-domain", "m.example.com",
                                                      "--generate-cli-skeleton"]),
    # -- arguments
    Case("set-all-three", [SET] + ID + ["--mail-from-domain", "bounce.example.com",
                                        "--behavior-on-mx-failure", "RejectMessage"]),
    Case("set-other-order", [SET, "--behavior-on-mx-failure", "RejectMessage",
                             "--mail-from-domain", "bounce.example.com"] + ID),
    Case("set-disable", [SET] + ID),
    Case("set-empty-mail-from", [SET] + ID + ["--mail-from-domain", ""]),
    Case("set-empty-identity", [SET, "--identity", ""]),
    Case("opt-equals", [SET, "--identity=example.com", "--mail-from-domain=m.example.com"]),
    Case("opt-prefix", [SET, "--ident", "example.com", "--mail", "m.example.com", "--beh",
                        "UseDefaultValue"]),
    Case("opt-ambiguous", [SET, "--cli-input", "{}"]),
    Case("opt-last-wins", [SET, "--identity", "nope.example", "--identity", "example.com"]),
    Case("opt-unknown", [SET] + ID + ["--bogus", "x"]),
    Case("opt-missing-identity", [SET, "--mail-from-domain", "m.example.com"]),
    Case("opt-missing-value", [SET, "--identity"]),
    Case("opt-global-prefix", [SET] + ID + ["--o", "text", "--reg", "us-east-1"]),
    Case("opt-global-ambiguous", [SET] + ID + ["--cli", "5"]),
    Case("opt-globals-first", [GET, "--identities", "example.com"],
         pre=["--output", "text", "--region", "us-east-1"]),
    Case("enum-sent-as-given", [SET] + ID + ["--behavior-on-mx-failure", "Bounce"]),
    Case("json-inline", [SET, "--cli-input-json",
                         '{"MailFromDomain": "m.example.com", "Identity": "example.com"}']),
    Case("json-file", [SET, "--cli-input-json", "file://in.json"],
         files={"in.json": '{"Identity": "example.com",\r\n'
                           ' "BehaviorOnMXFailure": "RejectMessage"}\n'}),
    Case("yaml-inline", [SET, "--cli-input-yaml",
                         "Identity: example.com\nMailFromDomain: m.example.com\n"]),
    Case("yaml-file", [SET, "--cli-input-yaml", "file://in.yaml"],
         files={"in.yaml": "BehaviorOnMXFailure: UseDefaultValue  # comment\n"
                           "Identity: example.com\n"}),
    Case("json-plus-options", [SET, "--cli-input-json",
                               '{"MailFromDomain": "x.example.com", "Identity": "nope",'
                               ' "BehaviorOnMXFailure": "RejectMessage"}',
                               "--behavior-on-mx-failure", "UseDefaultValue"] + ID),
    Case("json-unknown-key", [SET, "--cli-input-json", '{"Identity": "example.com", "Bogus": 1}']),
    Case("json-no-identity", [SET, "--cli-input-json", '{"MailFromDomain": "m.example.com"}']),
    Case("json-wrong-types", [SET, "--cli-input-json",
                              '{"Identity": 5, "MailFromDomain": ["a", 1.5e16],'
                              ' "BehaviorOnMXFailure": {"k": true, "n": null}}']),
    Case("json-not-a-map", [SET, "--cli-input-json", '["Identity"]']),
    Case("json-and-yaml", [SET, "--cli-input-json", "{}", "--cli-input-yaml", "{}"]),
    Case("json-invalid", [SET, "--cli-input-json", '{"Identity": "example.com",}']),
    Case("json-bom", [SET, "--cli-input-json", "file://bom.json"],
         files={"bom.json": '\ufeff{"Identity": "example.com"}'}),
    Case("json-trailing-text", [SET, "--cli-input-json", '{"Identity": "example.com"} x']),
    Case("json-duplicate-key", [SET, "--cli-input-json",
                                '{"Identity": "nope", "MailFromDomain": "m.example.com",'
                                ' "Identity": "example.com"}']),
    Case("json-file-missing", [SET, "--cli-input-json", "file://nonexistent.json"]),
    Case("json-with-equals-needs-identity",
         [SET, '--cli-input-json={"Identity": "example.com"}']),
    Case("yaml-1.2-yes-is-string", [SET, "--cli-input-yaml",
                                    "Identity: example.com\nMailFromDomain: yes\n"
                                    "BehaviorOnMXFailure: on\n"]),
    Case("yaml-typed-values", [SET, "--cli-input-yaml",
                               "Identity: 0o17\nMailFromDomain: 2001-12-14\n"
                               "BehaviorOnMXFailure: .inf\n"]),
    Case("yaml-duplicate-key", [SET, "--cli-input-yaml", "Identity: a\nIdentity: b\n"]),
    Case("param-file", [SET, "--identity", "file://id.txt"], files={"id.txt": "example.com"}),
    Case("get-two", [GET, "--identities", "b.example.net", "example.com"]),
    Case("get-comma-no-split", [GET, "--identities", "example.com,b.example.net"]),
    Case("get-empty-json-list", [GET, "--cli-input-json", '{"Identities": []}']),
    Case("get-no-values", [GET, "--identities"]),
    Case("get-list-twice", [GET, "--identities", "b.example.net", "--identities", "example.com"]),
    Case("get-json-list-arg", [GET, "--identities", '["example.com", "alice@example.org"]']),
    # The reason is the JSON reader's (Python's json module vs jansson);
    # the position and the rest of the message must be the same.
    Case("get-json-list-invalid", [GET, "--identities", '["example.com", x]'],
         normalize=lambda t: re.sub(rb"(Invalid JSON: ).*?(: line \d+ column)",
                                    rb"\1REASON\2", t)),
    # -- output
    Case("out-json", [GET, "--identities", "zeta.example", "b.example.net", "nope.example",
                      "example.com", "alice@example.org"]),
    Case("out-text", [GET, "--identities", "zeta.example", "b.example.net", "example.com",
                      "alice@example.org", "--output", "text"]),
    Case("out-yaml", [GET, "--identities", "b.example.net", "example.com", "alice@example.org",
                      "--output", "yaml"]),
    Case("out-yaml-stream", [GET, "--identities", "b.example.net", "example.com",
                             "--output", "yaml-stream"]),
    Case("out-table", [GET, "--identities", "b.example.net", "example.com", "alice@example.org",
                       "--output", "table"]),
    Case("out-table-color", [GET, "--identities", "example.com", "--output", "table",
                             "--color", "on"]),
    Case("out-empty-map", [GET, "--identities", "nope.example"]),
    Case("out-env-default", [GET, "--identities", "example.com"],
         env=lambda ses, d: {"AWS_DEFAULT_OUTPUT": "yaml"}),
    Case("out-config-bogus", [SET] + ID,
         env=config_file("[default]\noutput = bogus\n")),
    # -- service errors, retries
    Case("err-unknown-identity", [SET, "--identity", "nope.example"]),
    Case("err-not-subdomain", [SET] + ID + ["--mail-from-domain", "example.org"]),
    # botocore marks any error on the last allowed attempt as "reached max
    # retries", also with a single attempt
    Case("err-max-attempts-one", [SET, "--identity", "nope.example"],
         env=lambda ses, d: {"AWS_MAX_ATTEMPTS": "1"}, attempts=1),
    Case("err-throttling-exhausted", [SET] + ID, setup=fault("throttle", 3), attempts=3),
    Case("err-throttling-then-ok", [SET] + ID, setup=fault("throttle", 1), attempts=2),
    Case("err-500-xml", [SET] + ID, setup=fault("500", 3), attempts=3),
    Case("err-503-then-ok", [GET, "--identities", "example.com"], setup=fault("503", 2),
         attempts=3),
    # The parser's reason differs: ses/sesxml.c refuses any DTD up front
    # where Python's expat reads on to the first mismatched tag.
    Case("err-500-not-xml", [SET] + ID, setup=fault("500-nonxml"), attempts=1,
         normalize=lambda t: re.sub(rb"Unable to parse response \([^)]*\)",
                                    b"Unable to parse response (REASON)", t)),
    Case("err-no-message", [SET] + ID, setup=fault("error", code="InvalidParameterValue")),
    Case("err-message-entities", [SET] + ID,
         setup=fault("error", code="ValidationError", message="<a> & \"b\" 'c'")),
    Case("err-last-attempt-not-retryable", [SET] + ID,
         setup=lambda ses: (ses.inject("throttle", count=2),
                            ses.inject("error", code="Bar", message="m")), attempts=3),
    Case("err-bad-signature", [SET] + ID,
         env=lambda ses, d: {"AWS_SECRET_ACCESS_KEY": "wrong" + SECRET}, compare="nosig"),
    # the message names the times of the run
    Case("err-request-expired", [SET] + ID,
         setup=lambda ses: ses.configure(clock_offset=3600),
         normalize=lambda t: re.sub(rb"\d{8}T\d{6}Z", b"TIME", t)),
    Case("err-connection-closed", [SET] + ID, setup=fault("drop", 2),
         env=lambda ses, d: {"AWS_MAX_ATTEMPTS": "2"}, attempts=2),
    Case("err-read-timeout", [SET] + ID + ["--cli-read-timeout", "1"],
         setup=fault("hang", 2, seconds=4), env=lambda ses, d: {"AWS_MAX_ATTEMPTS": "2"},
         attempts=2),
    Case("err-unknown-access-key", [SET] + ID,
         env=lambda ses, d: {"AWS_ACCESS_KEY_ID": "AKIDUNKNOWNEXAMPLE"}, attempts=1),
    # https to the fake's plain-HTTP port; the TLS library words its
    # reason its own way (OpenSSL's error string vs Python's ssl module)
    Case("err-tls-handshake", [SET] + ID + ["--endpoint-url", "https://127.0.0.1:{port}"],
         endpoint=False, env=lambda ses, d: {"AWS_MAX_ATTEMPTS": "2"},
         normalize=lambda t: re.sub(rb"(SSL validation failed for \S+) .*",
                                    rb"\1 REASON", t)),
    Case("err-connection-refused", [SET] + ID + ["--endpoint-url", "http://127.0.0.1:1"],
         endpoint=False, env=lambda ses, d: {"AWS_MAX_ATTEMPTS": "2"}),
    # -- configuration, credentials, global options
    Case("cfg-no-credentials", [SET] + ID,
         env=lambda ses, d: {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None}),
    Case("cfg-no-region", [SET] + ID, region=False,
         env=lambda ses, d: {"AWS_DEFAULT_REGION": None}),
    Case("cfg-region-from-config", [SET] + ID, region=False,
         env=lambda ses, d: dict(config_file("[default]\nregion = us-east-1\n")(ses, d),
                                 AWS_DEFAULT_REGION=None)),
    Case("cfg-bad-region", [SET] + ID + ["--region", "not a region"], region=False),
    Case("cfg-profile-credentials", [SET] + ID + ["--profile", "work"], env=creds_file),
    Case("cfg-profile-from-env", [SET] + ID,
         env=lambda ses, d: dict(creds_file(ses, d), AWS_PROFILE="work")),
    Case("cfg-region-from-env", [SET] + ID, region=False,
         env=lambda ses, d: {"AWS_DEFAULT_REGION": None, "AWS_REGION": "us-east-1"}),
    Case("cfg-profile-missing", [SET] + ID + ["--profile", "nope"]),
    Case("cfg-session-token", [SET] + ID, setup=add_temp_cred, env=session_token),
    Case("cfg-endpoint-no-scheme", [SET] + ID + ["--endpoint-url", "localhost"], endpoint=False),
    Case("cfg-bad-read-timeout", [SET] + ID + ["--cli-read-timeout", "abc"]),
    Case("cfg-negative-timeout", [SET] + ID + ["--cli-connect-timeout", "-1"]),
    Case("cfg-bad-output", [GET, "--identities", "x", "--output", "xml"]),
    Case("cfg-ignored-options", [SET] + ID + ["--no-verify-ssl", "--ca-bundle", "/nonexistent",
                                              "--no-cli-pager", "--no-paginate",
                                              "--cli-connect-timeout", "5"]),
    Case("cfg-debug", [GET, "--identities", "example.com", "--debug"], compare="rc+stdout"),
    # -- --query (JMESPath), applied before every output format
    Case("query-text-status", [GET, "--identities", "example.com", "alice@example.org",
                               "--query", 'MailFromDomainAttributes."example.com".'
                               "MailFromDomainStatus", "--output", "text"]),
    Case("query-json-status", [GET, "--identities", "example.com", "--query",
                               'MailFromDomainAttributes."example.com".MailFromDomainStatus']),
    Case("query-null-json", [GET, "--identities", "example.com", "--query", "nothing"]),
    Case("query-null-text", [GET, "--identities", "example.com", "--query", "nothing",
                             "--output", "text"]),
    Case("query-null-table", [GET, "--identities", "example.com", "--query", "nothing",
                              "--output", "table"]),
    Case("query-null-yaml", [GET, "--identities", "example.com", "--query", "nothing",
                             "--output", "yaml"]),
    Case("query-multiselect-text", [GET] + IDS3 + ["--query",
                                    "MailFromDomainAttributes.*.[MailFromDomainStatus,"
                                    "BehaviorOnMXFailure]", "--output", "text"]),
    Case("query-multiselect-row", [GET] + IDS3 + ["--query",
                                   "[MailFromDomainAttributes.*.MailFromDomainStatus, `1`]",
                                   "--output", "text"]),
    Case("query-hash-table", [GET] + IDS3 + ["--query",
                              "MailFromDomainAttributes.*.{d: MailFromDomain, "
                              "s: MailFromDomainStatus}", "--output", "table"]),
    Case("query-filter-json", [GET] + IDS3 + ["--query",
                               "values(MailFromDomainAttributes)[?MailFromDomainStatus"
                               "==`Success`]"]),
    Case("query-filter-yaml", [GET] + IDS3 + ["--query",
                               "values(MailFromDomainAttributes)[?BehaviorOnMXFailure"
                               "=='UseDefaultValue'].MailFromDomain", "--output", "yaml"]),
    Case("query-keys-yaml-stream", [GET] + IDS3 + ["--query",
                                    "keys(MailFromDomainAttributes)",
                                    "--output", "yaml-stream"]),
    Case("query-functions-text", [GET] + IDS3 + ["--query",
                                  "[length(keys(MailFromDomainAttributes)), join(', ', "
                                  "sort(keys(MailFromDomainAttributes))), "
                                  "max_by(values(MailFromDomainAttributes), "
                                  "&BehaviorOnMXFailure).BehaviorOnMXFailure]",
                                  "--output", "text"]),
    Case("query-sort-by-table", [GET] + IDS3 + ["--query",
                                 "sort_by(values(MailFromDomainAttributes), "
                                 "&BehaviorOnMXFailure)[].BehaviorOnMXFailure",
                                 "--output", "table"]),
    Case("query-scalar-yaml", [GET, "--identities", "example.com", "--query", "`3.5`",
                               "--output", "yaml"]),
    Case("query-bool-text", [GET, "--identities", "example.com", "--query", "`true`",
                             "--output", "text"]),
    Case("query-string-table", [GET, "--identities", "example.com", "--query", '`"x"`',
                                "--output", "table"]),
    Case("query-nested-lists-text", [GET, "--identities", "example.com", "--query",
                                     "`[[1, 2], [3]]`", "--output", "text"]),
    Case("query-unicode-json", [GET, "--identities", "example.com", "--query",
                                '`"caf\\u00e9 \\u4e2d"`']),
    Case("query-mixed-list-table", [GET, "--identities", "example.com", "--query",
                                    '`[1, null, "a", {"x": [1, 2]}]`', "--output", "table"]),
    Case("query-ragged-table", [GET, "--identities", "example.com", "--query",
                                '`[1, {"a": 1, "b": 2}]`', "--output", "table"]),
    Case("query-mixed-list-text", [GET, "--identities", "example.com", "--query",
                                   '`[1, {"a": 1}]`', "--output", "text"]),
    Case("query-set-json", [SET] + ID + ["--query", "foo"]),
    Case("query-set-text", [SET] + ID + ["--query", "foo", "--output", "text"]),
    Case("query-set-empty", [SET] + ID + ["--query", "@", "--output", "yaml-stream"]),
    # errors: syntax before any request (252), evaluation after it (255)
    Case("query-err-parse", [GET, "--identities", "example.com", "--query", "[1,2"]),
    Case("query-err-incomplete", [GET, "--identities", "example.com", "--query", "a."]),
    Case("query-err-lex", [GET, "--identities", "example.com", "--query", "'x"]),
    Case("query-err-lex-unicode", [GET, "--identities", "example.com", "--query", "\u00e9"]),
    Case("query-err-empty", [GET, "--identities", "example.com", "--query", ""]),
    Case("query-err-before-endpoint", [GET, "--identities", "example.com", "--query",
                                       "[1,2", "--endpoint-url", "nourl"]),
    Case("query-err-unknown-function", [GET, "--identities", "example.com", "--query",
                                        "foo(@)"]),
    Case("query-err-arity", [GET, "--identities", "example.com", "--query",
                             "length(@, @)"]),
    Case("query-err-variadic-arity", [GET, "--identities", "example.com", "--query",
                                      "not_null()"]),
    Case("query-err-type", [GET, "--identities", "example.com", "--query", "abs(@)"]),
    Case("query-err-subtype", [GET, "--identities", "example.com", "--query",
                               'sum(`[1, "a"]`)']),
    Case("query-err-slice-step", [GET, "--identities", "example.com", "--query",
                                  "MailFromDomainAttributes.*[::0]"]),
]


# The AWS CLI takes most of a second of CPU per call: the cases run in a
# few threads, each with a fake SES of its own, before the first test.
WORKERS = 3


@pytest.fixture(scope="module")
def ses():
    with FakeSES(rate=0) as server:
        yield server


@pytest.fixture(scope="module", autouse=True)
def table(request):
    yield
    tr = request.config.pluginmanager.getplugin("terminalreporter")
    capture = request.config.pluginmanager.getplugin("capturemanager")
    if tr is None or not TABLE:
        return
    lines = ["", "conformance: %-36s %4s %5s  %s" % ("case", "aws", "ours", "result")]
    lines += ["conformance: %-36s %4s %5s  %s" % row for row in TABLE]
    same = sum(1 for row in TABLE if row[3] == "same")
    lines.append("conformance: %d of %d cases the same" % (same, len(TABLE)))
    with capture.global_and_fixture_disabled():
        for line in lines:
            tr.write_line(line)


def base_env(ses, d):
    home = os.path.join(d, "home")
    os.makedirs(os.path.join(home, ".aws"), exist_ok=True)
    env = ses.aws_env(home=home)
    env["SES_RETRY_BASE_MS"] = "1000"
    return env


def run(ses, case, d, tool):
    ses.reset()
    seed(ses)
    if case.setup:
        case.setup(ses)
    env = base_env(ses, d)
    if case.env:
        for key, value in case.env(ses, d).items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
    if tool == "aws":
        argv = [AWS] + case.pre + ["ses"] + case.args
    else:
        argv = [TOOL] + case.pre + case.args
    argv = [a.replace("{port}", str(ses.port)) for a in argv]
    if case.endpoint:
        argv += ["--endpoint-url", ses.endpoint_url]
    if case.region:
        argv += ["--region", "us-east-1"]
    start = time.monotonic()
    p = subprocess.run(argv, env=env, cwd=d, stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=120)
    took = time.monotonic() - start
    log = ses.log()
    return {"rc": p.returncode, "out": p.stdout, "err": p.stderr, "took": took,
            "params": [e["params"] for e in log],
            "sigs": [e["signature_ok"] for e in log]}


def compare(case, aws, ours):
    problems = []
    if aws["rc"] != ours["rc"]:
        problems.append("exit code")
    if aws["out"] != ours["out"]:
        problems.append("stdout")
    if case.compare in ("all", "nosig"):
        if case.normalize(aws["err"]) != case.normalize(
                ours["err"].replace(b"ses-mailfrom", b"aws")):
            problems.append("stderr")
    if case.compare != "rc+stdout" and aws["params"] != ours["params"]:
        problems.append("requests")
    if case.compare != "nosig" and False in ours["sigs"] + aws["sigs"]:
        problems.append("signature")
    if case.attempts is not None and not (len(aws["params"]) == len(ours["params"]) ==
                                          case.attempts):
        problems.append("attempts")
    if case.compare == "rc+stdout":
        # --debug: the CLI's log is its own; ours must say something and
        # never the secret key
        if not ours["err"] or SECRET.encode() in ours["err"]:
            problems.append("debug output")
    return problems


@pytest.fixture(scope="module")
def outcomes(request, tmp_path_factory):
    """Every selected case run against both tools, by name."""
    wanted = [item.callspec.params["case"] for item in request.session.items
              if item.name.startswith("test_same_as_aws[")]
    base = str(tmp_path_factory.mktemp("conformance"))
    servers = queue.Queue()
    started = []
    try:
        for _ in range(min(WORKERS, max(1, len(wanted)))):
            started.append(FakeSES(rate=0).start())
            servers.put(started[-1])

        def work(case):
            ses = servers.get()
            try:
                d = os.path.join(base, case.name)
                os.makedirs(d)
                for name, text in case.files.items():
                    with open(os.path.join(d, name), "w", newline="") as f:
                        f.write(text)
                aws = run(ses, case, d, "aws")
                ours = run(ses, case, d, "ours")
                return case.name, (aws, ours, compare(case, aws, ours))
            finally:
                servers.put(ses)

        with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:
            yield dict(pool.map(work, wanted))
    finally:
        for server in started:
            server.stop()


def show(r):
    return "rc %s\n--- stdout\n%s--- stderr\n%s--- requests\n%s" % (
        r["rc"], r["out"].decode(errors="replace"), r["err"].decode(errors="replace"),
        "\n".join(str(p) for p in r["params"]))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_same_as_aws(outcomes, case):
    assert os.access(TOOL, os.X_OK), "build %s first" % TOOL
    aws, ours, problems = outcomes[case.name]
    TABLE.append((case.name, aws["rc"], ours["rc"], "same" if not problems else
                  "DIFFERENT: " + ", ".join(problems)))
    assert not problems, "%s differ\n=== aws\n%s\n=== ses-mailfrom\n%s" % (
        ", ".join(problems), show(aws), show(ours))


# -- the deliberate difference and the tool's own surface --------------------

def run_tool(ses, d, *args, env_extra=None):
    env = base_env(ses, d)
    env.update(env_extra or {})
    return subprocess.run([TOOL] + list(args) + ["--endpoint-url", ses.endpoint_url,
                                                 "--region", "us-east-1"],
                          env=env, cwd=d, stdin=subprocess.DEVNULL, capture_output=True,
                          timeout=60)


@pytest.mark.parametrize("flag,doc", [
    ("--cli-input-json", '{"Identity": "example.com", "MailFromDomain": null,'
                         ' "BehaviorOnMXFailure": "RejectMessage"}'),
    ("--cli-input-yaml", "Identity: example.com\nMailFromDomain: ~\n"
                         "BehaviorOnMXFailure: RejectMessage\n"),
])
def test_null_mail_from_domain_disables(ses, tmp_path, flag, doc):
    """The AWS CLI refuses a null MailFromDomain; SES's documentation says
    null disables the custom MAIL FROM domain, so ses-mailfrom sends none."""
    ses.reset()
    seed(ses)
    p = run_tool(ses, str(tmp_path), SET, flag, doc)
    assert (p.returncode, p.stdout, p.stderr) == (0, b"", b"")
    assert [e["params"] for e in ses.log()] == [[
        ["Action", "SetIdentityMailFromDomain"], ["Version", "2010-12-01"],
        ["Identity", "example.com"], ["BehaviorOnMXFailure", "RejectMessage"]]]
    assert ses.identity("example.com")["mail_from_domain"] is None
    # what the CLI does with the same document
    ses.reset()
    seed(ses)
    env = base_env(ses, str(tmp_path))
    a = subprocess.run([AWS, "ses", SET, flag, doc, "--endpoint-url", ses.endpoint_url,
                        "--region", "us-east-1"], env=env, capture_output=True, timeout=60)
    assert a.returncode == 252 and b"Invalid type for parameter MailFromDomain, value: None" \
        in a.stderr
    assert ses.log() == []


def test_signature_error_as_aws_minus_the_secrets(tmp_path):
    """A SignatureDoesNotMatch whose message quotes the canonical request
    (the session token in it) and, from a hostile server, the secret key:
    ses-mailfrom prints what the CLI prints, the whole message, with
    each secret replaced by "[redacted]" (see ses-mailfrom(1), "ERRORS")."""
    token = "FwoGZXIvYXdzEBYaDK/Token+With/Slashes=="
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
           "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
           "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": SECRET,
           "AWS_SESSION_TOKEN": token, "AWS_EC2_METADATA_DISABLED": "true"}
    out = {}
    with EchoSES(stable=True, extra=f"secret={SECRET}") as echo:
        for name, argv in (("aws", [AWS, "ses"]), ("ours", [TOOL])):
            p = subprocess.run(argv + [SET, "--identity", "example.com",
                                       "--endpoint-url", echo.endpoint_url,
                                       "--region", "us-east-1"],
                               env=env, cwd=str(tmp_path), stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, timeout=60)
            out[name] = (p.returncode, p.stdout, p.stderr.replace("ses-mailfrom", "aws"))
    aws, ours = out["aws"], out["ours"]
    assert token in aws[2] and SECRET in aws[2]  # the CLI prints them
    expected = aws[2].replace(token, "[redacted]").replace(SECRET, "[redacted]")
    assert ours == (aws[0], aws[1], expected)


def test_query_syntax_error_sends_nothing(ses, tmp_path):
    ses.reset()
    seed(ses)
    p = run_tool(ses, str(tmp_path), GET, "--identities", "example.com", "--query",
                 "MailFromDomainAttributes.[")
    assert p.returncode == 252 and p.stdout == b""
    assert p.stderr.startswith(b"\nBad value for --query MailFromDomainAttributes.[: ")
    assert ses.log() == []


def _tls_pair(tmp_path, *args):
    """Runs both tools against a canned SES over HTTPS; returns the two
    (rc, stdout, stderr with the program name normalised)."""
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDEXAMPLE",
               AWS_SECRET_ACCESS_KEY=SECRET, AWS_CONFIG_FILE=os.devnull,
               AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_MAX_ATTEMPTS="2",
               SES_RETRY_BASE_MS="1", AWS_PAGER="", HOME=str(tmp_path))
    got = []
    with TLSSES(tmp_path) as (url, _cert):
        for argv in ([AWS, "ses"], [TOOL]):
            p = subprocess.run(argv + [SET] + ID + ["--endpoint-url", url, "--region",
                                                    "us-east-1"] + list(args),
                               env=env, capture_output=True, timeout=60)
            got.append((p.returncode, p.stdout,
                        re.sub(rb"^(aws|ses-mailfrom): ", b"PROG: ", p.stderr, flags=re.M)))
    return got


def test_tls_no_verify_warns_as_aws(tmp_path):
    aws, ours = _tls_pair(tmp_path, "--no-verify-ssl")
    assert aws == ours
    assert ours[0] == 0 and b"Unverified HTTPS request is being made to host '127.0.0.1'" \
        in ours[2]


def test_tls_missing_ca_bundle_as_aws(tmp_path):
    aws, ours = _tls_pair(tmp_path, "--ca-bundle", str(tmp_path / "missing.pem"))
    assert aws == ours
    assert ours[0] == 255 and b"[Errno 2] No such file or directory" in ours[2]


def test_help(ses, tmp_path):
    for args in (["help"], [SET, "help"], [GET, "help"], ["-h"]):
        p = subprocess.run([TOOL] + args, capture_output=True, timeout=10)
        assert p.returncode == 0 and p.stderr == b"" and len(p.stdout) > 200, args
    p = subprocess.run([TOOL, "help"], capture_output=True, timeout=10)
    for name in (SET, GET):
        assert name.encode() in p.stdout
    p = subprocess.run([TOOL, "--version"], capture_output=True, timeout=10)
    assert p.returncode == 0 and p.stdout.startswith(b"ses-mailfrom/")


def test_unknown_command(tmp_path):
    p = subprocess.run([TOOL, "set-identity-mail-from-domai"], capture_output=True, timeout=10)
    assert p.returncode == 252
    assert b"argument command: Invalid choice" in p.stderr
    assert b"maybe you meant:\n\n  * set-identity-mail-from-domain" in p.stderr
