"""Provenance on the wire: per-role field allowlists (a new field must be added here on
purpose), shielding per item, basis refusals and the NCTV gate."""

from __future__ import annotations

import pytest

from casustafel.access.policy import Visibility
from casustafel.signals.models import Signal
from casustafel.weighing.models import Contribution
from casustafel.weighing.services import submit_contribution

from ..factories import USER_SPECS, OrganisationFactory, contribution
from .conftest import API, assert_problem, contribution_body, signal_body

pytestmark = pytest.mark.django_db


def key_paths(value, prefix="") -> set[str]:
    """Every key of a JSON document as a dotted path (``[]`` for list items)."""
    out = set()
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            out.add(path)
            out |= key_paths(item, path)
    elif isinstance(value, list):
        for item in value:
            out |= key_paths(item, f"{prefix}[]")
    return out


SUBJECT = {"given_names", "family_name", "date_of_birth", "gender", "municipality", "masked_bsn", "id"} | {
    # Legal persons (art. 2 Wet PGA).
    "kind",
    "legal_name",
    "kvk_number",
    "rsin",
    "establishment_place",
}
LEGAL_BASIS = {"code", "label", "to_be_confirmed"}

SIGNAL_KEYS = frozenset(
    {
        "id",
        "reference",
        "status",
        "subject",
        # The way in (art. 5 lid 1–2): aanmelding or melding, its addressee and reporter.
        "intake_route",
        "addressed_to",
        "reporter_kind",
        "reporter_name",
        "reporter_contact",
        "source_type",
        "source_description",
        "phenomenon",
        "facts",
        "opinions",
        "counter_indications",
        "online_component",
        "urgency",
        "observed_on",
        "escalated_to_police",
        "escalated_to_police_at",
        "weighing",
        "registered_by_organisation",
        "registered_at",
        "legal_basis",
        "classification",
        "visibility",
        "data_category",
        "shielded",
        "shielded_note",
    }
    | {f"subject.{k}" for k in SUBJECT}
    | {f"legal_basis.{k}" for k in LEGAL_BASIS}
)

CONTRIBUTION = {
    "id",
    "party",
    "organisation",
    "contributor",
    "holds_information",
    "information",
    "view",
    "view_rationale",
    "assessments",
    "updated_at",
    "legal_basis",
    "classification",
    "visibility",
    "data_category",
    "shielded",
    "shielded_note",
    # The edit version a stale If-Match is compared with (ADR 0052); a counter, no content.
    "version",
}
WEIGHING_KEYS = frozenset(
    {
        "id",
        "reference",
        "status",
        "subject",
        "framework",
        "signals",
        "contributions",
        "missing_parties",
        "decisions",
        "opened_at",
        "signals_changed_at",
        "information_deadline",
        # Art. 5 lid 3: the consultations of the other participants (none in this fixture).
        "consultations",
    }
    | {f"subject.{k}" for k in SUBJECT}
    | {
        "framework.id",
        "framework.version",
        "framework.name",
        "framework.valid_from",
        "framework.criteria",
        "framework.criteria[].code",
        "framework.criteria[].label",
        "framework.criteria[].guidance",
    }
    | {"signals[].id", "signals[].reference", "signals[].status"}
    | {f"contributions[].{k}" for k in CONTRIBUTION}
    | {f"contributions[].legal_basis.{k}" for k in LEGAL_BASIS}
    | {
        "contributions[].assessments[].criterion",
        "contributions[].assessments[].assessment",
        "contributions[].assessments[].reasons",
    }
)
SIGNAL_SIDE = {"intake", "weigher_gemeente", "weigher_politie", "weigher_om"}

#: role → the committed set of keys it receives (None: "not found").
SIGNAL_ALLOWLIST = {role: SIGNAL_KEYS if role in SIGNAL_SIDE else None for role in USER_SPECS}
WEIGHING_ALLOWLIST = {role: WEIGHING_KEYS if role in SIGNAL_SIDE else None for role in USER_SPECS}


@pytest.fixture
def contributed(region_a, weighing_a):
    """The weighing with all three contributions, the police's shielded for origin and mayor."""
    for key in ("weigher_gemeente", "weigher_om"):
        submit_contribution(region_a.users[key], weighing=weighing_a, data=contribution(region_a.region))
    submit_contribution(
        region_a.users["weigher_politie"],
        weighing=weighing_a,
        data=contribution(
            region_a.region, legal_basis="wpg-20", classification="criminal_law", visibility=Visibility.ORIGIN_AND_MAYOR
        ),
    )
    Contribution.objects.filter(party="politie").update(information="Geheim politiedetail")
    return weighing_a


@pytest.mark.parametrize("role", sorted(USER_SPECS))
def test_signal_field_allowlist_per_role(api, region_a, signal_a, role):
    response = api(region_a.users[role]).get(f"{API}/signals/{signal_a.pk}")
    expected = SIGNAL_ALLOWLIST[role]
    if expected is None:
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        assert key_paths(response.json()) == expected


@pytest.mark.parametrize("role", sorted(USER_SPECS))
def test_weighing_field_allowlist_per_role(api, region_a, contributed, role):
    response = api(region_a.users[role]).get(f"{API}/weighings/{contributed.pk}")
    expected = WEIGHING_ALLOWLIST[role]
    if expected is None:
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        assert key_paths(response.json()) == expected


def test_shielded_contribution_in_the_api(api, region_a, contributed):
    def police(user):
        body = api(user).get(f"{API}/weighings/{contributed.pk}").json()
        return next(c for c in body["contributions"] if c["party"] == "politie")

    other = police(region_a.users["weigher_om"])
    assert other["shielded"] is True
    assert other["information"] is None and other["assessments"] is None and other["view"] is None
    assert other["shielded_note"] == "afgeschermd: alleen zichtbaar voor politie a en de burgemeester"
    assert other["legal_basis"]["code"] == "wpg-20" and other["classification"] == "criminal_law"
    own = police(region_a.users["weigher_politie"])
    assert own["shielded"] is False and own["information"] == "Geheim politiedetail"


def test_signal_provenance_is_recorded_and_returned(api, region_a):
    response = api(region_a.users["weigher_politie"]).post(
        f"{API}/signals",
        signal_body(legal_basis="wpg-20", classification="criminal_law", visibility="core_parties"),
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["legal_basis"]["code"] == "wpg-20"
    assert (body["classification"], body["visibility"], body["shielded"]) == ("criminal_law", "core_parties", False)


@pytest.mark.parametrize(
    "user, overrides, field",
    [
        ("intake", {"legal_basis": "wpg-18-2-pga"}, "legal_basis"),
        ("intake", {"legal_basis": "avg-6-1e"}, "legal_basis"),
        ("intake", {"classification": "sexual_orientation"}, "classification"),
        ("intake", {"data_category": "social_relations", "visibility": "all_participants"}, "visibility"),
        ("weigher_politie", {"data_category": "police_data", "legal_basis": "wet-pga"}, "data_category"),
        ("intake", {"legal_basis": "bestaat-niet"}, "legal_basis"),
        ("weigher_politie", {"classification": "ambtsbericht"}, "classification"),
    ],
)
def test_signal_basis_refusals(api, region_a, user, overrides, field):
    response = api(region_a.users[user]).post(f"{API}/signals", signal_body(**overrides), format="json")
    assert_problem(response, 400, field)


def test_signal_without_basis_is_refused(api, region_a):
    body = signal_body()
    del body["legal_basis"]
    assert_problem(api(region_a.users["intake"]).post(f"{API}/signals", body, format="json"), 400, "legal_basis")


def test_contribution_basis_refusal(api, region_a, weighing_a):
    response = api(region_a.users["weigher_om"]).post(
        f"{API}/weighings/{weighing_a.pk}/contributions",
        contribution_body(weighing_a, legal_basis="avg-6-1e", classification="criminal_law"),
        format="json",
    )
    assert_problem(response, 400, "legal_basis")
    assert not weighing_a.contributions.exists()


def test_nctv_gate_in_the_api(api, region_a, case_a):
    """The NCTV is a third party (art. 3 lid 3) that also needs its legal basis (Twbmt, Paspoortwet)."""
    nctv = OrganisationFactory(region=region_a.region, kind="nctv", name="NCTV a")
    client = api(region_a.users["case_director"])
    url = f"{API}/cases/{case_a.pk}/third-parties"
    body = {
        "organisation": str(nctv.pk),
        "expertise": "Maatregel",
        "plan_roles": ["carrying_out"],
        "necessary_data": ["plan_of_action"],
    }
    assert_problem(client.post(url, body, format="json"), 400, "legal_basis")
    response = client.post(url, {**body, "legal_basis": "twbmt"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["legal_basis"]["code"] == "twbmt"


def test_refused_special_category_names_the_article_in_the_api_art_8(api, region_a):
    """Art. 8: a special category the law does not permit is a problem+json 400 naming the field."""
    response = api(region_a.users["intake"]).post(
        f"{API}/signals", signal_body(classification="genetic"), format="json"
    )
    body = assert_problem(response, 400, "classification")
    reason = next(p["reason"] for p in body["invalidParams"] if p["name"] == "classification")
    assert "art. 8 Wet PGA" in reason
    assert not Signal.objects.exists()


def test_art_4_category_over_the_api_with_narrower_default_for_h(api, region_a):
    """Art. 4 h: without a chosen visibility, social-relations data are for the core parties only."""
    body = signal_body(data_category="social_relations")
    body.pop("visibility", None)
    response = api(region_a.users["intake"]).post(f"{API}/signals", body, format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["data_category"], response.json()["visibility"]) == ("social_relations", "core_parties")
    response = api(region_a.users["intake"]).post(f"{API}/signals", signal_body(), format="json")
    assert response.json()["data_category"] == "signals"
