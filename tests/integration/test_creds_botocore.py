# SPDX-License-Identifier: BSD-2-Clause
"""Differential: for the same environment and shared files, botocore's own
credential chain (the pyenv interpreter's botocore, pointed at the same
fake STS, SSO portal and container endpoint) and ours (creds_probe) must
pick the same provider and come back with the same keys, or both fail.
Every world of files meets every environment: static keys, assume-role
(chained, looping, credential_source), web identity from the environment
and from a profile, SSO (session and legacy), credential_process, the
config file, the container endpoint, and the conflicts between them."""

import hashlib
import json
import os
import subprocess

import pytest

from harness.fake_sts import FakeSSO, FakeSTS
from test_creds import FakeContainer, closed_port, sha

BOTOCORE_PYTHON = "/root/.pyenv/shims/python3"
ROLE = "arn:aws:iam::123456789012:role/"
SSO_TOKEN = "aoaDifferentialSsoToken0123456789:MGUCMQD+"
WEB_TOKEN = "eyJhbGciOiJSUzI1NiJ9.DifferentialWebToken.Sig"
HELPER = """#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
echo '{"Version": 1, "AccessKeyId": "AKIDPROC'"$1"'", "SecretAccessKey": "ProcSecret/diff+1"}'
"""

# What botocore does, in a process of its own: prints the method and the
# keys (the secret as a digest), or what went wrong.
BOTOCORE_SCRIPT = r"""
import hashlib, json, sys
import botocore.session
profile = sys.argv[1] or None
try:
    s = botocore.session.Session(profile=profile)
    # As the CLI does: the SES client first, whose region STS then uses.
    s.create_client("ses", region_name="eu-west-1")
    c = s.get_credentials()
    if c is None:
        print(json.dumps({"outcome": "none"}))
    else:
        f = c.get_frozen_credentials()
        print(json.dumps({"outcome": "ok", "source": c.method,
                          "access_key_id": f.access_key,
                          "secret_sha256": hashlib.sha256(f.secret_key.encode()).hexdigest()}))
except Exception as e:
    print(json.dumps({"outcome": "error", "type": type(e).__name__, "message": str(e)}))
"""

# Each world: (credentials file, config file, the profile a test names).
WORLDS = {
    "empty": ("", "", "default"),
    "static": ("[default]\naws_access_key_id = AKIDCREDS\naws_secret_access_key = s/1\n"
               "[prod]\naws_access_key_id = AKIDPROD\naws_secret_access_key = s/2\n",
               "", "prod"),
    "role-over-file": ("[default]\naws_access_key_id = AKIDCREDS\naws_secret_access_key = s/1\n",
                       f"[default]\nrole_arn = {ROLE}def\nsource_profile = base\n"
                       "[profile base]\naws_access_key_id = AKIDBASE\n"
                       "aws_secret_access_key = s/3\n", "base"),
    "process-over-config": ("", "[default]\ncredential_process = @HELPER@ d\n"
                            "aws_access_key_id = AKIDCFG\naws_secret_access_key = s/4\n"
                            "[profile p]\ncredential_process = @HELPER@ p\n", "p"),
    "web-profile": ("[default]\naws_access_key_id = AKIDCREDS\naws_secret_access_key = s/1\n",
                    f"[default]\nweb_identity_token_file = @TOKEN@\nrole_arn = {ROLE}webprof\n"
                    f"[profile w]\nweb_identity_token_file = @TOKEN@\nrole_arn = {ROLE}w\n"
                    "role_session_name = wsess\n", "w"),
    "sso": ("[admin]\naws_access_key_id = AKIDADMIN\naws_secret_access_key = s/5\n",
            "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
            "sso_region = eu-central-1\n"
            "[profile admin]\nsso_session = corp\nsso_account_id = 111122223333\n"
            "sso_role_name = Admin\n"
            "[default]\nsso_start_url = https://legacy.awsapps.com/start\n"
            "sso_region = us-east-1\nsso_account_id = 444455556666\nsso_role_name = Ops\n",
            "admin"),
    "chain": ("[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = s/3\n",
              f"[profile one]\nrole_arn = {ROLE}one\nsource_profile = base\n"
              f"[profile two]\nrole_arn = {ROLE}two\nsource_profile = one\n"
              f"[default]\nrole_arn = {ROLE}dflt\nsource_profile = two\n", "two"),
    "loop": ("", f"[default]\nrole_arn = {ROLE}a\nsource_profile = b\n"
                 f"[profile b]\nrole_arn = {ROLE}b\nsource_profile = default\n", "b"),
    "credential-source": ("", f"[default]\nrole_arn = {ROLE}env\ncredential_source = Environment\n"
                              f"[profile ecs]\nrole_arn = {ROLE}ecs\n"
                              "credential_source = EcsContainer\n", "ecs"),
    "config-only": ("", "[default]\naws_access_key_id = AKIDCFG\naws_secret_access_key = s/4\n"
                        "[profile x]\naws_access_key_id = AKIDX\naws_secret_access_key = s/6\n",
                    "x"),
    "self-source": ("", f"[default]\nrole_arn = {ROLE}self\nsource_profile = default\n"
                        "aws_access_key_id = AKIDSELF\naws_secret_access_key = s/7\n", "default"),
    "role-in-credentials": (f"[default]\nrole_arn = {ROLE}credfile\nsource_profile = src\n"
                            "[src]\naws_access_key_id = AKIDSRC\naws_secret_access_key = s/8\n",
                            "", "src"),
    "sso-source": ("", "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
                       "sso_region = eu-central-1\n"
                       "[profile admin]\nsso_session = corp\nsso_account_id = 111122223333\n"
                       "sso_role_name = Admin\n"
                       f"[default]\nrole_arn = {ROLE}viasso\nsource_profile = admin\n", "admin"),
    "missing-source": ("", f"[default]\nrole_arn = {ROLE}x\n"
                           f"[profile ghost]\nrole_arn = {ROLE}x\nsource_profile = nosuch\n",
                       "ghost"),
}

ENV_KEYS = {"AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "EnvSecret/diff+2"}
# Each environment: (variables, whether the test names the world's profile
# explicitly).
ENVS = {
    "nothing": ({}, False),
    "env-keys": (ENV_KEYS, False),
    "web-env": ({"AWS_WEB_IDENTITY_TOKEN_FILE": "@TOKEN@", "AWS_ROLE_ARN": ROLE + "irsa",
                 "AWS_ROLE_SESSION_NAME": "pod"}, False),
    "keys-and-web": ({**ENV_KEYS, "AWS_WEB_IDENTITY_TOKEN_FILE": "@TOKEN@",
                      "AWS_ROLE_ARN": ROLE + "irsa"}, False),
    "aws-profile": ({"AWS_PROFILE": "@PROFILE@"}, False),
    "explicit-and-keys": (ENV_KEYS, True),
    "container": ({"AWS_CONTAINER_CREDENTIALS_FULL_URI": "@CONTAINER@"}, False),
}

CASES = [(w, e) for w in WORLDS for e in ENVS]
SEEN = {}  # outcome or provider -> how many cases botocore and we agreed on


@pytest.fixture(scope="module")
def endpoints():
    if not os.access(BOTOCORE_PYTHON, os.X_OK):
        pytest.skip("no pyenv python with botocore")
    with FakeSTS() as sts, FakeSSO(tokens=[SSO_TOKEN]) as sso, FakeContainer() as ecs:
        yield sts, sso, ecs


def fill(text, home, profile, ecs):
    return (text.replace("@HELPER@", str(home / "helper"))
            .replace("@TOKEN@", str(home / "token"))
            .replace("@PROFILE@", profile)
            .replace("@CONTAINER@", ecs.url))


def setup_home(home, world):
    creds, config, _ = WORLDS[world]
    aws = home / ".aws"
    (aws / "sso" / "cache").mkdir(parents=True, exist_ok=True)
    (home / "helper").write_text(HELPER)
    (home / "helper").chmod(0o755)
    (home / "token").write_text(WEB_TOKEN)
    for key in ("corp", "https://legacy.awsapps.com/start"):
        name = hashlib.sha1(key.encode()).hexdigest() + ".json"
        (aws / "sso" / "cache" / name).write_text(json.dumps(
            {"accessToken": SSO_TOKEN, "expiresAt": "2099-01-01T00:00:00Z"}))
    return creds, config


def ours(smf_build, env, profile):
    args = [os.path.join(smf_build, "tests", "creds_probe")]
    if profile:
        args += ["--profile", profile]
    p = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60)
    if p.returncode == 0:
        kv = dict(line.split("=", 1) for line in p.stdout.splitlines() if "=" in line)
        return {"outcome": "ok", "source": kv["source"], "access_key_id": kv["access_key_id"],
                "secret_sha256": kv["secret_sha256"]}, p.stderr
    last = p.stderr.strip().splitlines()[-1] if p.stderr.strip() else ""
    if p.returncode == 253 and last.startswith("Unable to locate credentials"):
        return {"outcome": "none"}, p.stderr
    return {"outcome": "error", "message": last}, p.stderr


def theirs(env, profile):
    p = subprocess.run([BOTOCORE_PYTHON, "-c", BOTOCORE_SCRIPT, profile or ""], env=env,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("world,envname", CASES, ids=[f"{w}/{e}" for w, e in CASES])
def test_same_choice_as_botocore(smf_build, endpoints, tmp_path, world, envname):
    sts, sso, ecs = endpoints
    home = tmp_path / "home"
    creds, config = setup_home(home, world)
    named = WORLDS[world][2]
    variables, explicit = ENVS[envname]
    if creds:
        (home / ".aws" / "credentials").write_text(fill(creds, home, named, ecs))
    if config:
        (home / ".aws" / "config").write_text(fill(config, home, named, ecs))
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "AWS_REGION": "eu-west-1",
           "AWS_EC2_METADATA_DISABLED": "true", "BOTO_CONFIG": str(home / "no-boto"),
           "AWS_EC2_METADATA_SERVICE_ENDPOINT": f"http://127.0.0.1:{closed_port()}",
           "AWS_ENDPOINT_URL_STS": sts.url, "AWS_ENDPOINT_URL_SSO": sso.url}
    env.update({k: fill(v, home, named, ecs) for k, v in variables.items()})
    profile = named if explicit else None
    ecs.served = 0
    mine, stderr = ours(smf_build, env, profile)
    ecs.served = 0
    ref = theirs(env, profile)
    if ref["outcome"] == "error":
        assert mine["outcome"] == "error", (ref, mine, stderr)
    else:
        assert mine == ref, stderr
    key = ref.get("source", ref["outcome"])
    SEEN[key] = SEEN.get(key, 0) + 1


def test_every_provider_was_compared():
    """Runs after the cases above: each provider and failure was met."""
    if len(SEEN) == 0:
        pytest.skip("the differential cases did not run")
    assert sum(SEEN.values()) == len(CASES) >= 40
    for key in ("env", "assume-role", "assume-role-with-web-identity", "sso",
                "shared-credentials-file", "custom-process", "config-file",
                "container-role", "none", "error"):
        assert SEEN.get(key, 0) > 0, (key, SEEN)
