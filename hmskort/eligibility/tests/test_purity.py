"""The rules are pure: they import nothing from Django but translation, never the
registers, cards or orders apps, and never read the clock."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1]
SOURCES = sorted(
    path
    for path in PACKAGE.rglob("*.py")
    if "tests" not in path.relative_to(PACKAGE).parts
    and "migrations" not in path.relative_to(PACKAGE).parts
)
FORBIDDEN = (
    "django.db",
    "django.conf",
    "django.utils.timezone",
    "hmskort.registers",
    "hmskort.cards",
    "hmskort.orders",
)


def imported_modules(path: Path) -> set[str]:
    package = "hmskort.eligibility"
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


CLOCK_ATTRS = {"today", "now", "utcnow", "time", "monotonic", "localdate", "localtime"}
CLOCK_OWNERS = {"date", "datetime", "time", "timezone"}


def clock_calls(path: Path) -> list[str]:
    """Calls like date.today() / datetime.now() / time.time(), and references to
    them (e.g. a default_factory=date.today)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Attribute) or node.attr not in CLOCK_ATTRS:
            continue
        owner = node.value
        owner_name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
        if owner_name in CLOCK_OWNERS:
            found.append(f"{ast.unparse(node)} (line {node.lineno})")
    return found


def test_the_package_has_rule_sources_to_scan():
    names = {path.name for path in SOURCES}
    assert {"rules.py", "reasons.py", "industries.py", "facts.py", "verdict.py"} <= names


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_no_forbidden_imports(path):
    imports = imported_modules(path)
    bad = sorted(
        name for name in imports for f in FORBIDDEN if name == f or name.startswith(f + ".")
    )
    assert not bad, f"{path.name} imports {bad}"
    if path.name != "apps.py":  # the AppConfig is Django's entry point, not a rule
        django = {name for name in imports if name == "django" or name.startswith("django.")}
        assert django <= {"django.utils.translation", "django.utils.translation.get_language"}, (
            f"{path.name} imports {sorted(django)}"
        )


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_no_clock(path):
    assert clock_calls(path) == []


def test_the_scanner_catches_what_it_looks_for(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import datetime\nfrom django.conf import settings\nfrom ..cards import models\n"
        "x = datetime.date.today()\ny = datetime.datetime.now()\nz = ctx.today\n"
        "f = field(default_factory=date.today)\n",
        encoding="utf-8",
    )
    assert {"django.conf", "hmskort.cards"} <= imported_modules(sample)
    assert len(clock_calls(sample)) == 3  # not ctx.today: that is an argument


def test_rules_run_without_django_settings_and_load_no_forbidden_module():
    # A fresh interpreter with no settings: evaluate() must still work, and
    # importing the rules must not pull in the database, settings or other apps.
    script = """
import datetime as dt, json, sys
from hmskort.eligibility.rules import evaluate
from hmskort.eligibility.facts import Facts
from hmskort.eligibility.verdict import Purpose
v = evaluate(Facts(company=None, person=None), card_type="BA", today=dt.date(2025, 1, 1),
             purpose=Purpose.ORDER)
print(json.dumps({"codes": v.reason_codes, "modules": sorted(sys.modules)}))
"""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PACKAGE.parents[1],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout)
    assert result["codes"][:2] == ["COMPANY_NOT_FOUND", "PERSON_NOT_FOUND"]
    loaded = [m for m in result["modules"] for f in FORBIDDEN if m == f or m.startswith(f + ".")]
    assert loaded == []
