"""The national aggregate (issue 13 item 8, Wet PGA art. 24 — the evaluation; ADR 0043): a region
exports its published, suppressed figures in a signed file; a national instance verifies every
file before storing any (all or nothing) and combines them, recomputing suppression after
combining so that no region's small number can be derived from the national figures."""

from __future__ import annotations

import json

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from casustafel.cli import main
from casustafel.national import aggregate, signing
from casustafel.national.models import ImportedAggregate
from casustafel.policy_signals import services as policy_signals
from casustafel.processing_log.models import ProcessingLogEntry
from casustafel.reporting.suppression import PRIMARY, SECONDARY, SHOWN, TOTAL, determined_cells, protect

from .conftest import make_case
from .helpers import login

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
TEXT = "Te weinig plekken voor begeleid wonen in de regio."
PAIRS = {code: signing.generate() for code in ("a", "b", "c")}


@pytest.fixture
def trusted(settings):
    settings.CASUSTAFEL_AGGREGATE_TRUSTED_KEYS = [f"{code}={pair.public_b64}" for code, pair in PAIRS.items()]
    return signing.trusted_keys()


def sign_as(settings, code):
    settings.CASUSTAFEL_AGGREGATE_SIGNING_KEY = PAIRS[code].private_b64


def raise_signals(world_region, count, category="capacity"):
    case = make_case(world_region, family_name=f"Persoon{world_region.region.code}")
    for _ in range(count):
        policy_signals.raise_signal(world_region.users["case_director"], category=category, description=TEXT, case=case)


def export(settings, tmp_path, world_region, facts=("policy_signals",)):
    sign_as(settings, world_region.region.code)
    document, missing = aggregate.build_document(world_region.region, YEAR, fact_names=facts)
    path = tmp_path / f"{world_region.region.code}-{YEAR}.json"
    aggregate.write_document(document, path)
    return path, missing


def signed_file(settings, tmp_path, code, payload_changes=None, *, name=None):
    """A hand-made, validly signed file of region ``code`` (a 1-dimensional fact of two categories)."""
    sign_as(settings, code)
    payload = {
        "format": aggregate.FORMAT,
        "version": aggregate.VERSION,
        "region": {"code": code, "name": f"Regio {code}"},
        "year": YEAR,
        "threshold": 5,
        "generated_at": "2026-11-30T20:00:00+00:00",
        "facts": [],
    }
    payload.update(payload_changes or {})
    path = tmp_path / (name or f"{code}.json")
    aggregate.write_document({**payload, "signature": signing.sign(payload)}, path)
    return path


def test_round_trip_of_two_regions_art_24(world, settings, tmp_path, trusted):
    """Art. 24: two regions' files combine into national figures; a cell shown in one region and
    suppressed ("< 5") in the other is suppressed nationally, and so is its complement."""
    raise_signals(world["a"], 6)
    raise_signals(world["b"], 2)
    path_a, missing = export(settings, tmp_path, world["a"])
    path_b, _missing = export(settings, tmp_path, world["b"])
    assert missing == []
    document_a = json.loads(path_a.read_text())
    assert document_a["format"] == "casustafel-aggregate" and document_a["version"] == 1
    assert document_a["signature"]["algorithm"] == "Ed25519"
    # Only published cells leave the region: no value behind a marker, no count of 1-4.
    cells_b = {tuple(c["codes"]): c for c in json.loads(path_b.read_text())["facts"][0]["cells"]}
    assert cells_b[("capacity", "raised")] == {"codes": ["capacity", "raised"], "state": PRIMARY, "display": "< 5"}

    assert main(["report", "import-aggregate", str(path_a), str(path_b)]) == 0
    assert set(ImportedAggregate.objects.values_list("region_code", flat=True)) == {"a", "b"}
    (national,) = aggregate.national_figures(YEAR)
    assert national.regions == ["a", "b"]
    assert national.cells[("capacity", "raised")].state == SECONDARY
    assert national.cells[("capacity", "raised")].display == "×"
    # The line of the suppressed cell has another suppressed cell: nothing to subtract.
    line = [national.cells[("capacity", state)] for state in ("raised", "in_progress", "answered", "closed", TOTAL)]
    assert sum(not cell.shown for cell in line) != 1
    assert national.cells[("missing_intervention", "raised")] == national.cells[("missing_intervention", TOTAL)]


def test_the_export_command_writes_a_signed_file_and_logs_the_generation(world, settings, tmp_path, trusted):
    raise_signals(world["a"], 5)
    sign_as(settings, "a")
    out = tmp_path / "a.json"
    command = ["report", "export-aggregate", "--region", "a", "--year", str(YEAR), "--out", str(out), "--by"]
    assert main([*command, world["a"].users["case_director"].username]) == 2  # may not report on the region
    assert not out.exists()
    assert main([*command, world["a"].users["analyst"].username]) == 0
    document = json.loads(out.read_text())
    payload = {k: v for k, v in document.items() if k != "signature"}
    assert signing.verify(payload, document["signature"])
    assert ProcessingLogEntry.objects.filter(purpose="accountability", object_type="region").count() == 1
    assert main(["report", "export-aggregate", "--region", "zz", "--year", "2026", "--out", str(out), "--by", "x"]) == 2
    future = ["report", "export-aggregate", "--region", "a", "--year", str(YEAR + 1), "--out", str(tmp_path / "f.json")]
    assert main([*future, "--by", world["a"].users["analyst"].username]) == 2
    assert not (tmp_path / "f.json").exists()


def test_export_without_a_signing_key_is_refused_in_dutch(world, settings, tmp_path, capsys):
    settings.CASUSTAFEL_AGGREGATE_SIGNING_KEY = ""
    out = tmp_path / "a.json"
    by = world["a"].users["functional_admin"].username
    assert (
        main(["report", "export-aggregate", "--region", "a", "--year", str(YEAR), "--out", str(out), "--by", by]) == 2
    )
    assert "ondertekensleutel" in capsys.readouterr().err and not out.exists()


def test_keygen_prints_a_pair_that_signs_and_verifies(capsys, settings):
    assert main(["report", "keygen"]) == 0
    lines = dict(line.split("=", 1) for line in capsys.readouterr().out.splitlines() if not line.startswith("#"))
    settings.CASUSTAFEL_AGGREGATE_SIGNING_KEY = lines["CASUSTAFEL_AGGREGATE_SIGNING_KEY"]
    signature = signing.sign({"x": 1})
    assert signature["public_key"] == lines["CASUSTAFEL_AGGREGATE_TRUSTED_KEYS"].split("=", 1)[1]
    assert signing.verify({"x": 1}, signature) and not signing.verify({"x": 2}, signature)


def test_tampering_one_byte_refuses_and_nothing_is_imported(world, settings, tmp_path, trusted, capsys):
    raise_signals(world["a"], 6)
    good, _missing = export(settings, tmp_path, world["b"])
    path, _missing = export(settings, tmp_path, world["a"])
    raw = bytearray(path.read_bytes())
    position = raw.index(b'"value": 6')
    raw[position + len('"value": ')] = ord("7")  # one byte: 6 → 7
    path.write_bytes(bytes(raw))
    assert main(["report", "import-aggregate", str(good), str(path)]) == 2
    error = capsys.readouterr().err
    assert "handtekening klopt niet" in error and "niets ingelezen" in error
    assert not ImportedAggregate.objects.exists()


def test_unknown_format_and_newer_version_refuse(settings, tmp_path, trusted):
    newer = signed_file(settings, tmp_path, "a", {"version": 2})
    with pytest.raises(aggregate.AggregateError, match="formaatversie 2 is nieuwer"):
        aggregate.import_files([newer])
    unknown = signed_file(settings, tmp_path, "a", {"format": "iets-anders"})
    with pytest.raises(aggregate.AggregateError, match="onbekend formaat"):
        aggregate.import_files([unknown])
    garbage = tmp_path / "kapot.json"
    garbage.write_bytes(b"\xff\x00 geen json")
    with pytest.raises(aggregate.AggregateError, match="geen geldige JSON"):
        aggregate.import_files([garbage])
    assert not ImportedAggregate.objects.exists()


def test_an_untrusted_key_refuses(settings, tmp_path, trusted):
    # Signed by c's key, but claiming to be region a: the key is not trusted for a.
    settings.CASUSTAFEL_AGGREGATE_SIGNING_KEY = PAIRS["c"].private_b64
    payload = {"format": aggregate.FORMAT, "version": 1, "region": {"code": "a"}, "year": YEAR, "facts": []}
    path = tmp_path / "a.json"
    aggregate.write_document({**payload, "signature": signing.sign(payload)}, path)
    with pytest.raises(aggregate.AggregateError, match="niet vertrouwt voor regio a"):
        aggregate.import_files([path])


def test_a_region_year_twice_refuses_and_nothing_is_partially_imported(settings, tmp_path, trusted):
    first = signed_file(settings, tmp_path, "a", name="a1.json")
    again = signed_file(settings, tmp_path, "a", name="a2.json")
    other = signed_file(settings, tmp_path, "b")
    with pytest.raises(aggregate.AggregateError, match=r"ook in a1\.json"):
        aggregate.import_files([first, other, again])
    assert not ImportedAggregate.objects.exists()
    aggregate.import_files([first])
    with pytest.raises(aggregate.AggregateError, match="al ingelezen"):
        aggregate.import_files([other, again])  # b is valid, but the batch is all or nothing
    assert list(ImportedAggregate.objects.values_list("region_code", flat=True)) == ["a"]


def _fact_document(counts: dict[tuple[str, str], int]) -> dict:
    rows, columns = ["r1", "r2", "r3"], ["k1", "k2", "k3"]
    published = protect(counts, [rows, columns])
    cells = []
    for key, cell in published.items():
        entry = {"codes": list(key), "state": cell.state, "display": cell.display}
        if cell.shown:
            entry["value"] = cell.value
        cells.append(entry)
    return {
        "name": "test_fact",
        "label": "Test",
        "dims": [
            {"code": "row", "label": "Rij", "categories": [[c, c] for c in rows]},
            {"code": "col", "label": "Kolom", "categories": [[c, c] for c in columns]},
        ],
        "cells": cells,
    }


def test_suppression_is_recomputed_after_combining_art_24(settings, tmp_path, trusted):
    """Art. 24 with AVG art. 5 lid 1 c: region b suppresses (r1, k1) = 2 and its complements; region
    a shows everything. Nationally (r1, k1) is not a sum of shown cells, so it is suppressed — and
    the recomputation suppresses enough around it that neither it nor b's value can be derived
    from the national cells and totals."""
    big = {(r, k): 20 for r in ("r1", "r2", "r3") for k in ("k1", "k2", "k3")}
    small = {**big, ("r1", "k1"): 2}
    path_a = signed_file(settings, tmp_path, "a", {"facts": [_fact_document(big)]})
    path_b = signed_file(settings, tmp_path, "b", {"facts": [_fact_document(small)]})
    cells_b = {tuple(c["codes"]): c["state"] for c in json.loads(path_b.read_text())["facts"][0]["cells"]}
    hidden_in_b = {key for key, state in cells_b.items() if state != SHOWN}
    assert ("r1", "k1") in hidden_in_b
    aggregate.import_files([path_a, path_b])
    (national,) = aggregate.national_figures(YEAR)
    assert not national.cells[("r1", "k1")].shown
    # Every cell hidden in a region is hidden nationally (no sum over a marker).
    assert all(not national.cells[key].shown for key in hidden_in_b)
    # No national line has exactly one hidden cell, and the published national grid fixes no hidden cell.
    codes = [national.codes(0), national.codes(1)]
    mask = np.array([[not national.cells[(r, k)].shown for k in codes[1]] for r in codes[0]])
    values = np.array([[national.cells[(r, k)].value or 0 for k in codes[1]] for r in codes[0]])
    assert all(mask[i, :].sum() != 1 for i in range(mask.shape[0]))
    assert all(mask[:, j].sum() != 1 for j in range(mask.shape[1]))
    assert determined_cells(values, mask) == []


def test_a_weak_regional_pattern_is_repaired_nationally_art_24(settings, tmp_path, trusted):
    """Summing regional grids that were each protected by this algorithm is safe by itself (every
    line of a region hides none or at least two cells, and hidden sums of 0 or at least 5). A file
    from another implementation or an older version need not be: region a hides (r1, k1) alone in
    its lines. The national recomputation hides complements, so the cell cannot be derived."""
    big = {(r, k): 20 for r in ("r1", "r2", "r3") for k in ("k1", "k2", "k3")}
    weak = _fact_document(big)
    for cell in weak["cells"]:
        if cell["codes"] == ["r1", "k1"]:
            cell.update(state=PRIMARY, display="< 5")
            del cell["value"]
    path_a = signed_file(settings, tmp_path, "a", {"facts": [weak]})
    path_b = signed_file(settings, tmp_path, "b", {"facts": [_fact_document(big)]})
    aggregate.import_files([path_a, path_b])
    (national,) = aggregate.national_figures(YEAR)
    row = [national.cells[("r1", k)] for k in ("k1", "k2", "k3", TOTAL)]
    column = [national.cells[(r, "k1")] for r in ("r1", "r2", "r3", TOTAL)]
    assert sum(not c.shown for c in row) >= 2 and sum(not c.shown for c in column) >= 2
    codes = [national.codes(0), national.codes(1)]
    mask = np.array([[not national.cells[(r, k)].shown for k in codes[1]] for r in codes[0]])
    assert determined_cells(np.zeros(mask.shape, dtype=np.int64), mask) == []


def _published_document(counts: dict, code: str) -> dict:
    return {"region": {"code": code}, "facts": [_fact_document(counts)]}


GRID = [(r, k) for r in ("r1", "r2", "r3") for k in ("k1", "k2", "k3")]
COUNTS = st.fixed_dictionaries({key: st.integers(0, 30) for key in GRID})


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(COUNTS, min_size=2, max_size=3))
def test_no_national_cell_reveals_a_regional_small_number_art_24(regions):
    """Property (art. 24 with AVG art. 5 lid 1 c): whatever the regions' counts, every national cell
    is either the true sum (0 or at least 5) or suppressed; every cell a region suppressed is
    suppressed nationally; no national line has a single hidden cell, and the published national
    grid determines no hidden cell."""
    documents = [_published_document(counts, f"r{i}") for i, counts in enumerate(regions)]
    (national,) = aggregate.combine(documents)
    codes = [national.codes(0), national.codes(1)]

    def truth(row, col):
        rows = [row] if row != TOTAL else ["r1", "r2", "r3"]
        cols = [col] if col != TOTAL else ["k1", "k2", "k3"]
        return sum(counts[(r, k)] for counts in regions for r in rows for k in cols)

    hidden_somewhere = {
        tuple(cell["codes"])
        for document in documents
        for cell in document["facts"][0]["cells"]
        if cell["state"] != SHOWN
    }
    for r in codes[0]:
        for k in codes[1]:
            cell = national.cells[(r, k)]
            if cell.shown:
                assert cell.value == truth(r, k) and not 0 < cell.value < 5
            assert not ((r, k) in hidden_somewhere and cell.shown)
    mask = np.array([[not national.cells[(r, k)].shown for k in codes[1]] for r in codes[0]])
    values = np.array([[national.cells[(r, k)].value or 0 for k in codes[1]] for r in codes[0]])
    assert all(mask[i, :].sum() != 1 for i in range(3 + 1)) and all(mask[:, j].sum() != 1 for j in range(3 + 1))
    assert determined_cells(values, mask) == []


def test_the_analyst_sees_the_national_figures_and_csv(world, settings, tmp_path, trusted, client):
    big = {(r, k): 20 for r in ("r1", "r2", "r3") for k in ("k1", "k2", "k3")}
    aggregate.import_files([signed_file(settings, tmp_path, "a", {"facts": [_fact_document(big)]})])
    login(client, world["a"].users["analyst"])
    page = client.get(reverse("national:figures"))
    assert page.status_code == 200 and "Test" in page.content.decode() and "180" in page.content.decode()
    csv = client.get(reverse("national:figures_csv"), {"jaar": YEAR})
    assert csv.status_code == 200 and "180" in csv.content.decode("utf-8-sig")
    login(client, world["a"].users["case_director"])
    assert client.get(reverse("national:figures")).status_code == 403
