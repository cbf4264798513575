import pytest

from tests.dashboards.factories import build_world


@pytest.fixture
def world(personas):
    return build_world(personas)
