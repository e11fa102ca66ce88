# SPDX-License-Identifier: BSD-2-Clause
"""moto's SES emulator as a fixture: `moto_server` is the URL of a
`python3 -m moto.server` of the pyenv interpreter that has moto, on a free
port of 127.0.0.1, for the whole module. Skipped when that interpreter is
missing. moto checks no signature and throttles nothing (see
/work/shared/spec/ses-api.md); the fake SES is for those."""

import os
import socket
import subprocess

import pytest

from .util import free_port, wait_until

MOTO_PYTHON = "/root/.pyenv/shims/python3"


@pytest.fixture(scope="module")
def moto_server(tmp_path_factory):
    if not os.access(MOTO_PYTHON, os.X_OK):
        pytest.skip("no pyenv python with moto")
    port = free_port()
    log = open(tmp_path_factory.mktemp("moto") / "moto.log", "wb")
    proc = subprocess.Popen([MOTO_PYTHON, "-m", "moto.server", "-H", "127.0.0.1",
                             "-p", str(port)], stdin=subprocess.DEVNULL,
                            stdout=log, stderr=subprocess.STDOUT)

    def up():
        if proc.poll() is not None:
            raise AssertionError("moto exited with %s" % proc.returncode)
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return True
        except OSError:
            return False

    try:
        wait_until(up, timeout=30, what="moto.server")
        yield "http://127.0.0.1:%d" % port
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
