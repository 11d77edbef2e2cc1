"""Load a versioned legal-bases data file (used by the data migration and the
``load_legal_bases`` management command, so a region's administrator can add bases)."""

from __future__ import annotations

import json
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
REQUIRED = ("code", "use", "label", "explanation", "organisation_kinds")


def read_spec(path: Path) -> dict:
    spec = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(spec.get("version"), int) or not isinstance(spec.get("bases"), list):
        raise ValueError("Een grondslagenbestand heeft een 'version' (geheel getal) en een lijst 'bases'.")
    for basis in spec["bases"]:
        missing = [k for k in REQUIRED if not basis.get(k)]
        if missing:
            raise ValueError(f"Grondslag {basis.get('code', '?')}: ontbrekende velden {', '.join(missing)}.")
    return spec


def load(spec: dict, LegalBasisSet, LegalBasis) -> tuple[object, bool]:
    """Create the set of this version (idempotent); a newer version deactivates older bases."""
    basis_set, created = LegalBasisSet.objects.get_or_create(
        version=spec["version"],
        defaults={"source": spec.get("source", ""), "classifications": spec.get("classifications", {})},
    )
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
