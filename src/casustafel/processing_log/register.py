"""Load a version of the register of processing activities (``data/processing_activities_vN.json``).

Used by the data migrations. Loading is idempotent: an activity that is already in the
register with this version is left as it is, so a log row keeps pointing at the text it was
written under; a changed text is a new version of the file.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
REQUIRED = ("code", "name", "purpose", "legal_basis")
#: What the implementing AMvB must still settle; "te bevestigen" belongs there only.
AMVB_ARTICLES = ("art. 12 lid 4", "art. 16 lid 5")


def read_spec(path: Path) -> dict:
    spec = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(spec.get("version"), int) or not isinstance(spec.get("activities"), list):
        raise ValueError("Een registerbestand heeft een 'version' (geheel getal) en een lijst 'activities'.")
    for activity in spec["activities"]:
        missing = [key for key in REQUIRED if not activity.get(key)]
        if missing:
            raise ValueError(
                f"Verwerkingsactiviteit {activity.get('code', '?')}: ontbrekende velden {', '.join(missing)}."
            )
        for point in activity.get("pending_amvb", []):
            if point.get("article") not in AMVB_ARTICLES:
                raise ValueError(
                    f"Verwerkingsactiviteit {activity['code']}: {point.get('article')!r} wacht niet op de AMvB."
                )
    if "valid_from" in spec:
        date.fromisoformat(spec["valid_from"])
    return spec


def load(spec: dict, activity_model) -> int:
    """Add the activities of this version that are not in the register yet; the number added."""
    valid_from = date.fromisoformat(spec["valid_from"]) if "valid_from" in spec else None
    added = 0
    for item in spec["activities"]:
        _activity, created = activity_model.objects.get_or_create(
            code=item["code"],
            version=spec["version"],
            defaults={
                "name": item["name"],
                "purpose": item["purpose"],
                "legal_basis": item["legal_basis"],
                "valid_from": valid_from,
                "legal_basis_codes": item.get("legal_basis_codes", []),
                "pending_amvb": item.get("pending_amvb", []),
            },
        )
        added += created
    return added
