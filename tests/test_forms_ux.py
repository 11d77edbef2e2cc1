"""Issue 12 items 8 and 10: errors that show, and neutral forms.

A refused form shows an error summary at the top (role="alert", "Er is een probleem") with a
link to each field that has an error, and the message at the field itself (aria-invalid,
aria-describedby pointing at it). No form pre-selects a phenomenon, a source type, a
criterion assessment, a position (vote) or another judgement: an untouched form is refused
with a field error instead of recording a value the user never chose.
"""

from __future__ import annotations

import re
import uuid
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from casustafel.cases.forms import CaseTransitionForm
from casustafel.flow.services import send_to_weighing
from casustafel.governance.forms import DesignationForm, ObjectionHandleForm, WithheldForm
from casustafel.signals.forms import IntakeForm
from casustafel.signals.models import Signal
from casustafel.weighing.forms import ContributionForm
from casustafel.weighing.services import active_framework

from .helpers import login

pytestmark = pytest.mark.django_db


class _Page(HTMLParser):
    """The ids on a page, the attributes per id, and the links of the error summaries."""

    def __init__(self):
        super().__init__()
        self.attrs_by_id: dict[str, dict] = {}
        self.summary_links: list[str] = []
        self.summaries = 0
        self._in_summary = 0
        self._open: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.attrs_by_id[attrs["id"]] = {"tag": tag, **attrs}
        if "data-error-summary" in attrs:
            self.summaries += 1
            self._in_summary = 1
            assert attrs.get("role") == "alert"
        elif self._in_summary and tag == "div":
            self._in_summary += 1
        if self._in_summary and tag == "a":
            self.summary_links.append(attrs.get("href", ""))

    def handle_endtag(self, tag):
        if self._in_summary and tag == "div":
            self._in_summary -= 1


def assert_errors_show(html: str, fields: list[str]):
    """Every named field has a summary link that resolves, is marked invalid and described by its message."""
    page = _Page()
    page.feed(html)
    assert page.summaries >= 1 and "Er is een probleem" in html
    for link in page.summary_links:
        assert link.startswith("#") and link[1:] in page.attrs_by_id, f"summary link {link} points nowhere"
    for name in fields:
        target = next((link[1:] for link in page.summary_links if re.fullmatch(rf"#id_{name}(_0)?", link)), None)
        assert target, f"no summary link to {name}: {page.summary_links}"
        error_id = f"id_{name}_error"
        assert error_id in page.attrs_by_id, f"no message at field {name}"
        if target == f"id_{name}":  # a single control: marked and described by its message
            control = page.attrs_by_id[target]
            assert control.get("aria-invalid") == "true"
            assert error_id in control.get("aria-describedby", "").split()


def intake_post(**overrides):
    data = {
        "given_names": "Piet",
        "family_name": "Proefpersoon",
        "date_of_birth": "1998-03-02",
        "gender": "man",
        "municipality": "Lindeveld",
        "source_type": "school",
        "source_description": "Mentor",
        "phenomenon": "rechts_extremistisch",
        "facts": "Tekent symbolen op schoolspullen.",
        "urgency": "normaal",
        "submission": str(uuid.uuid4()),
        "legal_basis": "wet-pga",
        "classification": "ordinary",
        "visibility": "all_participants",
    }
    data.update(overrides)
    return data


def test_refused_intake_shows_the_summary_linking_each_field_and_the_message_at_the_field(client, region_a):
    login(client, region_a.users["intake"])
    response = client.post(reverse("signals:signal_create"), intake_post(facts="", bsn="123456789"))
    assert response.status_code == 400
    assert_errors_show(response.content.decode(), ["facts", "bsn"])
    assert not Signal.objects.exists()


def test_non_field_errors_are_in_the_summary(client, region_a):
    login(client, region_a.users["intake"])
    # A legal person without a name: the form's own check, reported at the field and in the summary.
    response = client.post(
        reverse("signals:signal_create"),
        intake_post(kind="legal_person", legal_name="", given_names="", family_name="", date_of_birth=""),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert_errors_show(html, ["legal_name"])


def test_help_text_id_matches_the_aria_describedby_django_sets(client, region_a):
    login(client, region_a.users["intake"])
    html = client.get(reverse("signals:signal_create")).content.decode()
    page = _Page()
    page.feed(html)
    facts = page.attrs_by_id["id_facts"]
    for described in facts.get("aria-describedby", "").split():
        assert described in page.attrs_by_id


# ---------------------------------------------------------------- item 10: neutral forms


def test_untouched_intake_records_no_phenomenon_or_source_type_but_is_refused(client, region_a):
    login(client, region_a.users["intake"])
    html = client.get(reverse("signals:signal_create")).content.decode()
    for name in ("phenomenon", "source_type"):
        select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
        assert not re.search(r'<option value="[^"]+"[^>]*selected', select), f"{name} has a pre-selected value"
        assert select.split("<option", 2)[1].startswith(' value=""')
    response = client.post(reverse("signals:signal_create"), intake_post(phenomenon="", source_type=""))
    assert response.status_code == 400
    assert_errors_show(response.content.decode(), ["phenomenon", "source_type"])
    assert not Signal.objects.exists()


def test_unclear_phenomenon_can_be_chosen_explicitly(client, region_a):
    login(client, region_a.users["intake"])
    response = client.post(reverse("signals:signal_create"), intake_post(phenomenon="gemengd_onduidelijk"))
    assert response.status_code == 302
    assert Signal.objects.get().phenomenon == "gemengd_onduidelijk"


def test_untouched_contribution_is_no_vote_to_include_and_no_assessment(client, region_a, signal_a):
    signal = send_to_weighing(region_a.users["intake"], signal=signal_a)
    login(client, region_a.users["weigher_om"])
    page = client.get(reverse("weighing:weighing_detail", args=[signal.weighing_id])).content.decode()
    select = re.search(r'<select name="view".*?</select>', page, re.S).group(0)
    assert not re.search(r'<option value="[^"]+"[^>]*selected', select)
    assert select.split("<option", 2)[1].startswith(' value=""')
    criteria = list(active_framework(region_a.region).criteria.all())
    assert criteria
    data = {"holds_information": "0", "view_rationale": "x", "legal_basis": "wet-pga"}
    data.update({f"reasons_{c.code}": "Onderbouwing." for c in criteria})
    response = client.post(reverse("weighing:weighing_contribute", args=[signal.weighing_id]), data)
    assert response.status_code == 400
    assert_errors_show(response.content.decode(), ["view", *(f"assessment_{c.code}" for c in criteria)])
    assert not signal.weighing.contributions.exists()


@pytest.mark.parametrize(
    "make_form, fields",
    [
        (lambda region: IntakeForm(organisation_kind="gemeente"), ["phenomenon", "source_type"]),
        (lambda region: ContributionForm(criteria=active_framework(region).criteria.all()), ["view", "assessment_*"]),
        (lambda region: WithheldForm(), ["data_category", "reason"]),
        (lambda region: ObjectionHandleForm(), ["outcome"]),
        (lambda region: DesignationForm(region_id=region.pk), ["designated"]),
    ],
    ids=["intake", "contribution", "withheld", "objection_outcome", "designation"],
)
def test_no_judgement_is_pre_selected_and_an_untouched_choice_is_refused(region_a, make_form, fields):
    form = make_form(region_a.region)
    names = [n for pattern in fields for n in form.fields if re.fullmatch(pattern.replace("*", ".+"), n)]
    assert names
    for name in names:
        field = form.fields[name]
        assert form[name].initial in (None, ""), f"{name} is pre-set"
        assert next(iter(field.choices))[0] == "", f"{name}: the first option is a real value"
        assert field.required
    bound = type(form)(data={}, **_kwargs(form, region_a))
    assert not bound.is_valid()
    for name in names:
        assert name in bound.errors


def _kwargs(form, region_a):
    if isinstance(form, ContributionForm):
        return {"criteria": active_framework(region_a.region).criteria.all()}
    if isinstance(form, DesignationForm):
        return {"region_id": region_a.region.pk}
    if isinstance(form, IntakeForm):
        return {"organisation_kind": "gemeente"}
    return {}


def test_case_transition_preselects_no_new_state(client, region_a, case_a):
    form = CaseTransitionForm(case=case_a)
    assert next(iter(form.fields["target"].choices))[0] == ""
    login(client, region_a.users["case_director"])
    response = client.post(reverse("cases:case_transition", args=[case_a.pk]), {"target": "", "reason": "x"})
    assert response.status_code == 400
    assert_errors_show(response.content.decode(), ["target"])


def test_untouched_objection_handling_is_refused_at_its_own_field(client, region_a, case_a):
    """Was a flash message and a redirect ("Kies de uitkomst en motiveer die."), with no field
    marked; now the page again, the summary linking to that objection's own outcome field."""
    from casustafel.governance.models import Objection

    from .factories import governance_objects

    objection = Objection.objects.get(pk=governance_objects(region_a, case=case_a)["objection"]["pk"])
    login(client, region_a.users["case_director"])
    page = client.get(reverse("governance:case_transparency", args=[case_a.pk])).content.decode()
    field_id = f"id_objection_{objection.pk.hex[:12]}_outcome"
    select = re.search(rf'<select name="outcome"[^>]*id="{field_id}".*?</select>', page, re.S).group(0)
    assert not re.search(r'<option value="[^"]+"[^>]*selected', select)
    response = client.post(reverse("governance:objection_handle", args=[objection.pk]), {"outcome_rationale": "x"})
    assert response.status_code == 400
    html = response.content.decode()
    assert f'href="#{field_id}"' in html and f'id="{field_id}_error"' in html
    objection.refresh_from_db()
    assert objection.status == Objection.RECEIVED


# ---------------------------------------------------------------- item 8: every page with a form


def _audit_objects(region_a, case_a, signal_a):
    from .factories import governance_objects

    signal = send_to_weighing(region_a.users["intake"], signal=signal_a)
    return {None: {}, "weighing": {"pk": signal.weighing_id}, "case": {"pk": case_a.pk}} | governance_objects(
        region_a, case=case_a
    )


#: route → (kwargs key, user): the forms of signals, weighing, cases, governance, accounts.
REFUSED_EMPTY = {
    "signals:signal_create": (None, "intake"),
    "weighing:weighing_contribute": ("weighing", "weigher_om"),
    "weighing:weighing_decide": ("weighing", "weigher_om"),
    "weighing:consultation_create": ("weighing", "weigher_politie"),
    "governance:weighing_withheld": ("weighing", "weigher_politie"),
    "cases:third_party_propose": ("case", "case_director"),
    "cases:case_add_participant": ("case", "case_director"),
    "cases:case_transition": ("case", "case_director"),
    "cases:case_transfer": ("case", "case_director"),
    "governance:case_transparency": ("case", "case_director"),
    "governance:objection_create": ("case", "case_director"),
    "governance:objection_handle": ("objection", "case_director"),
    "governance:restricted_create": (None, "mayor"),
    "governance:access_request_list": (None, "privacy_officer"),
    "governance:audit_create": (None, "privacy_officer"),
    "governance:privacy_coordination": (None, "privacy_officer"),
    "governance:rights_request_list": (None, "privacy_officer"),
}


@pytest.mark.parametrize("route", sorted(REFUSED_EMPTY))
def test_every_refused_empty_form_marks_the_fields_its_summary_names(route, client, region_a, case_a, signal_a):
    """Never "niet opgeslagen" without a marked field: an empty post is refused (400) and every
    link in the summary leads to a field on the page that carries its message."""
    objects = _audit_objects(region_a, case_a, signal_a)
    kwargs_key, user_key = REFUSED_EMPTY[route]
    login(client, region_a.users[user_key])
    # A browser always sends the CSRF token: the post is never empty (``request.POST or None``).
    response = client.post(reverse(route, kwargs=objects[kwargs_key]), {"csrfmiddlewaretoken": "t"})
    assert response.status_code == 400
    html = response.content.decode()
    page = _Page()
    page.feed(html)
    assert page.summaries >= 1, "refused without an error summary"
    for link in page.summary_links:
        target = link[1:]
        assert target in page.attrs_by_id, f"summary link {link} points nowhere"
        field_id = re.sub(r"_0$", "", target) if f"{re.sub(r'_0$', '', target)}_error" in page.attrs_by_id else target
        assert f"{field_id}_error" in page.attrs_by_id, f"no message at the field of {link}"


def test_the_gender_can_be_recorded_as_unknown_explicitly(client, region_a):
    """An unknown gender is a choice of its own ("unknown"), not "Anders" and not a default."""
    login(client, region_a.users["intake"])
    html = client.get(reverse("signals:signal_create")).content.decode()
    select = re.search(r'<select name="gender".*?</select>', html, re.S).group(0)
    assert not re.search(r'<option value="[^"]+"[^>]*selected', select)
    assert '<option value="unknown">Onbekend</option>' in select
    response = client.post(reverse("signals:signal_create"), intake_post(gender=""))
    assert response.status_code == 400 and "gender" in response.context["form"].errors
    response = client.post(reverse("signals:signal_create"), intake_post(gender="unknown"))
    assert response.status_code == 302
    assert Signal.objects.get().subject.gender == "unknown"
