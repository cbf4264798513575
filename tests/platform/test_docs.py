"""The README and docs/ do not lie: the commands, settings and links they name exist.

Cheap checks on the text only (no database): a management command named in the docs is one Django knows, a
``DCC_…`` name is a setting or a variable the code reads, a relative link points to a file, and every command
the project ships is documented.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.core.management import get_commands

BASE_DIR = Path(settings.BASE_DIR)
README = BASE_DIR / "README.md"
PAGES = [README, *sorted((BASE_DIR / "docs").glob("*.md"))]
PROJECT_APPS = ("dcc", "identity", "interop", "rcp", "pps")
# Where the code reads environment variables and settings (tests excluded: they may name anything).
CODE = [
    *(path for app in (*PROJECT_APPS, "bench") for path in (BASE_DIR / app).rglob("*.py")),
    BASE_DIR / "gunicorn.conf.py",
]

# `manage.py NAME`, with or without `python ` before it.
MANAGE_PY = re.compile(r"manage\.py\s+([a-z][a-z0-9_]*)")
# A heading that names a command line: "## `import_rpps FILE`: …".
COMMAND_HEADING = re.compile(r"^#+ `([a-z][a-z0-9]*_[a-z0-9_]+) [^`]*`", re.MULTILINE)
SETTING = re.compile(r"\bDCC_[A-Z0-9_]+")
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _commands_named() -> dict[str, set[str]]:
    named: dict[str, set[str]] = {}
    for page in PAGES:
        text = _text(page)
        for name in {*MANAGE_PY.findall(text), *COMMAND_HEADING.findall(text)}:
            named.setdefault(name, set()).add(page.name)
    return named


def _names_the_code_reads() -> set[str]:
    names = set(dir(settings))
    for path in CODE:
        # "DCC_NAME", and the fixed start of a name built in an f-string: f"DCC_MSS_OPERATOR_{…}_PORT".
        names |= set(re.findall(r"[\"'](DCC_[A-Z0-9_]+)(?:[\"']|\{)", _text(path)))
    names |= set(re.findall(r"\$\{(DCC_[A-Z0-9_]+)", _text(BASE_DIR / "docker-compose.yml")))
    return names


def test_every_command_the_docs_name_exists():
    known = get_commands()
    named = _commands_named()
    assert "seed_demo" in named  # the patterns still find the commands
    missing = {name: sorted(pages) for name, pages in named.items() if name not in known}
    assert not missing, f"commandes inconnues citées dans la documentation : {missing}"


def test_every_project_command_is_documented():
    named = _commands_named()
    ours = {name for name, app in get_commands().items() if app.split(".")[0] in PROJECT_APPS}
    assert ours, "aucune commande du projet trouvée"
    assert not ours - set(named), f"commandes sans documentation (manage.py …) : {sorted(ours - set(named))}"


def test_every_dcc_setting_the_docs_name_exists():
    known = _names_the_code_reads()
    missing = {}
    for page in PAGES:
        for name in set(SETTING.findall(_text(page))):
            exists = any(k.startswith(name) for k in known) if name.endswith("_") else name in known
            if not exists:
                missing.setdefault(page.name, []).append(name)
    assert not missing, f"réglages DCC_… inconnus cités dans la documentation : {missing}"


def test_relative_links_resolve():
    broken = []
    for page in PAGES:
        for target in LINK.findall(_text(page)):
            if re.match(r"[a-z]+:|#", target):
                continue
            if not (page.parent / target.split("#")[0]).exists():
                broken.append(f"{page.name}: {target}")
    assert not broken, f"liens cassés : {broken}"


def test_readme_is_a_short_guide():
    assert len(_text(README).splitlines()) < 250
