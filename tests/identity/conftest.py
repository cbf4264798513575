from tests.identity.insi_fixtures import insi, insi_standin_url, insi_tls_standin  # noqa: F401 - fixtures
