"""Browser journeys: every page visited is audited with axe-core (see ``tests/browser/axe.py``)."""

from __future__ import annotations

import pytest

from tests.browser.axe import AxeAuditor


@pytest.fixture
def axe() -> AxeAuditor:
    return AxeAuditor()


@pytest.fixture
def page(browser, axe):
    """The project-wide page, audited on each load; the journey fails on a serious or critical violation."""
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("load", axe.audit)
    yield page
    context.close()
    axe.check()
