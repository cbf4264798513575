import pytest

from tests.accounts.oidc_provider import LocalOidcProvider, configure


@pytest.fixture
def psc_provider(settings):
    """The local Pro Santé Connect stand-in, over real HTTP, with the DCC pointed at it."""
    with LocalOidcProvider() as provider:
        configure(settings, provider)
        yield provider
