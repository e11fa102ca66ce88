# SPDX-License-Identifier: BSD-2-Clause
"""The machine-wide things some tests need, created by the suite and
removed again: nothing may depend on what a previous run or a person left
on the host (.ci/run removes the project's leftovers before `make check`).

  service_user  (session) the `ses-mailfrom` account of the example
                configuration, made with contrib/add-user as shipped (postfix
                joins its group). Removed at the end of the session unless
                it existed before."""

import grp
import os
import pwd
import subprocess

import pytest

SERVICE_USER = "ses-mailfrom"


def account_exists(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def group_exists(name):
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def remove_account(name):
    """userdel, and the group too when userdel leaves it (a group of the
    same name that other members kept)."""
    if account_exists(name):
        subprocess.run(["userdel", name], check=True, capture_output=True)
    if group_exists(name):
        subprocess.run(["groupdel", name], check=True, capture_output=True)


# Accounts this session created (and will remove): a test may remove and
# re-create those, never one that was there before.
CREATED = set()


@pytest.fixture(scope="session")
def service_user(smf_root):
    existed = account_exists(SERVICE_USER)
    if not existed:
        subprocess.run([os.path.join(smf_root, "contrib", "add-user")], check=True,
                       capture_output=True)
        CREATED.add(SERVICE_USER)
    try:
        yield SERVICE_USER
    finally:
        if not existed:
            remove_account(SERVICE_USER)
