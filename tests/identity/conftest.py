from tests.identity.insi_fixtures import insi, insi_standin_url  # noqa: F401 - fixtures
