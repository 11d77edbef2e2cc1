"""The facts of the council and quarterly report (raadsrapportage, issue 13 item 3).

Each fact counts units of one kind — a signal, a case, an intervention, a goal score, a
closure, a check-in — once, on the day that puts it in a quarter, with the codes of its
dimensions. The reporting core (``reporting.cube``) turns the rows into protected figures
per gemeente, region and nation; nothing here is published directly.

Flows are counted as cohorts: the signals *received* in the period and what became of them,
the cases *opened* in the period and their state now. A cohort sums over quarters, which
is what the core's suppression needs (a stock "on the last day" would not: ADR 0041).

Every row function reads with one query, whatever the number of persons, and yields codes
only — never a name, a date of birth or a free text of a case.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casustafel.accounts.models import OrganisationKind
from casustafel.cases import states as case_states
from casustafel.cases.models import Case, CaseTransition, ClosureReason
from casustafel.plans.models import CheckIn, Contact, GoalScore, Instrument, Intervention, LifeDomain, Review
from casustafel.plans.selectors import GROUP_LABELS
from casustafel.reporting.facts import Dimension, Fact, register
from casustafel.signals import states as signal_states
from casustafel.signals.models import Phenomenon, Signal, SignalTransition, SourceType
from casustafel.weighing.models import Decision, DecisionStatus, Outcome, ReferralTarget

SUBJECT_GEMEENTE = "subject__municipality_organisation__municipality_code"

# -- dimensions ---------------------------------------------------------------------------

NOT_WEIGHED, IN_WEIGHING = "nog_niet_gewogen", "in_weging"
INCLUDED, REFERRED, NO_ACTION = "opgenomen", "doorverwezen", "geen_actie"

#: A signal's state → where it stands in the flow from signal to outcome.
SIGNAL_OUTCOME_OF_STATE = {
    signal_states.RECEIVED: NOT_WEIGHED,
    signal_states.IN_PREPARATION: NOT_WEIGHED,
    signal_states.IN_WEIGHING: IN_WEIGHING,
    signal_states.MORE_INFORMATION: IN_WEIGHING,
    signal_states.INCLUDED: INCLUDED,
    signal_states.REFERRED: REFERRED,
    signal_states.NO_ACTION: NO_ACTION,
}

SIGNAL_OUTCOME = Dimension(
    "uitkomst",
    _("Uitkomst"),
    (
        (NOT_WEIGHED, _("Nog niet gewogen")),
        (IN_WEIGHING, _("In weging")),
        (INCLUDED, _("Opgenomen in de PGA")),
        (REFERRED, _("Doorverwezen")),
        (NO_ACTION, _("Geen actie")),
    ),
)
SOURCE_TYPE = Dimension("soort_bron", _("Soort bron"), tuple(SourceType.choices))
PHENOMENON = Dimension("fenomeen", _("Fenomeen"), tuple(Phenomenon.choices))
REFERRAL = Dimension(
    "doorverwezen_naar", _("Doorverwezen naar"), (*ReferralTarget.choices, ("onbekend", _("Onbekend")))
)

UNDER_2_WEEKS, FROM_2_TO_6_WEEKS, OVER_6_WEEKS, PENDING = (
    "minder_dan_2_weken",
    "2_tot_6_weken",
    "meer_dan_6_weken",
    "nog_geen_besluit",
)
#: Time from signal to decision in bands: counts, so each band is suppressible like any cell
#: (a median of a handful of signals would reveal them; there is none).
DECISION_TIME = Dimension(
    "doorlooptijd",
    _("Tijd van signaal tot besluit"),
    (
        (UNDER_2_WEEKS, _("Minder dan 2 weken")),
        (FROM_2_TO_6_WEEKS, _("2 tot 6 weken")),
        (OVER_6_WEEKS, _("Meer dan 6 weken")),
        (PENDING, _("Nog geen besluit")),
    ),
)
CASE_STATE = Dimension("status", _("Status"), tuple(case_states.CASE_MACHINE.labels.items()))
OTHER_GROUP = "overig"
INTERVENTION_CATEGORY = Dimension(
    "categorie", _("Categorie"), (*GROUP_LABELS.items(), (OTHER_GROUP, _("Overige maatregelen")))
)
ORGANISATION_KIND = Dimension("soort_organisatie", _("Bevoegde organisatie"), tuple(OrganisationKind.choices))
DELIVERED, NOT_DELIVERED = "geleverd", "niet_geleverd"
DELIVERY = Dimension(
    "levering",
    _("Levering"),
    ((DELIVERED, _("Geleverd (contact gehouden)")), (NOT_DELIVERED, _("Gepland, nog geen contact"))),
)
CLOSURE_REASON = Dimension("reden_afsluiting", _("Reden van afsluiting"), tuple(ClosureReason.choices))
LIFE_DOMAIN = Dimension("leefgebied", _("Leefgebied"), tuple(LifeDomain.choices))
IMPROVED, SAME, WORSE, FIRST = "verbeterd", "gelijk", "verslechterd", "eerste_meting"
PROGRESS = Dimension(
    "voortgang",
    _("Voortgang"),
    ((IMPROVED, _("Verbeterd")), (SAME, _("Gelijk gebleven")), (WORSE, _("Verslechterd")), (FIRST, _("Eerste meting"))),
)
NO_INSTRUMENT = "geen"
INSTRUMENT = Dimension(
    "instrument", _("Instrument"), (*Instrument.choices, (NO_INSTRUMENT, _("Zonder gestructureerd instrument")))
)
NEW_CONCERNS, NO_NEW_CONCERNS = "nieuwe_zorgen", "geen_nieuwe_zorgen"
CHECKIN_RESULT = Dimension(
    "nazorg",
    _("Uitkomst nazorgcontact"),
    ((NEW_CONCERNS, _("Nieuwe zorgen")), (NO_NEW_CONCERNS, _("Geen nieuwe zorgen"))),
)


def _gemeente(code: str | None) -> str | None:
    return code or None


def _in_period(field: str, start: date, end: date) -> Q:
    return Q(**{f"{field}__gte": start, f"{field}__lte": end})


# -- the flow from signal to outcome --------------------------------------------------------


def _signals(region, start: date, end: date):
    return Signal.objects.filter(_in_period("registered_at__date", start, end), region=region)


def signal_flow_by_source_rows(region, start: date, end: date) -> Iterator[tuple]:
    """The signals received in the period by source type and where they stand now."""
    rows = _signals(region, start, end).values_list(SUBJECT_GEMEENTE, "registered_at__date", "source_type", "status")
    for gemeente, day, source_type, status in rows:
        yield _gemeente(gemeente), day, source_type, SIGNAL_OUTCOME_OF_STATE[status]


def signal_flow_by_phenomenon_rows(region, start: date, end: date) -> Iterator[tuple]:
    """The signals received in the period by phenomenon and where they stand now."""
    rows = _signals(region, start, end).values_list(SUBJECT_GEMEENTE, "registered_at__date", "phenomenon", "status")
    for gemeente, day, phenomenon, status in rows:
        yield _gemeente(gemeente), day, phenomenon, SIGNAL_OUTCOME_OF_STATE[status]


def referral_rows(region, start: date, end: date) -> Iterator[tuple]:
    """The referred signals received in the period, by where the weegploeg referred them
    (the referral target of the decision in effect on their weighing)."""
    target = (
        Decision.objects.filter(weighing=OuterRef("weighing"), status=DecisionStatus.IN_EFFECT, outcome=Outcome.REFER)
        .order_by("-decided_at")
        .values("referral_target")[:1]
    )
    rows = (
        _signals(region, start, end)
        .filter(status=signal_states.REFERRED)
        .annotate(target=Subquery(target))
        .values_list(SUBJECT_GEMEENTE, "registered_at__date", "target")
    )
    for gemeente, day, referral_target in rows:
        yield _gemeente(gemeente), day, referral_target or "onbekend"


def decision_time_band(days: int | None) -> str:
    if days is None:
        return PENDING
    if days < 14:
        return UNDER_2_WEEKS
    if days <= 42:
        return FROM_2_TO_6_WEEKS
    return OVER_6_WEEKS


def decision_time_rows(region, start: date, end: date) -> Iterator[tuple]:
    """The signals received in the period by the time until the weegploeg's decision on them
    (the signal's move to included, referred or no action), in bands."""
    concluded = (
        SignalTransition.objects.filter(
            signal=OuterRef("pk"), target__in=(signal_states.INCLUDED, signal_states.REFERRED, signal_states.NO_ACTION)
        )
        .order_by("at")
        .values("at")[:1]
    )
    rows = (
        _signals(region, start, end)
        .annotate(concluded_at=Subquery(concluded))
        .values_list(SUBJECT_GEMEENTE, "registered_at", "concluded_at")
    )
    for gemeente, registered_at, concluded_at in rows:
        days = None if concluded_at is None else (concluded_at - registered_at) // timedelta(days=1)
        yield _gemeente(gemeente), _local_day(registered_at), decision_time_band(days)


def _local_day(moment) -> date:
    return timezone.localdate(moment)


# -- cases ------------------------------------------------------------------------------------


def cases_by_state_rows(region, start: date, end: date) -> Iterator[tuple]:
    """The cases opened in the period, by their state now."""
    rows = Case.objects.filter(_in_period("opened_at__date", start, end), region=region).values_list(
        SUBJECT_GEMEENTE, "opened_at__date", "status"
    )
    for gemeente, day, status in rows:
        yield _gemeente(gemeente), day, status


def closure_reason_rows(region, start: date, end: date) -> Iterator[tuple]:
    """Each closure of a case in the period, by its reason (a case closed, reopened and closed
    again counts twice: the unit is the closure)."""
    rows = CaseTransition.objects.filter(
        _in_period("at__date", start, end), case__region=region, target=case_states.CLOSED
    ).values_list(f"case__{SUBJECT_GEMEENTE}", "at__date", "closure_reason")
    for gemeente, day, reason in rows:
        yield _gemeente(gemeente), day, reason or ClosureReason.OTHER


# -- interventions ----------------------------------------------------------------------------


def _interventions(region, start: date, end: date):
    held = Contact.objects.filter(intervention=OuterRef("pk"), held=True)
    return (
        Intervention.objects.filter(_in_period("starts_on", start, end), plan__case__region=region)
        .annotate(delivered=Exists(held))
        .values_list(f"plan__case__{SUBJECT_GEMEENTE}", "starts_on", "entry__group", "organisation__kind", "delivered")
    )


def _delivery(delivered: bool) -> str:
    return DELIVERED if delivered else NOT_DELIVERED


def interventions_by_category_rows(region, start: date, end: date) -> Iterator[tuple]:
    """The interventions planned to start in the period, by catalogue category, delivered
    (at least one contact held) or not: the total is what was planned."""
    for gemeente, day, group, _kind, delivered in _interventions(region, start, end):
        category = group if group in GROUP_LABELS else OTHER_GROUP
        yield _gemeente(gemeente), day, category, _delivery(delivered)


def interventions_by_organisation_rows(region, start: date, end: date) -> Iterator[tuple]:
    """The interventions planned to start in the period, by the kind of the competent
    (carrying) organisation, delivered or not."""
    for gemeente, day, _group, kind, delivered in _interventions(region, start, end):
        yield _gemeente(gemeente), day, kind, _delivery(delivered)


# -- progress and the qualitative section -----------------------------------------------------


def progress_direction(previous: int | None, score: int) -> str:
    if previous is None:
        return FIRST
    if score > previous:
        return IMPROVED
    if score < previous:
        return WORSE
    return SAME


def progress_rows(region, start: date, end: date) -> Iterator[tuple]:
    """Each goal scored at a review held in the period, by life domain, compared with the
    goal's previous score (improved, the same, worse; or its first measurement)."""
    previous = (
        GoalScore.objects.filter(goal=OuterRef("goal"))
        .filter(
            Q(review__held_on__lt=OuterRef("review__held_on"))
            | Q(review__held_on=OuterRef("review__held_on"), review__created_at__lt=OuterRef("review__created_at"))
        )
        .order_by("-review__held_on", "-review__created_at")
        .values("score")[:1]
    )
    rows = (
        GoalScore.objects.filter(_in_period("review__held_on", start, end), review__plan__case__region=region)
        .annotate(previous=Subquery(previous))
        .values_list(f"review__plan__case__{SUBJECT_GEMEENTE}", "review__held_on", "goal__domain", "previous", "score")
    )
    for gemeente, day, domain, before, score in rows:
        yield _gemeente(gemeente), day, domain, progress_direction(before, score)


def review_instrument_rows(region, start: date, end: date) -> Iterator[tuple]:
    """The reviews held in the period by the structured instrument their judgement used —
    the structured part of the progress narrative (its text is never read)."""
    rows = Review.objects.filter(_in_period("held_on", start, end), plan__case__region=region).values_list(
        f"plan__case__{SUBJECT_GEMEENTE}", "held_on", "instrument"
    )
    for gemeente, day, instrument in rows:
        yield _gemeente(gemeente), day, instrument or NO_INSTRUMENT


def checkin_rows(region, start: date, end: date) -> Iterator[tuple]:
    """The check-ins after closure held in the period: new concerns or not."""
    rows = CheckIn.objects.filter(
        _in_period("done_on", start, end), case__region=region, new_concerns__isnull=False
    ).values_list(f"case__{SUBJECT_GEMEENTE}", "done_on", "new_concerns")
    for gemeente, day, concerns in rows:
        yield _gemeente(gemeente), day, NEW_CONCERNS if concerns else NO_NEW_CONCERNS


# -- registration -----------------------------------------------------------------------------

SIGNALS_BY_SOURCE = register(
    Fact(
        "council_signals_by_source",
        _("Signalen naar soort bron en uitkomst"),
        (SOURCE_TYPE, SIGNAL_OUTCOME),
        signal_flow_by_source_rows,
        population="signals",
    )
)
SIGNALS_BY_PHENOMENON = register(
    Fact(
        "council_signals_by_phenomenon",
        _("Signalen naar fenomeen en uitkomst"),
        (PHENOMENON, SIGNAL_OUTCOME),
        signal_flow_by_phenomenon_rows,
        population="signals",
    )
)
REFERRALS = register(Fact("council_referrals", _("Doorverwezen signalen naar bestemming"), (REFERRAL,), referral_rows))
DECISION_TIMES = register(
    Fact("council_decision_time", _("Tijd van signaal tot besluit"), (DECISION_TIME,), decision_time_rows)
)
CASES_BY_STATE = register(
    Fact("council_cases_by_state", _("Geopende casussen naar huidige status"), (CASE_STATE,), cases_by_state_rows)
)
INTERVENTIONS_BY_CATEGORY = register(
    Fact(
        "council_interventions_by_category",
        _("Interventies naar categorie: gepland en geleverd"),
        (INTERVENTION_CATEGORY, DELIVERY),
        interventions_by_category_rows,
        population="interventions",
    )
)
INTERVENTIONS_BY_ORGANISATION = register(
    Fact(
        "council_interventions_by_organisation",
        _("Interventies naar bevoegde organisatie: gepland en geleverd"),
        (ORGANISATION_KIND, DELIVERY),
        interventions_by_organisation_rows,
        population="interventions",
    )
)
CLOSURE_REASONS = register(
    Fact("council_closure_reasons", _("Afgesloten casussen naar reden"), (CLOSURE_REASON,), closure_reason_rows)
)
PROGRESS = register(Fact("council_progress", _("Voortgang per leefgebied"), (LIFE_DOMAIN, PROGRESS), progress_rows))
REVIEW_INSTRUMENTS = register(
    Fact("council_review_instruments", _("Evaluaties naar instrument"), (INSTRUMENT,), review_instrument_rows)
)
CHECKINS = register(Fact("council_checkins", _("Nazorgcontacten na afsluiting"), (CHECKIN_RESULT,), checkin_rows))

#: The council report's own facts, in the order of its sections.
COUNCIL_FACTS = (
    SIGNALS_BY_SOURCE,
    SIGNALS_BY_PHENOMENON,
    REFERRALS,
    DECISION_TIMES,
    CASES_BY_STATE,
    INTERVENTIONS_BY_CATEGORY,
    INTERVENTIONS_BY_ORGANISATION,
    CLOSURE_REASONS,
    PROGRESS,
    REVIEW_INSTRUMENTS,
    CHECKINS,
)
