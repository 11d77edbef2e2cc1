"""Generate docs/configuration.md from the declared environment variables.

``casustafel config docs`` (or ``python -m casustafel.conf.docs``) writes it;
``--check`` only compares. The declarations are collected by importing the settings in
a fresh process with the project's own variables removed from its environment, so the
result depends on the code alone, not on the shell it runs in.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from .env import GROUPS, REGISTRY, environment_without_own_variables

DOCS_PATH = Path(__file__).resolve().parents[3] / "docs" / "configuration.md"
REGENERATE = "casustafel config docs"

_INTRO = f"""\
# Configuratie

<!-- Gegenereerd met `{REGENERATE}` uit de declaraties in src/casustafel/conf/; niet met de hand bewerken. -->

Casustafel leest al zijn instellingen uit omgevingsvariabelen. Elke variabele is
gedeclareerd op de plek waar ze gelezen wordt (`config(...)` uit
`src/casustafel/conf/env.py`), met type, standaard en betekenis; dit bestand wordt daaruit
gegenereerd met `{REGENERATE}`. Een onleesbare waarde stopt de start met de naam van de
variabele (bij een geheim zonder de waarde).

Twee manieren van draaien:

- **Ingebed** (`DATABASE_URL` niet gezet, zoals `scripts/start`): de opdrachten die een
  database nodig hebben (`casustafel serve`, `migrate`, `demo`, `manage`, …, en de testsuite)
  starten een ingebedde PostgreSQL in de datamap. Ontbrekende sleutels worden eenmalig als
  ontwikkelsleutels aangemaakt in `<datamap>/keys.json` (mode 0600). Alleen de settings
  importeren start geen server.
- **Echte installatie** (`DATABASE_URL` gezet): `DJANGO_SECRET_KEY`,
  `CASUSTAFEL_ENCRYPTION_KEYS` en `CASUSTAFEL_BLIND_INDEX_KEY` zijn verplicht; ontbreekt er
  een, dan stopt de start met een melding die de ontbrekende variabelen noemt. Nieuwe
  waarden: `casustafel config keys`. De testsuite gebruikt vaste, openbare testsleutels
  (`src/casustafel/conf/test_settings.py`) als de omgeving er geen geeft. Een echte
  installatie is alleen over HTTPS bereikbaar: HTTP wordt doorgestuurd en cookies zijn
  `Secure` (zie `CASUSTAFEL_SSL_REDIRECT` en verder onder *Web en sessies*).
"""

_OUTRO = """\
## Buiten de applicatie

- `DJANGO_SETTINGS_MODULE` zet `casustafel` zelf (`casustafel.conf.settings`); de tests
  gebruiken `casustafel.conf.test_settings` (`pyproject.toml`).
- `PYTHON` kiest in `scripts/start` en `scripts/test` de Python waarmee `.venv` wordt gemaakt
  (standaard `python3`).
- `CASUSTAFEL_SPECTRAL_RULESET` wijst in `scripts/lint-openapi` de Spectral-regels aan.
"""


def _dump() -> None:
    """In the collecting process: import the settings, print the declarations as JSON."""
    # Imported here, not at the top: only the collecting process may import the settings.
    import casustafel.conf.settings  # noqa: F401, PLC0415  (every config() call runs on import)

    print(
        json.dumps(
            [
                {
                    "name": d.name,
                    "group": d.group,
                    "help_text": d.help_text,
                    "type_label": d.type_label,
                    "default_text": d.default_text,
                    "secret": d.secret,
                }
                for d in REGISTRY.values()
            ]
        )
    )


def collect() -> list[dict[str, str | bool]]:
    """The declarations made by importing the settings, in declaration order."""
    with tempfile.TemporaryDirectory() as folder:
        # Without the shell's own settings: DATABASE_URL without keys would stop the import.
        env = environment_without_own_variables()
        env["CASUSTAFEL_DATA_DIR"] = folder  # development keys land here, not in a real data folder
        result = subprocess.run(
            [sys.executable, "-c", "from casustafel.conf.docs import _dump; _dump()"],
            env=env,
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        raise RuntimeError(f"collecting the declarations failed:\n{result.stderr}")
    return json.loads(result.stdout)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or "—"


def _row(declaration: dict[str, str | bool]) -> str:
    kind = str(declaration["type_label"]) + (" (geheim)" if declaration["secret"] else "")
    return (
        f"| `{declaration['name']}` | {_cell(kind)} | {_cell(str(declaration['default_text']))} "
        f"| {_cell(str(declaration['help_text']))} |\n"
    )


def render(declarations: list[dict[str, str | bool]]) -> str:
    parts = [_INTRO]
    for group in GROUPS:
        rows = "".join(_row(d) for d in declarations if d["group"] == group)
        if rows:
            parts.append(f"## {group}\n\n| Variabele | Type | Standaard | Betekenis |\n|---|---|---|---|\n{rows}")
    parts.append(_OUTRO)
    return "\n".join(parts)


def documented_names(text: str) -> list[str]:
    """The variable names documented in ``text`` (first column of its tables)."""
    return [line.split("`")[1] for line in text.splitlines() if line.startswith("| `")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=REGENERATE, description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when the file is out of date")
    parser.add_argument("--output", type=Path, default=DOCS_PATH)
    args = parser.parse_args(argv)
    text = render(collect())
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is niet actueel; genereer opnieuw met: {REGENERATE}", file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"{args.output} geschreven ({len(documented_names(text))} variabelen)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
