"""Load a versioned legal-bases data file (used by the data migration and the
``load_legal_bases`` management command, so a region's administrator can add bases)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
REQUIRED = ("code", "use", "label", "explanation", "organisation_kinds")
#: Keys a version may add (version 2: Wet PGA art. 4 categories, art. 8 refusals, AMvB points).
OPTIONAL_SET_KEYS = ("refused_classifications", "data_categories", "pending_amvb")


def read_spec(path: Path) -> dict:
    spec = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(spec.get("version"), int) or not isinstance(spec.get("bases"), list):
        raise ValueError("Een grondslagenbestand heeft een 'version' (geheel getal) en een lijst 'bases'.")
    for basis in spec["bases"]:
        missing = [k for k in REQUIRED if not basis.get(k)]
        if missing:
            raise ValueError(f"Grondslag {basis.get('code', '?')}: ontbrekende velden {', '.join(missing)}.")
    if "valid_from" in spec:
        try:
            date.fromisoformat(spec["valid_from"])
        except (TypeError, ValueError) as error:
            raise ValueError("'valid_from' is een datum (JJJJ-MM-DD).") from error
    return spec


def load(spec: dict, LegalBasisSet, LegalBasis) -> tuple[object, bool]:
    """Create the set of this version (idempotent); a newer version deactivates older bases."""
    defaults = {"source": spec.get("source", ""), "classifications": spec.get("classifications", {})}
    # Only the keys the file has: version 1 is loaded by a migration that predates these fields.
    if "valid_from" in spec:
        defaults["valid_from"] = date.fromisoformat(spec["valid_from"])
    defaults.update({key: spec[key] for key in OPTIONAL_SET_KEYS if key in spec})
    basis_set, created = LegalBasisSet.objects.get_or_create(version=spec["version"], defaults=defaults)
    if not created:
        return basis_set, False
    LegalBasis.objects.filter(basis_set__version__lt=spec["version"]).update(is_active=False)
    LegalBasis.objects.bulk_create(
        LegalBasis(
            basis_set=basis_set,
            code=b["code"],
            use=b["use"],
            label=b["label"],
            explanation=b["explanation"],
            organisation_kinds=b["organisation_kinds"],
            classifications=b.get("classifications", []),
            status=b.get("status", "in_force"),
            is_active=b.get("active", True),
        )
        for b in spec["bases"]
    )
    return basis_set, True
