"""The real OpenID provider (openid_provider/), one per test process for each way the platform
is reached: the Django test client (http://testserver) and the browser tests' live server."""

import pytest

from thrive.accounts.tests import openid_provider


@pytest.fixture(scope="session")
def openid_provider_for_client(tmp_path_factory):
    running = openid_provider.start(tmp_path_factory.mktemp("openid-provider"),
                                    ["http://testserver"])
    yield running
    openid_provider.stop(running.process)


@pytest.fixture(scope="session")
def openid_provider_for_browser(tmp_path_factory, live_server):
    running = openid_provider.start(tmp_path_factory.mktemp("openid-provider-browser"),
                                    [live_server.url])
    yield running
    openid_provider.stop(running.process)
