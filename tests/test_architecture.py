"""The house rules that keep the code findable (ADR 0001), checked like any behaviour.

* the layering and the "only the flow crosses signals, weighing and cases" rule, as
  import-linter contracts (``.importlinter``); ruff lint and format;
* every domain page lives in its own app: ``web`` holds the frame only;
* refusals by the access policy are ``PolicyDenied``, never a "forbidden" ValidationError;
* mypy over services, selectors, the policy and the API; services take a typed actor and
  keyword-only arguments;
* bandit: no finding of high severity.
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


#: Typed and checked by mypy (django-stubs): the access layer, the flow, the core plumbing,
#: and of every domain app its services, selectors and API layer.
MYPY_TARGETS = sorted(
    {
        *(str(path.relative_to(ROOT)) for path in SRC.glob("*/services.py")),
        *(str(path.relative_to(ROOT)) for path in SRC.glob("*/selectors.py")),
        *(str(path.relative_to(ROOT)) for path in SRC.glob("*/api") if path.is_dir()),
        *(f"src/casustafel/{package}" for package in ("access", "flow", "core", "api")),
    }
    - {
        f"src/casustafel/{package}/{module}.py"
        for package in ("access", "flow", "core")
        for module in ("services", "selectors")
    }
)


def test_mypy_is_clean():
    mypy = Path(sys.executable).with_name("mypy")
    result = subprocess.run([str(mypy), *MYPY_TARGETS], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_bandit_finds_nothing_of_high_severity():
    bandit = Path(sys.executable).with_name("bandit")
    result = subprocess.run(
        [str(bandit), "-c", "pyproject.toml", "-r", "src", "--severity-level", "high", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _service_functions():
    for path in sorted(SRC.glob("*/services.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                yield f"{path.parent.name}.{node.name}", node


@pytest.mark.parametrize(
    "node",
    [node for _name, node in _service_functions() if node.args.args and node.args.args[0].arg == "actor"],
    ids=[name for name, node in _service_functions() if node.args.args and node.args.args[0].arg == "actor"],
)
def test_services_take_a_typed_actor_and_keyword_arguments(node):
    """A service is called as ``service(actor, subject=..., ...)``: the actor typed, the rest by name."""
    actor, *positional = node.args.args
    assert actor.annotation is not None, f"{node.name}: annotate the actor"
    assert not positional, f"{node.name}: make {[a.arg for a in positional]} keyword-only (after ``*``)"


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
