"""Load a versioned catalogue file (measures + interference rules); used by the data
migration and by the ``load_plan_catalogue`` management command."""

from __future__ import annotations

import json
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
ENTRY_FIELDS = ("code", "group", "name", "description", "organisation_kinds", "legal_basis")
RULE_FIELDS = ("code", "measures_a", "measures_b", "explanation", "coordination")


def read_spec(path) -> dict:
    spec = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(spec.get("version"), int) or not isinstance(spec.get("entries"), list):
        raise ValueError("Een catalogusbestand heeft een 'version' (geheel getal) en een lijst 'entries'.")
    codes = set()
    for entry in spec["entries"]:
        missing = [k for k in ENTRY_FIELDS if not entry.get(k)]
        if missing or not isinstance(entry.get("enforced"), bool):
            raise ValueError(
                f"Maatregel {entry.get('code', '?')}: ontbrekende velden {', '.join(missing) or 'enforced'}."
            )
        codes.add(entry["code"])
    for rule in spec.get("rules", []):
        missing = [k for k in RULE_FIELDS if not rule.get(k)]
        unknown = (set(rule.get("measures_a", [])) | set(rule.get("measures_b", []))) - codes
        if missing or unknown - codes:
            raise ValueError(f"Regel {rule.get('code', '?')}: ontbrekende velden of onbekende maatregelen.")
    return spec


def load(spec: dict, CatalogueVersion, CatalogueEntry, InterferenceRule):
    """Create the catalogue of this version (idempotent); a newer version deactivates older rows."""
    catalogue, created = CatalogueVersion.objects.get_or_create(
        version=spec["version"], defaults={"source": spec.get("source", ""), "note": spec.get("note", "")}
    )
    if not created:
        return catalogue, False
    CatalogueEntry.objects.filter(catalogue__version__lt=spec["version"]).update(is_active=False)
    InterferenceRule.objects.filter(catalogue__version__lt=spec["version"]).update(is_active=False)
    CatalogueEntry.objects.bulk_create(
        CatalogueEntry(
            catalogue=catalogue,
            code=e["code"],
            group=e["group"],
            name=e["name"],
            description=e["description"],
            organisation_kinds=e["organisation_kinds"],
            legal_basis=e["legal_basis"],
            enforced=e["enforced"],
        )
        for e in spec["entries"]
    )
    InterferenceRule.objects.bulk_create(
        InterferenceRule(
            catalogue=catalogue,
            code=r["code"],
            measures_a=r["measures_a"],
            measures_b=r["measures_b"],
            explanation=r["explanation"],
            coordination=r["coordination"],
            owner_kind=r.get("owner_kind", ""),
        )
        for r in spec.get("rules", [])
    )
    return catalogue, True
