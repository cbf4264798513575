"""A small ISO Schematron → XSLT 2 compiler, for the `queryBinding="xslt2"` rules published by the ANS.

It does what the ISO "skeleton" pipeline (`iso_dsdl_include` → `iso_abstract_expand` → `iso_svrl_for_xslt2`)
does for the subset of Schematron the CI-SIS rules use:

* `include` anywhere (the included file's root element replaces the `include`), resolved relative to the
  including file;
* abstract patterns instantiated by `is-a` with their `param`s (textual `$name` replacement in attribute values
  and text, longest names first), abstract rules pulled in by `extends`;
* the `defaultPhase` (only its active patterns run), or every concrete pattern when there is none;
* schema- and pattern-level `let` → global `xsl:variable`, rule-level `let` → local `xsl:variable`;
* each pattern is one XSLT mode walking elements and attributes; within a pattern the first matching rule wins
  (decreasing priorities) and only one rule fires per node;
* `assert` → `svrl:failed-assert`, `report` → `svrl:successful-report`, messages with `value-of` and `name`.

Anything else is refused with a `SchematronError` naming the element or attribute and where it is, rather than
skipped: diagnostics, properties, `flag`/`subject`/`visit-each`/`documents`, phase-level `let`, `extends href`,
foreign elements (`xsl:key`, `xsl:function`…), a query binding other than xslt2/xslt3. The ANS rules use none of
them. `tests/interop/test_schematron_differential.py` compares the verdicts and firings with the ISO skeleton's.

The output XSLT carries `xml:base` = the main schematron's URI, so `document()`/`doc()` with relative paths
resolve exactly as in the official pipeline. Assertion metadata (pattern, rule, test, role, see) is kept on the
Python side, keyed by a number written on each SVRL element, so tests containing `{` or quotes need no escaping.
"""

from __future__ import annotations

import copy
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

SCH_NS = "http://purl.oclc.org/dsdl/schematron"
XSL_NS = "http://www.w3.org/1999/XSL/Transform"
SVRL_NS = "http://purl.oclc.org/dsdl/svrl"
FN_NS = "urn:dcc:schematron:functions"
XML_NS = "http://www.w3.org/XML/1998/namespace"

_S = f"{{{SCH_NS}}}"
_X = f"{{{XSL_NS}}}"
_SVRL = f"{{{SVRL_NS}}}"

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True)


class SchematronError(Exception):
    """The schematron cannot be compiled (missing include, unknown abstract pattern or rule…)."""


@dataclass(frozen=True)
class AssertionInfo:
    """What the Python side knows about one compiled assert or report."""

    kind: str  # "assert" or "report"
    pattern: str
    rule_context: str
    rule_id: str
    test: str
    role: str
    see: str


@dataclass
class CompiledSchematron:
    """The XSLT text of a schematron and the metadata of its assertions (index = `n` attribute in the SVRL)."""

    source: Path
    xslt: str
    assertions: list[AssertionInfo] = field(default_factory=list)
    patterns: list[str] = field(default_factory=list)
    documents: list[Path] = field(default_factory=list)  # read by doc()/document(): preloaded once per process


def _resolve_href(base: Path, href: str) -> Path:
    target = (base.parent / unquote(href)).resolve()
    if not target.exists():
        raise SchematronError(f"Fichier inclus introuvable : {href} (depuis {base})")
    return target


def _load_with_includes(path: Path, depth: int = 0) -> etree._Element:
    if depth > 20:
        raise SchematronError(f"Inclusions trop profondes à partir de {path}")
    root = etree.parse(str(path), _PARSER).getroot()
    _refuse_unsupported(root, path)
    for inc in list(root.iter(_S + "include")):
        included_path = _resolve_href(path, inc.get("href", ""))
        included = _load_with_includes(included_path, depth + 1)
        parent = inc.getparent()
        if parent is None:
            raise SchematronError(f"Un fichier ne peut pas être réduit à un include : {path}")
        included.tail = inc.tail
        parent.replace(inc, included)
        _refuse_placement(included, included_path)
    return root


# What the compiler implements: each Schematron element with the attributes it understands. Documentation
# attributes (id, see, fpi, icon, role, xml:lang, xml:space) are allowed everywhere; `emph`, `dir` and `span` only
# as text inside a message, a title or a paragraph.
_DOCUMENTATION = frozenset({"id", "see", "fpi", "icon", "role", f"{{{XML_NS}}}lang", f"{{{XML_NS}}}space"})
_SUPPORTED: dict[str, frozenset[str]] = {
    "schema": frozenset({"queryBinding", "defaultPhase", "schemaVersion"}),
    "include": frozenset({"href"}),
    "ns": frozenset({"prefix", "uri"}),
    "title": frozenset(),
    "p": frozenset({"class"}),
    "let": frozenset({"name", "value"}),
    "phase": frozenset(),
    "active": frozenset({"pattern"}),
    "pattern": frozenset({"abstract", "is-a"}),
    "param": frozenset({"name", "value"}),
    "rule": frozenset({"context", "abstract"}),
    "extends": frozenset({"rule"}),
    "assert": frozenset({"test"}),
    "report": frozenset({"test"}),
    "value-of": frozenset({"select"}),
    "name": frozenset({"path"}),
    "emph": frozenset(),
    "dir": frozenset({"value"}),
    "span": frozenset({"class"}),
}
_TEXT_ONLY = {"emph", "dir", "span"}
_TEXT_PARENTS = {"assert", "report", "title", "p", "emph", "dir", "span"}
_QUERY_BINDINGS = {"xslt2", "xslt3"}


def _refuse_query_binding(root: etree._Element, path: Path) -> None:
    binding = root.get("queryBinding", "")
    if binding.lower() not in _QUERY_BINDINGS:
        raise SchematronError(
            f"{path.name} : queryBinding {binding or '(absent, donc xslt)'!r} non pris en charge "
            "(seuls xslt2 et xslt3 le sont)"
        )


def _refuse_unsupported(root: etree._Element, path: Path) -> None:
    """Raise on the first element, attribute or placement of one file (its includes not yet replaced) that this
    compiler does not implement. The root of an included file is checked where it lands (`_refuse_placement`)."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        parent = element.getparent()
        if parent is None and element.tag != _S + "schema":
            _check_element(element, None, path, placement=False)
        else:
            _check_element(element, parent, path)


def _refuse_placement(included: etree._Element, path: Path) -> None:
    _check_element(included, included.getparent(), path)


def _check_element(element: etree._Element, parent, path: Path, *, placement: bool = True) -> None:
    qname = etree.QName(element)
    where = f"{path.name}, ligne {element.sourceline}"
    if qname.namespace != SCH_NS:
        shown = f"{element.prefix}:{qname.localname}" if element.prefix else qname.text
        raise SchematronError(f"Élément non pris en charge par le compilateur Schematron : {shown} ({where})")
    name = qname.localname
    if name not in _SUPPORTED:
        raise SchematronError(f"Élément Schematron non pris en charge : {name} ({where})")
    unknown = set(element.attrib) - _SUPPORTED[name] - _DOCUMENTATION
    if unknown:
        raise SchematronError(f"Attribut(s) non pris en charge sur {name} : {', '.join(sorted(unknown))} ({where})")
    if name == "rule" and element.get("abstract") != "true" and not element.get("context"):
        raise SchematronError(f"Règle sans attribut context ({where})")
    if name in ("assert", "report") and not element.get("test"):
        raise SchematronError(f"Élément {name} sans attribut test ({where})")
    if name == "let" and element.get("value") is None:
        raise SchematronError(f"Élément let sans attribut value non pris en charge ({where})")
    if not placement:
        return
    parent_name = etree.QName(parent).localname if parent is not None else ""
    if name in _TEXT_ONLY and parent_name not in _TEXT_PARENTS:
        raise SchematronError(f"Élément Schematron {name} hors d'un message non pris en charge ({where})")
    if name in ("value-of", "name") and parent_name not in _TEXT_PARENTS - {"title", "p"}:
        raise SchematronError(f"Élément Schematron {name} hors d'un assert ou d'un report ({where})")
    if name == "let" and parent_name not in ("schema", "pattern", "rule"):
        raise SchematronError(f"Élément let dans {parent_name} non pris en charge ({where})")


def _substitute(text: str | None, params: list[tuple[str, str]]) -> str | None:
    if not text or "$" not in text:
        return text
    for name, value in params:
        text = text.replace("$" + name, value)
    return text


def _instantiate(abstract: etree._Element, instance: etree._Element) -> etree._Element:
    params = [(p.get("name", ""), p.get("value", "")) for p in instance.findall(_S + "param")]
    params.sort(key=lambda item: len(item[0]), reverse=True)
    pattern = copy.deepcopy(abstract)
    for key in ("abstract", "is-a"):
        pattern.attrib.pop(key, None)
    if instance.get("id"):
        pattern.set("id", instance.get("id"))
    for el in pattern.iter():
        if not isinstance(el.tag, str):
            continue
        for key, value in el.attrib.items():
            el.set(key, _substitute(value, params))
        el.text = _substitute(el.text, params)
        el.tail = _substitute(el.tail, params)
    return pattern


def compile_schematron(path: Path | str) -> CompiledSchematron:
    """Compile the ISO schematron at `path` to an XSLT 2 stylesheet producing SVRL."""
    path = Path(path).resolve()
    root = _load_with_includes(path)
    if etree.QName(root).namespace != SCH_NS or etree.QName(root).localname != "schema":
        raise SchematronError(f"{path} n'est pas un schéma ISO Schematron")
    _refuse_query_binding(root, path)

    namespaces = {ns.get("prefix"): ns.get("uri") for ns in root.iter(_S + "ns")}
    namespaces.pop("xml", None)
    abstract_patterns = {p.get("id"): p for p in root.iter(_S + "pattern") if p.get("abstract") == "true"}
    abstract_rules = {r.get("id"): r for r in root.iter(_S + "rule") if r.get("abstract") == "true"}

    # Concrete patterns in document order (a pattern may hold included patterns: ANS StrucMin wraps
    # abstract-rule libraries in a pattern).
    patterns: list[etree._Element] = []
    for pattern in root.iter(_S + "pattern"):
        if pattern.get("abstract") == "true":
            continue
        if pattern.get("is-a"):
            abstract = abstract_patterns.get(pattern.get("is-a"))
            if abstract is None:
                raise SchematronError(f"Motif abstrait inconnu : {pattern.get('is-a')}")
            patterns.append(_instantiate(abstract, pattern))
        else:
            patterns.append(pattern)

    phase_id = root.get("defaultPhase")
    if phase_id and phase_id != "#ALL":
        phase = next((ph for ph in root.iter(_S + "phase") if ph.get("id") == phase_id), None)
        if phase is None:
            raise SchematronError(f"Phase inconnue : {phase_id}")
        active = {a.get("pattern") for a in phase.findall(_S + "active")}
        patterns = [p for p in patterns if p.get("id") in active]

    nsmap = {"xsl": XSL_NS, "svrl": SVRL_NS, "dccsch": FN_NS, "xs": "http://www.w3.org/2001/XMLSchema"}
    nsmap.update({prefix: uri for prefix, uri in namespaces.items() if prefix})
    sheet = etree.Element(_X + "stylesheet", nsmap=nsmap)
    sheet.set("version", "2.0")
    sheet.set("exclude-result-prefixes", " ".join(p for p in nsmap if p not in ("xsl", "svrl")))
    sheet.set(f"{{{XML_NS}}}base", path.as_uri())
    etree.SubElement(sheet, _X + "output", method="xml", indent="no", encoding="UTF-8")

    location = etree.SubElement(sheet, _X + "function", name="dccsch:location", **{"as": "xs:string"})
    etree.SubElement(location, _X + "param", name="n", **{"as": "node()"})
    etree.SubElement(
        location,
        _X + "sequence",
        select=(
            "concat(string-join(for $a in $n/ancestor-or-self::* return concat('/', name($a), '[', "
            "count($a/preceding-sibling::*[node-name(.) = node-name($a)]) + 1, ']'), ''), "
            "if ($n instance of attribute()) then concat('/@', name($n)) else '')"
        ),
    )

    # Global variables: schema-level lets, then pattern-level lets of the running patterns.
    globals_seen: dict[str, str] = {}

    def add_global(let: etree._Element) -> None:
        name, value = let.get("name"), let.get("value")
        if name in globals_seen:
            if globals_seen[name] != value:
                raise SchematronError(f"Variable globale {name} définie deux fois avec des valeurs différentes")
            return
        globals_seen[name] = value
        etree.SubElement(sheet, _X + "variable", name=name, select=value)

    for let in root.findall(_S + "let"):
        add_global(let)
    for pattern in patterns:
        for let in pattern.findall(_S + "let"):
            add_global(let)

    main = etree.SubElement(sheet, _X + "template", match="/")
    output = etree.SubElement(main, _SVRL + "schematron-output")
    title = root.find(_S + "title")
    if title is not None:
        output.set("title", " ".join("".join(title.itertext()).split()))

    compiled = CompiledSchematron(source=path, xslt="")
    element_modes: list[str] = []
    attribute_modes: list[str] = []
    for index, pattern in enumerate(patterns):
        mode = f"M{index}"
        pattern_id = pattern.get("id") or f"pattern-{index}"
        compiled.patterns.append(pattern_id)
        active = etree.SubElement(output, _SVRL + "active-pattern")
        active.set("id", pattern_id)

        rules = [
            r
            for r in pattern.iter(_S + "rule")
            if r.get("abstract") != "true" and r.get("context") and _owning_pattern(r) is pattern
        ]
        element_modes.append(mode)
        # Walking attributes costs as much as walking elements; only patterns with a rule that can match an
        # attribute need it (the result is the same: a template that cannot match never fires).
        if any(_may_match_attribute(r.get("context")) for r in rules):
            attribute_modes.append(mode)
        for position, rule in enumerate(rules):
            template = etree.SubElement(
                sheet, _X + "template", match=rule.get("context"), mode=mode, priority=str(1000 + len(rules) - position)
            )
            _emit_rule_body(template, rule, abstract_rules, pattern_id, compiled, set())
        # No rule matched: nothing, and no descent either (the walk below visits every node once; without "/" here,
        # XSLT's built-in rule for the document node would descend and fire the root element's rules twice).
        etree.SubElement(sheet, _X + "template", match="/|@*|node()", priority="-2", mode=mode)

    # One walk of the document for every pattern: at each node (the document node, every element, and the
    # attributes for the patterns that need them), each pattern's mode fires its first matching rule, as the
    # skeleton's one walk per pattern does. The SVRL comes in document order; the Python side groups it by pattern.
    etree.SubElement(output, _X + "apply-templates", select="/", mode="ALL")
    walk = etree.SubElement(sheet, _X + "template", match="/|*", mode="ALL")
    for mode in element_modes:
        etree.SubElement(walk, _X + "apply-templates", select=".", mode=mode)
    if attribute_modes:
        each = etree.SubElement(walk, _X + "for-each", select="@*")
        for mode in attribute_modes:
            etree.SubElement(each, _X + "apply-templates", select=".", mode=mode)
    etree.SubElement(walk, _X + "apply-templates", select="*", mode="ALL")

    compiled.documents = _preload_documents(sheet, path)
    compiled.xslt = etree.tostring(sheet, encoding="unicode")
    return compiled


# --- Documents read by the rules (value sets, terminologies) ---------------------------------------------------
#
# Saxon keeps the documents that doc() and document() read for one transformation only: every validation would
# parse again the value sets and the terminologies (2 MB of RDF for the terminology layer alone). The compiled
# calls go through ``dccsch:doc`` and ``dccsch:doc-available``, which look first in the map passed as the
# PRELOADED_PARAM parameter (absolute path → document node, filled once per process by the validation engine
# with ``CompiledSchematron.documents``) and fall back to the standard functions, so a document the preload did
# not foresee is still read exactly as before.

PRELOADED_PARAM = "dcc_preloaded_documents"
_DOC_CALL = re.compile(r"(?<![\w:.\-$])(doc-available|document|doc)\s*\(")
_LITERAL = re.compile(r"'([^']*)'|\"([^\"]*)\"")
_DOCUMENT_SUFFIXES = (".xml", ".rdf")


def _preload_documents(sheet: etree._Element, path: Path) -> list[Path]:
    """Route the sheet's doc()/document()/doc-available() calls through the preloaded map; return the files the
    string literals of the sheet name (files, or every document of a named folder), resolved as the rules do."""
    found: dict[Path, None] = {}
    rewritten = False
    for element in sheet.iter(_X + "*"):
        for name in ("select", "test"):
            value = element.get(name)
            if not value:
                continue
            for literal in _LITERAL.finditer(value):
                _collect_documents(path, literal.group(1) or literal.group(2) or "", found)
            if _DOC_CALL.search(value):
                element.set(name, _DOC_CALL.sub(lambda m: f"dccsch:{m.group(1)}(", value))
                rewritten = True
    if not rewritten:
        return []
    base = "resolve-uri($uri, static-base-uri())"
    key = f"replace({base}, '^file:/*', '/')"
    param = etree.Element(_X + "param", name=PRELOADED_PARAM, select="map{}", **{"as": "map(*)"})
    sheet.insert(1, param)
    for function, body in (
        ("doc", f"let $hit := ${PRELOADED_PARAM}({key}) return if (exists($hit)) then $hit else doc({base})"),
        ("document", f"let $hit := ${PRELOADED_PARAM}({key}) return if (exists($hit)) then $hit else doc({base})"),
        ("doc-available", f"exists(${PRELOADED_PARAM}({key})) or doc-available({base})"),
    ):
        declared = etree.Element(_X + "function", name=f"dccsch:{function}")
        etree.SubElement(declared, _X + "param", name="uri", **{"as": "xs:string?"})
        etree.SubElement(declared, _X + "sequence", select=body)
        sheet.insert(2, declared)
    return list(found)


def _collect_documents(path: Path, literal: str, found: dict[Path, None]) -> None:
    if not literal or len(literal) > 300 or any(char in literal for char in "${}()[]*|<>"):
        return
    target = Path(os.path.normpath(path.parent / unquote(literal)))
    if target.is_file() and target.suffix in _DOCUMENT_SUFFIXES:
        found[target] = None
    elif literal.endswith("/") and target.is_dir():
        for child in sorted(target.iterdir()):
            if child.is_file() and child.suffix in _DOCUMENT_SUFFIXES:
                found[child] = None


def _may_match_attribute(context: str) -> bool:
    """Whether an XSLT match pattern can select an attribute node (predicates and literals do not count)."""
    outside = []
    depth = 0
    quote = ""
    for char in context:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif depth == 0:
            outside.append(char)
    steps = "".join(outside)
    return "@" in steps or "attribute::" in steps or "attribute(" in steps


def _owning_pattern(rule: etree._Element) -> etree._Element | None:
    parent = rule.getparent()
    while parent is not None and parent.tag != _S + "pattern":
        parent = parent.getparent()
    return parent


def _emit_rule_body(
    template: etree._Element,
    rule: etree._Element,
    abstract_rules: dict[str, etree._Element],
    pattern_id: str,
    compiled: CompiledSchematron,
    stack: set[str],
    concrete: etree._Element | None = None,
) -> None:
    concrete = concrete if concrete is not None else rule
    for child in rule:
        if not isinstance(child.tag, str):
            continue
        tag = etree.QName(child).localname if etree.QName(child).namespace == SCH_NS else None
        if tag == "let":
            etree.SubElement(template, _X + "variable", name=child.get("name"), select=child.get("value"))
        elif tag == "extends":
            target = child.get("rule")
            if target in stack:
                raise SchematronError(f"Règle abstraite récursive : {target}")
            abstract = abstract_rules.get(target)
            if abstract is None:
                raise SchematronError(f"Règle abstraite inconnue : {target}")
            _emit_rule_body(template, abstract, abstract_rules, pattern_id, compiled, stack | {target}, concrete)
        elif tag in ("assert", "report"):
            number = len(compiled.assertions)
            compiled.assertions.append(
                AssertionInfo(
                    kind=tag,
                    pattern=pattern_id,
                    rule_context=concrete.get("context", ""),
                    rule_id=concrete.get("id", ""),
                    test=child.get("test", ""),
                    role=child.get("role", ""),
                    see=child.get("see", ""),
                )
            )
            if tag == "assert":
                choose = etree.SubElement(template, _X + "choose")
                etree.SubElement(choose, _X + "when", test=child.get("test"))
                holder = etree.SubElement(choose, _X + "otherwise")
                result = etree.SubElement(holder, _SVRL + "failed-assert")
            else:
                holder = etree.SubElement(template, _X + "if", test=child.get("test"))
                result = etree.SubElement(holder, _SVRL + "successful-report")
            result.set("n", str(number))
            result.set("location", "{dccsch:location(.)}")
            text = etree.SubElement(result, _SVRL + "text")
            _emit_message(text, child)


def _emit_message(target: etree._Element, source: etree._Element) -> None:
    def add_text(value: str | None) -> None:
        if value:
            etree.SubElement(target, _X + "text").text = value

    add_text(source.text)
    for child in source:
        if isinstance(child.tag, str):
            qname = etree.QName(child)
            if qname.namespace == SCH_NS and qname.localname == "value-of":
                etree.SubElement(target, _X + "value-of", select=child.get("select"))
            elif qname.namespace == SCH_NS and qname.localname == "name":
                etree.SubElement(target, _X + "value-of", select=f"name({child.get('path') or '.'})")
            else:
                _emit_message(target, child)
        add_text(child.tail)


_SPACES = re.compile(r"\s+")


def normalize_message(text: str) -> str:
    return _SPACES.sub(" ", text).strip()
