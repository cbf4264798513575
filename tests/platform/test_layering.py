"""The application's layers, checked on the source: imports point down, never up, and never round.

Direction (a module may import its own layer and the layers *below* it, never one above):

    9  dcc entry points   urls, settings, wsgi, launcher, warmup, admin_site, gunicorn_conf: may import anything
    8  dcc.dashboards     figures and exports: reads every app
    7  pps                PPS, PPAC (reads the RCP fiche a PPS follows)
    6  rcp                RCP catalogue, sessions, dossiers, fiches, GP notice
    5  interop            CDA, PDF, outbox, MSS, HL7, launch, imaging, document import and quarantine
    4  identity           patients, INS, INSi, duplicates (writes the access trail of ``dcc.records``)
    3  dcc.records        care relationships, access trail, documents (refers to ``identity.Patient`` by name)
    2  dcc.accounts       users, profiles scoped to 3C/establishments (its models point at the directory)
    1  dcc.directory      3C, establishments, professionals, MSS addresses
    0  dcc                the platform's own helpers: bounds, cache, params, widgets, celery, embedded, …

Over the application packages (``dcc``, ``identity``, ``interop``, ``rcp``, ``pps``; ``migrations``,
``tests`` and ``bench`` left out), every import is collected — at module level, inside functions and
under ``if TYPE_CHECKING:`` alike — and resolved to a project file. The test then checks:

(a) no import from a lower layer to a higher one;
(b) no import cycle between files (Tarjan's strongly connected components over the file graph);
(c) application code never imports ``tests`` or ``bench``, nor reads a file under ``tests/``;
(d) the number of imports inside functions only goes down (``FUNCTION_IMPORTS`` is a ratchet).

``KNOWN`` lists the violations not fixed yet, each with its reason. The test fails on a violation
that is not listed, and on a listed one that no longer occurs: the list can only shrink.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("dcc", "identity", "interop", "rcp", "pps")
SKIPPED_DIRS = {"migrations", "tests", "bench", "__pycache__"}

TOP = 9
# The layer of a module is that of its longest prefix in this table.
LAYERS: dict[str, int] = {
    "dcc": 0,
    "dcc.directory": 1,
    "dcc.accounts": 2,
    "dcc.records": 3,
    "identity": 4,
    "interop": 5,
    "rcp": 6,
    "pps": 7,
    "dcc.dashboards": 8,
    # Entry points of the platform: they assemble the apps.
    "dcc.urls": TOP,
    "dcc.settings": TOP,
    "dcc.wsgi": TOP,
    "dcc.launcher": TOP,
    "dcc.warmup": TOP,
    "dcc.admin_site": TOP,
    "dcc.gunicorn_conf": TOP,
}

# Imports inside a function body: only ever lowered (see the module docstring, (d)).
FUNCTION_IMPORTS = 305

# Violations not fixed yet: "layer: <importer> -> <imported>", "cycle: <file>, <file>, ..." (sorted),
# "tests: <importer> -> <what>". Each with the reason it is still there.
KNOWN: dict[str, str] = {}


@dataclass(frozen=True)
class Import:
    source: str  # importing module
    target: str  # imported module (a project module, or "tests…"/"bench…")
    line: int
    in_function: bool


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def application_files() -> dict[str, Path]:
    files = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if SKIPPED_DIRS & set(path.relative_to(ROOT).parts):
                continue
            files[module_name(path)] = path
    return files


def layer_of(module: str) -> int:
    parts = module.split(".")
    while parts:
        name = ".".join(parts)
        if name in LAYERS:
            return LAYERS[name]
        parts.pop()
    raise AssertionError(f"{module} n'a pas de couche dans LAYERS")


def collect(files: dict[str, Path]) -> tuple[list[Import], int, list[tuple[str, str]]]:
    """Every project import of the application files, the count of imports inside functions, and
    the string constants naming a path under ``tests/``."""
    modules = set(files)
    imports: list[Import] = []
    in_functions = 0
    test_paths: list[tuple[str, str]] = []

    def resolve(name: str) -> str | None:
        parts = name.split(".")
        while parts:
            if ".".join(parts) in modules:
                return ".".join(parts)
            parts.pop()
        return None

    for module, path in files.items():
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]

        def visit(node: ast.AST, in_function: bool, module=module, package=package) -> None:
            nonlocal in_functions
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.Import, ast.ImportFrom)):
                    in_functions += in_function
                    if isinstance(child, ast.Import):
                        names = [alias.name for alias in child.names]
                    else:
                        base = child.module or ""
                        if child.level:
                            anchor = package[: len(package) - (child.level - 1)]
                            base = ".".join([*anchor, *([base] if base else [])])
                        # `from a import b`: b is a module when a/b.py exists, else a name of a.
                        names = [
                            f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                            for alias in child.names
                        ]
                    for name in dict.fromkeys(names):
                        if name.split(".")[0] in ("tests", "bench"):
                            imports.append(Import(module, name, child.lineno, in_function))
                        elif (target := resolve(name)) and target != module:
                            imports.append(Import(module, target, child.lineno, in_function))
                elif isinstance(child, ast.Constant) and child.value in ("tests", "tests/"):
                    test_paths.append((module, f"{child.value!r} line {child.lineno}"))
                visit(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

        visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)), False)
    return imports, in_functions, test_paths


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative: the components of more than one file."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = counter
                    counter += 1
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph.get(successor, ())))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(sorted(component))
    return components


def violations() -> tuple[dict[str, str], int]:
    files = application_files()
    imports, in_functions, test_paths = collect(files)
    found: dict[str, str] = {}
    graph: dict[str, set[str]] = {module: set() for module in files}
    for imp in imports:
        where = f"{files[imp.source].relative_to(ROOT)}:{imp.line}"
        if imp.target.split(".")[0] in ("tests", "bench"):
            found.setdefault(f"tests: {imp.source} -> {imp.target}", where)
            continue
        graph[imp.source].add(imp.target)
        if layer_of(imp.source) < layer_of(imp.target):
            found.setdefault(f"layer: {imp.source} -> {imp.target}", where)
    for module, what in test_paths:
        found.setdefault(f"tests: {module} -> a file under tests/", f"{files[module].relative_to(ROOT)}, {what}")
    for component in strongly_connected(graph):
        found[f"cycle: {', '.join(component)}"] = "cycle"
    return found, in_functions


def test_imports_follow_the_layers():
    found, _ = violations()
    new = {key: where for key, where in found.items() if key not in KNOWN}
    gone = sorted(set(KNOWN) - set(found))
    message = []
    if new:
        message.append("Imports contre l'ordre des couches (voir la docstring de ce fichier) :")
        message += [f"  {key}  ({where})" for key, where in sorted(new.items())]
    if gone:
        message.append("Violations corrigées : retirez-les de KNOWN :")
        message += [f"  {key}" for key in gone]
    assert not message, "\n".join(message)


def test_imports_inside_functions_only_go_down():
    _, in_functions = violations()
    assert in_functions <= FUNCTION_IMPORTS, (
        f"{in_functions} imports dans des fonctions (plafond {FUNCTION_IMPORTS}) : importez en tête de module ; "
        "un import différé vraiment nécessaire porte sa raison sur une ligne et en remplace un autre."
    )
    assert in_functions >= FUNCTION_IMPORTS, (
        f"{in_functions} imports dans des fonctions : abaissez FUNCTION_IMPORTS à {in_functions} (cliquet)."
    )


def test_every_module_has_a_layer():
    for module in application_files():
        layer_of(module)
