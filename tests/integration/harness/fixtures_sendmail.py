# SPDX-License-Identifier: BSD-2-Clause
"""Fixtures for the private Sendmail (harness/sendmail.py):

  sendmail_instance  (session) the running Sendmail, relaying to the
                     session's smtp-sink, started at first use
  sendmail           per test: its SendmailView (send, smtp, submit, log)
  sm_milter          per test: the `milter` factory with the socket
                     Sendmail's INPUT_MAIL_FILTER points at"""

import os

import pytest

from .milter import MilterFactory
from .sendmail import Sendmail
from .util import free_port


@pytest.fixture(scope="session")
def sendmail_instance(request, smf_build, smf_root, sink_server):
    """Its directory is removed at the end unless a test failed (or
    SMF_KEEP is set), as the session's workdir is."""
    sm = Sendmail(smf_build, smf_root, free_port(), free_port(), sink_server.port)
    try:
        sm.start()
        yield sm
    finally:
        sm.stop()
        if request.session.testsfailed or os.environ.get("SMF_KEEP"):
            print(f"\nsendmail: files kept in {sm.base}")
        else:
            sm.remove()


@pytest.fixture
def sendmail(sendmail_instance):
    return sendmail_instance.view()


@pytest.fixture
def sm_milter(smf_build, testdir, sendmail_instance):
    factory = MilterFactory(smf_build, testdir, sendmail_instance.milter_socket)
    yield factory
    factory.finish()
