"""axe-core on every page a browser journey visits: a serious or critical violation fails the test.

axe-core comes from npm (``package.json`` devDependencies, ``node_modules/axe-core/axe.min.js``). It is run with
``page.evaluate`` (DevTools protocol), which the page's Content-Security-Policy does not govern: the app keeps
its strict CSP (no inline script) and nothing is served to users.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings

FAILING_IMPACTS = frozenset({"serious", "critical"})
RUN = """async () => {
  if (document.contentType !== "text/html") { return null; }
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
  }));
}"""


@cache
def axe_source() -> str:
    path = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
    if not path.exists():
        raise RuntimeError(f"axe-core introuvable ({path}) : lancez `make install` (npm ci).")
    return path.read_text()


@dataclass
class AxeAuditor:
    """Audits each page once it has loaded; ``problems`` lists the serious and critical violations found."""

    audited: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def audit(self, page) -> None:
        url = page.url
        if not url.startswith("http"):
            return
        try:
            if not page.evaluate("() => typeof window.axe !== 'undefined'"):
                page.evaluate(axe_source())
            violations = page.evaluate(RUN)
        except Exception as error:  # the page navigated away meanwhile: the next load is audited
            if "context was destroyed" in str(error) or "navigation" in str(error).lower():
                return
            raise
        if violations is None:
            return
        self.audited.append(url)
        for violation in violations:
            if violation["impact"] in FAILING_IMPACTS:
                self.problems.append(
                    f"{url} — {violation['id']} ({violation['impact']}) : {violation['help']} → "
                    + " | ".join(violation["targets"])
                )

    def check(self) -> None:
        assert not self.problems, "Violations d'accessibilité (axe-core) :\n" + "\n".join(self.problems)


def audit_now(page, auditor: AxeAuditor) -> None:
    """Audit the current state of the page (after an htmx swap, a dialog…), not only its load."""
    auditor.audit(page)
