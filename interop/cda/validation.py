"""Validation of CDA R2 documents with the official ANS rules (the TestContenuCDA 3.0 pipeline).

Layers, in the ANS order: the XSD `infrastructure/cda/CDA_extended.xsd` (lxml), then six schematrons run with
Saxon (saxonche, XSLT 3): IHE, Structuration minimale, ModelesDeContenusCDA, Modeles_ANS, terminologies and the
volet schematron (FRCP 2025.01 or PPS 2025.01, chosen from the document's templateId). Documents of another
model (N1 and others) get the five generic schematrons.

Each schematron is compiled once per process (our compiler + Saxon), lazily, under a lock; the XSD too.
`warm_up()` compiles everything ahead (a worker calls it at start). Saxon is not used concurrently: one lock
serialises the transformations of a process (a Celery prefork worker has one thread anyway).
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from lxml import etree

from .parsing import MAX_BYTES, UnsafeDocumentError, parse_xml_safely
from .schematron import PRELOADED_PARAM, SVRL_NS, CompiledSchematron, compile_schematron, normalize_message

SPECS_DIR = Path(__file__).resolve().parent / "specs"
SCHEMATRONS_DIR = SPECS_DIR / "schematrons"
XSD_PATH = SPECS_DIR / "infrastructure" / "cda" / "CDA_extended.xsd"

TEMPLATE_FRCP = "1.2.250.1.213.1.1.1.8"
TEMPLATE_PPS = "1.2.250.1.213.1.1.1.26"


class Layer(StrEnum):
    XSD = "xsd", "Schéma CDA (XSD)"
    IHE = "ihe", "Profils IHE"
    STRUCTURATION_MINIMALE = "structuration_minimale", "Structuration minimale (en-tête)"
    MODELES_CONTENUS = "modeles_contenus", "Modèles de contenus CDA"
    MODELES_ANS = "modeles_ans", "Modèles ANS"
    TERMINOLOGIES = "terminologies", "Terminologies"
    VOLET = "volet", "Volet du CI-SIS"

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


class Volet(StrEnum):
    FRCP_2025 = "CI-SIS_CANCER-FRCP_2025.01"
    PPS_2025 = "CI-SIS_CANCER-PPS_2025.01"


VOLET_TEMPLATES = {TEMPLATE_FRCP: Volet.FRCP_2025, TEMPLATE_PPS: Volet.PPS_2025}

SCHEMATRON_FILES: dict[Layer, Path] = {
    Layer.IHE: SCHEMATRONS_DIR / "profils" / "IHE.sch",
    Layer.STRUCTURATION_MINIMALE: SCHEMATRONS_DIR
    / "profils"
    / "structurationMinimale"
    / "ASIP-STRUCT-MIN-StrucMin.sch",
    Layer.MODELES_CONTENUS: SCHEMATRONS_DIR / "profils" / "CI-SIS_ModelesDeContenusCDA.sch",
    Layer.MODELES_ANS: SCHEMATRONS_DIR / "profils" / "CI-SIS_Modeles_ANS.sch",
    Layer.TERMINOLOGIES: SCHEMATRONS_DIR / "profils" / "terminologies" / "schematron" / "terminologie.sch",
}
VOLET_FILES: dict[Volet, Path] = {volet: SCHEMATRONS_DIR / f"{volet.value}.sch" for volet in Volet}

WARNING_ROLES = frozenset({"warning", "warn", "info", "information"})


# The Structuration minimale (ART-DECOR) and XSD layers speak English; their recurring phrasings in French.
_TRANSLATIONS = [
    (
        re.compile(r"element (.+?) is (?:mandatory|required) \[min (\d+)x\]\."),
        r"l'élément \1 est obligatoire (au moins \2).",
    ),
    (
        re.compile(r"element (.+?) appears too often \[max (\d+)x\]\."),
        r"l'élément \1 est présent trop de fois (au plus \2).",
    ),
    (re.compile(r"attribute @(\S+) SHALL be present\."), r"l'attribut @\1 doit être présent."),
    (
        re.compile(r"The value for (\S+) SHALL be selected from value set '([^']+)' (\S+)"),
        r"la valeur de \1 doit appartenir au jeu de valeurs \3 (\2)",
    ),
    (re.compile(r"Attribute @(\S+) SHALL be of data type '([^']+)'"), r"l'attribut @\1 doit être du type « \2 »"),
    (
        re.compile(r"this element '([^']*)' is not defined, or not defined with this content\."),
        r"l'élément « \1 » n'est pas prévu ici, ou pas avec ce contenu.",
    ),
    (re.compile(r"Element '([^']+)': This element is not expected\."), r"l'élément « \1 » n'est pas attendu ici."),
    (re.compile(r"Expected is one of \((.+?)\)\."), r"Éléments attendus : \1."),
    (re.compile(r"Expected is \((.+?)\)\."), r"Élément attendu : \1."),
    (re.compile(r"Missing child element\(s\)\."), "élément(s) enfant(s) manquant(s)."),
    (
        re.compile(r"The attribute '([^']+)' is required but missing\."),
        r"l'attribut « \1 » est obligatoire et absent.",
    ),
]


def translate(message: str) -> str:
    for pattern, replacement in _TRANSLATIONS:
        message = pattern.sub(replacement, message)
    return message.replace("{urn:hl7-org:v3}", "")


@dataclass(frozen=True)
class Failure:
    """One rule the document breaks."""

    layer: Layer
    rule: str  # pattern id and rule id (schematron), or the XSD error type
    location: str  # XPath-like location in the document, or "ligne N"
    message: str  # the rule's own message (French for CI-SIS rules, English for some IHE/ART-DECOR ones)
    test: str = ""
    see: str = ""
    severity: str = "error"  # "error" or "warning"

    @property
    def message_fr(self) -> str:
        """A sentence for the author: which layer, where, what (ART-DECOR English phrasings in French)."""
        where = f" (à {self.location})" if self.location else ""
        return f"{self.layer.label} — règle {self.rule}{where} : {translate(self.message)}"


@dataclass
class ValidationResult:
    """The outcome of the whole pipeline; `valid` is True only when no error-level rule failed."""

    volet: Volet | None
    failures: list[Failure] = field(default_factory=list)
    warnings: list[Failure] = field(default_factory=list)
    layers_run: list[Layer] = field(default_factory=list)
    durations: dict[Layer, float] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return not self.failures and bool(self.layers_run)

    def failures_in(self, layer: Layer) -> list[Failure]:
        return [f for f in self.failures if f.layer == layer]

    def summary_fr(self, limit: int = 10) -> str:
        if self.valid:
            return "Document conforme au schéma CDA et aux règles de l'ANS."
        lines = [f"Document non conforme : {len(self.failures)} règle(s) non respectée(s)."]
        lines += [f"- {failure.message_fr}" for failure in self.failures[:limit]]
        if len(self.failures) > limit:
            lines.append(f"- … et {len(self.failures) - limit} autre(s).")
        return "\n".join(lines)


class _Engine:
    """Compiled XSD and schematrons of one process."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._processor = None
        self._xslt = None
        self._xsd: etree.XMLSchema | None = None
        self._compiled: dict[Path, tuple[object, CompiledSchematron]] = {}
        self._documents: dict[Path, object] = {}  # value sets and terminologies, parsed once per process
        self.compilations: dict[Path, int] = {}

    def xsd(self) -> etree.XMLSchema:
        with self._lock:
            if self._xsd is None:
                parser = etree.XMLParser(no_network=True, resolve_entities=False)
                self._xsd = etree.XMLSchema(etree.parse(str(XSD_PATH), parser))
            return self._xsd

    def processor(self):
        with self._lock:
            if self._processor is None:
                from saxonche import PySaxonProcessor

                self._processor = PySaxonProcessor(license=False)
                self._xslt = self._processor.new_xslt30_processor()
            return self._processor

    def schematron(self, path: Path) -> tuple[object, CompiledSchematron]:
        with self._lock:
            if path not in self._compiled:
                self.processor()
                compiled = compile_schematron(path)
                executable = self._xslt.compile_stylesheet(stylesheet_text=compiled.xslt)
                if compiled.documents:
                    executable.set_parameter(PRELOADED_PARAM, self._preloaded(compiled.documents))
                self._compiled[path] = (executable, compiled)
                self.compilations[path] = self.compilations.get(path, 0) + 1
            return self._compiled[path]

    def _preloaded(self, files: list[Path]):
        """The ``PRELOADED_PARAM`` map (absolute path → document node) of ``files``, each parsed once."""
        processor = self.processor()
        for file in files:
            if file not in self._documents:
                self._documents[file] = processor.parse_xml(xml_file_name=str(file))
        return processor.make_map({processor.make_string_value(str(file)): self._documents[file] for file in files})

    def parse(self, xml_text: str):
        with self._lock:
            return self.processor().parse_xml(xml_text=xml_text)

    def run(self, path: Path, node) -> tuple[CompiledSchematron, str]:
        with self._lock:
            executable, compiled = self.schematron(path)
            return compiled, executable.transform_to_string(xdm_node=node)


_engine = _Engine()


def warm_up(volets: tuple[Volet, ...] = tuple(Volet), *, run_sample: bool = True) -> None:
    """Compile the XSD and every schematron now rather than on the first document.

    With `run_sample`, also validate one synthetic FRCP: Saxon's first run of the Structuration minimale rules
    costs seconds more than the next ones (lazy compilation), better paid at worker start than by an author.
    """
    _engine.xsd()
    for path in [*SCHEMATRON_FILES.values(), *(VOLET_FILES[v] for v in volets)]:
        _engine.schematron(path)
    if run_sample:
        from . import builders, samples
        from .inputs import PdfCopy

        sample = builders.build_frcp(
            samples.header(title="Préchauffage"), samples.frcp_appareil(), PdfCopy(b"%PDF-1.4\n")
        )
        validate_cda(sample.xml)


def compilation_counts() -> dict[str, int]:
    """How many times each schematron was compiled in this process (the benchmark checks it stays at 1)."""
    return {path.name: count for path, count in _engine.compilations.items()}


def detect_volet(root: etree._Element) -> Volet | None:
    for template in root.findall("{urn:hl7-org:v3}templateId"):
        volet = VOLET_TEMPLATES.get(template.get("root", ""))
        if volet is not None:
            return volet
    return None


def validate_cda(data: bytes | str, *, volet: Volet | None = None, max_bytes: int = MAX_BYTES) -> ValidationResult:
    """Run the XSD and the six ANS schematrons on a CDA document.

    `data` is parsed safely first (no DTD, no entity, size and depth limits); a document that cannot be read is
    reported as one XSD-layer failure rather than raised, so callers always get a result to show.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    try:
        tree = parse_xml_safely(raw, max_bytes=max_bytes)
    except UnsafeDocumentError as exc:
        result = ValidationResult(volet=volet)
        result.failures.append(Failure(layer=Layer.XSD, rule="lecture", location="", message=str(exc)))
        return result
    root = tree.getroot()
    volet = volet or detect_volet(root)
    result = ValidationResult(volet=volet)

    started = time.perf_counter()
    schema = _engine.xsd()
    schema.validate(tree)
    for error in schema.error_log:
        result.failures.append(
            Failure(
                layer=Layer.XSD,
                rule=error.type_name,
                location=f"ligne {error.line}",
                message=error.message,
            )
        )
    result.layers_run.append(Layer.XSD)
    result.durations[Layer.XSD] = time.perf_counter() - started

    # One Saxon tree for the six layers (re-serialised from the safe lxml tree: no DTD can reach Saxon).
    node = _engine.parse(etree.tostring(tree, encoding="unicode"))
    layers = list(SCHEMATRON_FILES.items())
    if volet is not None:
        layers.append((Layer.VOLET, VOLET_FILES[volet]))
    for layer, path in layers:
        started = time.perf_counter()
        compiled, svrl = _engine.run(path, node)
        _collect(result, layer, compiled, svrl)
        result.layers_run.append(layer)
        result.durations[layer] = time.perf_counter() - started
    return result


def _collect(result: ValidationResult, layer: Layer, compiled: CompiledSchematron, svrl: str) -> None:
    output = etree.fromstring(svrl.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    # The SVRL lists the firings in document order; report them pattern by pattern, as the ANS validator does.
    order = {pattern: index for index, pattern in reversed(list(enumerate(compiled.patterns)))}
    nodes = output.iter(f"{{{SVRL_NS}}}failed-assert", f"{{{SVRL_NS}}}successful-report")
    for node in sorted(nodes, key=lambda node: order[compiled.assertions[int(node.get("n"))].pattern]):
        info = compiled.assertions[int(node.get("n"))]
        text = node.find(f"{{{SVRL_NS}}}text")
        message = normalize_message("".join(text.itertext()) if text is not None else "")
        rule = info.pattern + (f" / {info.rule_id}" if info.rule_id else "")
        failure = Failure(
            layer=layer,
            rule=rule,
            location=node.get("location", ""),
            message=message,
            test=info.test,
            see=info.see,
            severity="warning" if info.role.lower() in WARNING_ROLES else "error",
        )
        (result.warnings if failure.severity == "warning" else result.failures).append(failure)
