"""The ISO Schematron → XSLT compiler on small schematrons exercising each feature the ANS rules use."""

from __future__ import annotations

import re
import textwrap

import pytest
from saxonche import PySaxonProcessor

from interop.cda.schematron import SchematronError, compile_schematron

DOC = b"""<root xmlns="urn:test">
  <item kind="a" code="1"/>
  <item kind="b" code="2"/>
  <item kind="c" code="X"/>
</root>"""


def write(folder, name: str, content: str):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(content).strip(), encoding="utf-8")
    return path


def run(schema_path, document: bytes = DOC) -> tuple:
    compiled = compile_schematron(schema_path)
    processor = PySaxonProcessor(license=False)
    executable = processor.new_xslt30_processor().compile_stylesheet(stylesheet_text=compiled.xslt)
    svrl = executable.transform_to_string(xdm_node=processor.parse_xml(xml_text=document.decode()))
    return compiled, svrl


@pytest.fixture
def library(tmp_path):
    write(
        tmp_path,
        "abstract/coded.sch",
        """
        <pattern xmlns="http://purl.oclc.org/dsdl/schematron" abstract="true" id="coded">
          <rule context="$context">
            <assert test="@code = document($values)//v/@code">code <value-of select="@code"/> hors de $label</assert>
          </rule>
        </pattern>
        """,
    )
    write(tmp_path, "values.xml", "<values><v code='1'/><v code='2'/></values>")
    write(
        tmp_path,
        "rules/base.sch",
        """
        <rule xmlns="http://purl.oclc.org/dsdl/schematron" abstract="true" id="has-kind">
          <let name="k" value="string(@kind)"/>
          <assert test="$k != ''">sans kind</assert>
        </rule>
        """,
    )
    return tmp_path


def test_includes_abstract_patterns_params_and_document_lookups(library):
    schema = write(
        library,
        "main.sch",
        """
        <schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2">
          <ns prefix="t" uri="urn:test"/>
          <let name="values-file" value="'values.xml'"/>
          <include href="abstract/coded.sch"/>
          <pattern id="codes" is-a="coded">
            <param name="context" value="t:item"/>
            <param name="values" value="$values-file"/>
            <param name="label" value="la liste"/>
          </pattern>
        </schema>
        """,
    )

    compiled, svrl = run(schema)

    assert svrl.count("<svrl:failed-assert") == 1
    assert "code X hors de la liste" in svrl
    assert compiled.patterns == ["codes"]
    assert compiled.assertions[0].test == "@code = document($values-file)//v/@code"


def test_first_matching_rule_wins_and_extends_pulls_abstract_rules(library):
    schema = write(
        library,
        "main.sch",
        """
        <schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2">
          <ns prefix="t" uri="urn:test"/>
          <pattern><include href="rules/base.sch"/></pattern>
          <pattern id="order">
            <rule context="t:item[@kind='a']">
              <report test="true()">a vu par la première règle</report>
            </rule>
            <rule context="t:item">
              <extends rule="has-kind"/>
              <report test="matches(@code, '^[0-9]+$')">code numérique <value-of select="$k"/></report>
            </rule>
          </pattern>
        </schema>
        """,
    )

    _, svrl = run(schema)

    assert svrl.count("a vu par la première règle") == 1
    assert svrl.count("code numérique b") == 1  # item a stopped at the first rule; item c has a non-numeric code
    assert "code numérique a" not in svrl
    assert "<svrl:failed-assert" not in svrl


def test_default_phase_limits_the_patterns_run(library):
    schema = write(
        library,
        "main.sch",
        """
        <schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2" defaultPhase="only-one">
          <ns prefix="t" uri="urn:test"/>
          <phase id="only-one"><active pattern="one"/></phase>
          <pattern id="one"><rule context="t:root"><assert test="false()">un</assert></rule></pattern>
          <pattern id="two"><rule context="t:root"><assert test="false()">deux</assert></rule></pattern>
        </schema>
        """,
    )

    compiled, svrl = run(schema)

    assert compiled.patterns == ["one"]
    assert "un" in svrl
    assert "deux" not in svrl


def test_attribute_contexts_are_visited(library):
    schema = write(
        library,
        "main.sch",
        """
        <schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2">
          <ns prefix="t" uri="urn:test"/>
          <pattern id="attributes">
            <rule context="t:item/@code"><assert test=". castable as xs:integer">pas un entier : <name/></assert></rule>
          </pattern>
        </schema>
        """,
    )

    _, svrl = run(schema)

    assert svrl.count("<svrl:failed-assert") == 1
    assert 'location="/root[1]/item[3]/@code"' in svrl


def test_every_pattern_sees_every_node_and_failures_come_pattern_by_pattern(library):
    from interop.cda.validation import Layer, ValidationResult, _collect

    schema = write(
        library,
        "main.sch",
        """
        <schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2">
          <ns prefix="t" uri="urn:test"/>
          <pattern id="un">
            <rule context="t:item"><assert test="false()">un <value-of select="@kind"/></assert></rule>
          </pattern>
          <pattern id="deux">
            <rule context="t:item[@kind='b']"><assert test="false()">deux b (première règle)</assert></rule>
            <rule context="t:item"><assert test="false()">deux <value-of select="@kind"/></assert></rule>
          </pattern>
          <pattern id="trois"><rule context="/"><report test="true()">trois racine</report></rule></pattern>
        </schema>
        """,
    )

    compiled, svrl = run(schema)
    result = ValidationResult(volet=None)
    _collect(result, Layer.IHE, compiled, svrl)

    messages = [failure.message for failure in result.failures]
    assert messages == ["un a", "un b", "un c", "deux a", "deux b (première règle)", "deux c", "trois racine"]


def test_a_rule_on_the_root_element_fires_once(library):
    schema = write(
        library,
        "main.sch",
        """
        <schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2">
          <ns prefix="t" uri="urn:test"/>
          <pattern id="racine"><rule context="*"><assert test="false()">élément</assert></rule></pattern>
        </schema>
        """,
    )

    _, svrl = run(schema)

    # Once per element: the root, then the three items (the document node is not an element).
    assert svrl.count("<svrl:failed-assert") == 4
    assert svrl.count('location="/root[1]"') == 1


def test_unknown_abstract_pattern_and_missing_include_are_errors(library):
    missing = write(
        library,
        "missing.sch",
        '<schema xmlns="http://purl.oclc.org/dsdl/schematron"><include href="nope.sch"/></schema>',
    )
    unknown = write(
        library,
        "unknown.sch",
        '<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2">'
        '<pattern id="p" is-a="ghost"/></schema>',
    )

    with pytest.raises(SchematronError, match="introuvable"):
        compile_schematron(missing)
    with pytest.raises(SchematronError, match="Motif abstrait inconnu"):
        compile_schematron(unknown)


SCH = '<schema xmlns="http://purl.oclc.org/dsdl/schematron" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" '
RULE = '<pattern id="p"><rule context="*">{}</rule></pattern>'


@pytest.mark.parametrize(
    ("body", "binding", "refusal"),
    [
        (RULE.format('<assert test="1" diagnostics="d">a</assert>') + "<diagnostics/>", "xslt2", "diagnostics"),
        ('<diagnostics><diagnostic id="d">x</diagnostic></diagnostics>', "xslt2", "non pris en charge : diagnostics"),
        ('<properties><property id="x"/></properties>', "xslt3", "non pris en charge : properties"),
        (
            '<pattern id="p"><rule context="*" subject="@a"><assert test="1">a</assert></rule></pattern>',
            "xslt2",
            "sur rule : subject",
        ),
        ('<pattern id="p" documents="\'x.xml\'"/>', "xslt2", "sur pattern : documents"),
        ('<xsl:key name="k" match="*" use="@id"/>', "xslt2", "xsl:key"),
        ('<phase id="f"><let name="x" value="1"/><active pattern="p"/></phase>', "xslt2", "let dans phase"),
        ('<pattern id="p"><rule><assert test="1">a</assert></rule></pattern>', "xslt2", "sans attribut context"),
        (RULE.format('<extends href="other.sch"/>'), "xslt2", "sur extends : href"),
        (RULE.format('<assert test="1">a</assert>'), "xslt", "queryBinding 'xslt'"),
    ],
)
def test_a_construct_the_compiler_does_not_implement_is_refused(tmp_path, body, binding, refusal):
    schema = write(tmp_path, "main.sch", f'{SCH}queryBinding="{binding}">{body}</schema>')

    with pytest.raises(SchematronError, match=re.escape(refusal)):
        compile_schematron(schema)


def test_a_refusal_in_an_included_file_names_that_file(library):
    write(library, "rules/odd.sch", '<rule xmlns="http://purl.oclc.org/dsdl/schematron" context="*" flag="x"/>')
    schema = write(
        library,
        "main.sch",
        f'{SCH}queryBinding="xslt2"><pattern id="p"><include href="rules/odd.sch"/></pattern></schema>',
    )

    with pytest.raises(SchematronError, match=r"sur rule : flag \(odd\.sch, ligne 1\)"):
        compile_schematron(schema)
