"""The house rules that keep the code findable (ADR 0001), checked like any behaviour.

* the layering and the "only the flow crosses signals, weighing and cases" rule, as
  import-linter contracts (``.importlinter``); ruff lint and format;
* every domain page lives in its own app: ``web`` holds the frame only;
* refusals by the access policy are ``PolicyDenied``, never a "forbidden" ValidationError.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "casustafel"
#: What ``web`` may still serve: the frame (dashboard) — error pages are handlers, not routes.
WEB_ROUTES = {"dashboard"}


def test_import_contracts_are_kept():
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports"))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize("command", [["check"], ["format", "--check"]], ids=["lint", "format"])
def test_ruff_is_clean(command):
    """ruff (lint and format, configured in pyproject.toml) over src, tests and bench."""
    ruff = Path(sys.executable).with_name("ruff")
    result = subprocess.run([str(ruff), *command, "src", "tests", "bench"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


#: Typed and checked by mypy (django-stubs): the access layer, the flow, the core plumbing.
#: The domain services and API layer follow (issue "One house", item 6).
MYPY_TARGETS = ["src/casustafel/access", "src/casustafel/flow", "src/casustafel/core"]


def test_mypy_is_clean():
    mypy = Path(sys.executable).with_name("mypy")
    result = subprocess.run([str(mypy), *MYPY_TARGETS], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _routes(resolver, namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry, entry.namespace or namespace)
        elif isinstance(entry, URLPattern):
            yield namespace, entry


@pytest.mark.parametrize(
    "namespace, pattern",
    [(ns, p) for ns, p in _routes(get_resolver()) if ns != "api"],
    ids=lambda v: getattr(v, "name", v) or str(v),
)
def test_each_page_lives_in_the_app_of_its_namespace(namespace, pattern):
    """A domain app owns its pages: the view of ``signals:…`` is in ``casustafel.signals``."""
    module = pattern.callback.__module__
    if namespace == "web":
        assert pattern.name in WEB_ROUTES, f"web serves only the frame, not {pattern.name}"
    assert module.startswith(f"casustafel.{namespace}."), f"{namespace}:{pattern.name} is served by {module}"


def test_refusals_are_policy_denied_not_validation_errors():
    """Services refuse through ``policy.require`` (PolicyDenied), mapped once per interface (ADR 0003)."""
    offenders = []
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.keyword)
                and node.arg == "code"
                and isinstance(node.value, ast.Constant)
                and node.value.value == "forbidden"
            ):
                offenders.append(f"{path.relative_to(SRC)}:{node.value.lineno}")
    assert not offenders, offenders


def test_every_action_has_exactly_one_rule():
    """The policy's vocabulary is closed: an action without a rule would be a KeyError, not a refusal."""
    from casustafel.access import policy

    assert set(policy._RULES) == set(policy.Action)
