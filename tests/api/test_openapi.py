"""The OpenAPI document: served without authentication, committed, free of drift and lint errors."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "src" / "casustafel" / "api" / "openapi.yaml"
REGENERATE = (
    "django-admin spectacular --settings=casustafel.conf.settings --file src/casustafel/api/openapi.yaml --validate"
)


def test_committed_document_matches_the_code(tmp_path):
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", file=str(generated), validate=True)
    assert generated.read_text() == COMMITTED.read_text(), f"OpenAPI document is out of date: run {REGENERATE}"


def test_document_is_openapi_3_0_with_token_security():
    document = yaml.safe_load(COMMITTED.read_text())
    assert document["openapi"].startswith("3.0.")
    assert document["servers"][0]["url"].endswith("/api/v1")
    assert "knoxApiToken" in document["components"]["securitySchemes"]
    operation_ids = [op["operationId"] for path in document["paths"].values() for op in path.values()]
    assert len(operation_ids) == len(set(operation_ids))
    assert all(op == op.lower() for op in operation_ids)  # snake_case throughout
    for path in document["paths"]:
        assert path == path.lower() and not path.endswith("/") and "_" not in path


@pytest.mark.django_db
def test_schema_is_served_without_authentication(client):
    yaml_response = client.get("/api/v1/schema")
    assert yaml_response.status_code == 200
    assert yaml.safe_load(yaml_response.content)["openapi"].startswith("3.0.")
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json()["info"]["title"] == "Casustafel API"
    assert "/signals/{id}" in response.json()["paths"]


@pytest.mark.django_db
def test_document_is_served_from_the_committed_file_not_generated_per_request(client, monkeypatch):
    """Generating the document took about 90 ms per request: the committed file is what is served."""
    from drf_spectacular.generators import SchemaGenerator

    monkeypatch.setattr(SchemaGenerator, "get_schema", lambda *args, **kwargs: pytest.fail("generated per request"))
    served = client.get("/api/v1/schema")
    assert served.content == COMMITTED.read_bytes()
    assert served["Content-Type"] == "application/vnd.oai.openapi; charset=utf-8"
    committed = yaml.safe_load(COMMITTED.read_text())
    for response, content_type in (
        (client.get("/api/v1/openapi.json"), "application/json"),
        (client.get("/api/v1/schema", HTTP_ACCEPT="application/json"), "application/json"),
        (client.get("/api/v1/schema", HTTP_ACCEPT="application/yaml"), "application/yaml; charset=utf-8"),
        (client.get("/api/v1/schema?format=json"), "application/vnd.oai.openapi+json"),
    ):
        assert response.status_code == 200
        assert response["Content-Type"] == content_type
        parsed = yaml.safe_load(response.content) if "yaml" in content_type else json.loads(response.content)
        assert parsed == committed
    refused = client.post("/api/v1/openapi.json")
    assert refused.status_code == 405 and refused["Content-Type"] == "application/problem+json"


@pytest.mark.skipif(shutil.which("npx") is None, reason="npx (Node.js) is not on PATH: Spectral cannot run")
def test_document_passes_the_nl_api_design_rules_linter():
    result = subprocess.run(
        [str(REPO / "scripts" / "lint-openapi")], capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
