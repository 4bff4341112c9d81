"""Run ISO Schematron (query binding xslt2/xslt3) with Saxon (saxonche).

The Peppol BIS Billing 3.0 and EN 16931 rule files use XSLT 2 features
(`xsl:function`, XPath 2 expressions in rule contexts), so lxml's XSLT 1
Schematron cannot run them. No maintained package on PyPI ships the ISO
skeleton or SchXslt for XSLT 3, so this module compiles a schema to an XSLT 3
stylesheet itself, following SchXslt's design:

- schema-level and pattern-level `let` become global variables (names must be
  unique in the schema, as in SchXslt), rule-level `let` local variables;
- each pattern is one mode; in a pattern, the first rule whose context matches
  a node fires (templates with descending priority), as the standard requires;
- every `assert` that fails and every `report` that fires becomes one
  `<failed id= flag= location=>message</failed>` in the result;
- `xsl:function` (and other XSLT) elements at schema level are copied as is.

Abstract patterns/rules, `include` and phases are not used by the Peppol files
and are not supported (a schema using them raises `SchematronUnsupported`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

SCH = "http://purl.oclc.org/dsdl/schematron"
XSL = "http://www.w3.org/1999/XSL/Transform"
RESULT = "urn:hmskort:schematron-result"
_S = f"{{{SCH}}}"
_X = f"{{{XSL}}}"


class SchematronUnsupported(Exception):
    """The schema uses a Schematron feature this compiler does not implement."""


@dataclass(frozen=True)
class Failure:
    id: str
    flag: str  # fatal, warning, ...
    location: str
    text: str

    def __str__(self) -> str:
        return f"[{self.flag}] {self.id} at {self.location}: {self.text}"


def _message(element: etree._Element, out: etree._Element) -> None:
    """Copy an assert/report message: text, value-of and name elements."""
    out.text = element.text
    for child in element:
        if child.tag == f"{_S}value-of":
            node = etree.SubElement(out, f"{_X}value-of", select=child.get("select"))
        elif child.tag == f"{_S}name":
            node = etree.SubElement(out, f"{_X}value-of", select=f"name({child.get('path', '.')})")
        else:  # emph, dir, span ...: their text
            node = etree.SubElement(out, f"{_X}text")
            node.text = "".join(child.itertext())
        node.tail = child.tail


def compile_schematron(schema: etree._ElementTree | etree._Element) -> etree._ElementTree:
    """An XSLT 3 stylesheet that reports the schema's failed asserts as `failed` elements."""
    root = schema.getroot() if isinstance(schema, etree._ElementTree) else schema
    if root.tag != f"{_S}schema":
        raise SchematronUnsupported("not an ISO Schematron schema")
    binding = (root.get("queryBinding") or "xslt").lower()
    if binding not in ("xslt2", "xslt3"):
        raise SchematronUnsupported(f"query binding {binding!r}")
    if root.find(f".//{_S}include") is not None or root.find(f".//{_S}extends") is not None:
        raise SchematronUnsupported("include/extends")

    nsmap = {"xsl": XSL, "xs": "http://www.w3.org/2001/XMLSchema", "r": RESULT}
    for ns in root.findall(f"{_S}ns"):
        nsmap[ns.get("prefix")] = ns.get("uri")
    # Prefixes declared on the schema element (e.g. xmlns:u for functions).
    for prefix, uri in root.nsmap.items():
        if prefix and prefix not in nsmap:
            nsmap[prefix] = uri
    xslt = etree.Element(
        f"{_X}stylesheet",
        nsmap=nsmap,
        version="3.0",
        **{"exclude-result-prefixes": " ".join(p for p in nsmap if p not in ("xsl", "r"))},
    )
    etree.SubElement(xslt, f"{_X}output", method="xml", indent="no")

    def variable(let: etree._Element, parent: etree._Element) -> None:
        attrs = {"name": let.get("name")}
        if let.get("value") is not None:
            attrs["select"] = let.get("value")
        if let.get("as"):
            attrs["as"] = let.get("as")
        node = etree.SubElement(parent, f"{_X}variable", **attrs)
        if let.get("value") is None:  # element content
            for child in let:
                node.append(child.__copy__())

    for child in root:
        if not isinstance(child.tag, str):
            continue
        if child.tag.startswith(_X):
            xslt.append(child.__copy__())
        elif child.tag == f"{_S}let":
            variable(child, xslt)

    patterns = [p for p in root.findall(f"{_S}pattern")]
    for p in patterns:
        if p.get("abstract") == "true" or p.get("is-a"):
            raise SchematronUnsupported("abstract patterns")
        for let in p.findall(f"{_S}let"):
            variable(let, xslt)

    main = etree.SubElement(xslt, f"{_X}template", match="/")
    report = etree.SubElement(main, f"{{{RESULT}}}report")
    for i, _pattern in enumerate(patterns):
        etree.SubElement(report, f"{_X}apply-templates", select="/", mode=f"p{i}")

    for i, pattern in enumerate(patterns):
        mode = f"p{i}"
        rules = pattern.findall(f"{_S}rule")
        for j, rule in enumerate(rules):
            if rule.get("abstract") == "true":
                raise SchematronUnsupported("abstract rules")
            template = etree.SubElement(
                xslt,
                f"{_X}template",
                match=rule.get("context"),
                mode=mode,
                priority=str(len(rules) - j + 1000),
            )
            for let in rule.findall(f"{_S}let"):
                variable(let, template)
            for check in rule:
                if check.tag not in (f"{_S}assert", f"{_S}report"):
                    continue
                test = check.get("test")
                condition = f"not({test})" if check.tag == f"{_S}assert" else f"({test})"
                branch = etree.SubElement(template, f"{_X}if", test=condition)
                failed = etree.SubElement(branch, f"{{{RESULT}}}failed")
                for name in ("id", "flag"):
                    attr = etree.SubElement(failed, f"{_X}attribute", name=name)
                    attr.text = check.get(name, "")
                location = etree.SubElement(failed, f"{_X}attribute", name="location")
                etree.SubElement(location, f"{_X}value-of", select="path()")
                _message(check, etree.SubElement(failed, f"{{{RESULT}}}text"))
            etree.SubElement(template, f"{_X}apply-templates", select="@*|*", mode=mode)
        # No rule fired: go on into the children (and attributes).
        fallback = etree.SubElement(
            xslt, f"{_X}template", match="document-node()|@*|*", mode=mode, priority="-10"
        )
        etree.SubElement(fallback, f"{_X}apply-templates", select="@*|*", mode=mode)
        text = etree.SubElement(xslt, f"{_X}template", match="text()", mode=mode, priority="-10")
        text.text = None
    return etree.ElementTree(xslt)


class SchematronValidator:
    """One compiled schema; `validate(xml_bytes)` returns the failures (empty: valid)."""

    def __init__(self, path: Path):
        from saxonche import PySaxonProcessor

        self.path = Path(path)
        self._processor = PySaxonProcessor(license=False)
        stylesheet = etree.tostring(compile_schematron(etree.parse(str(self.path))))
        compiler = self._processor.new_xslt30_processor()
        self._executable = compiler.compile_stylesheet(stylesheet_text=stylesheet.decode())

    def validate(self, document: bytes) -> list[Failure]:
        node = self._processor.parse_xml(xml_text=document.decode("utf-8"))
        self._executable.set_global_context_item(xdm_item=node)
        result = self._executable.apply_templates_returning_string(xdm_value=node)
        tree = etree.fromstring(result.encode("utf-8"))
        return [
            Failure(
                id=f.get("id", ""),
                flag=f.get("flag", ""),
                location=f.get("location", ""),
                text=" ".join("".join(f.itertext()).split()),
            )
            for f in tree.iter(f"{{{RESULT}}}failed")
        ]


@functools.cache
def validator(path: str) -> SchematronValidator:
    """The compiled validator for a schema file (compiled once per process)."""
    return SchematronValidator(Path(path))
