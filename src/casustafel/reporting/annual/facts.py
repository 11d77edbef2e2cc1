"""The facts of the annual report of Wet PGA art. 18 (issue 13 item 2).

Art. 18 lid 1: a casusoverleg reports yearly on "de effectiviteit en bruikbaarheid van de
uitgewisselde gegevens". Each fact below counts one kind of unit of exchanged data, once, with
the day that decides its quarter; the reporting core (``reporting.cube``) protects the counts
(small numbers "< 5", complementary suppression) before anything is shown.

Which data, from whom (art. 4 a–h × kind of organisation), how often a contribution was
decisive (its view became the eensluidende beoordeling of art. 5 lid 3) or corrected (art. 10),
how often data were withheld for weighty reasons (art. 4 aanhef), transfers to another table
and objections against them (art. 7), the person's objections, informing and its exceptions
(art. 11), retention actions (art. 9).

The dimension is the organisation's *kind*, never its name (ADR 0040): a name of a small
participant would single out its few professionals, and kinds add up across regions for a
joint report and the national aggregate. Every unit is one database row (or one party of a
decision's basis); no fact reads a name, a text or an encrypted field.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casustafel.accounts.models import CORE_PARTY_KINDS, OrganisationKind, Region
from casustafel.cases.models import CaseTransfer, TransferObjection, TransferStatus
from casustafel.corrections.models import Correction
from casustafel.governance import informing
from casustafel.governance.models import (
    GROUND_NOT_RECORDED,
    DataCategory,
    InformingDecision,
    InformingOutcome,
    Objection,
    WithheldData,
)
from casustafel.journal.models import EntryKind, JournalEntry
from casustafel.plans.models import Contact
from casustafel.reporting.facts import Dimension, Fact, register
from casustafel.retention.models import DestructionItem, DestructionRun, LegalHold, NecessityOutcome, NecessityReview
from casustafel.weighing.models import Contribution, DecisionStatus
from casustafel.weighing.models import Decision as WeighingDecision

# ------------------------------------------------------------------------------ dimensions

CATEGORY = Dimension("category", _("Categorie gegevens (art. 4)"), tuple(DataCategory.choices))
ORGANISATION_KIND = Dimension("organisation_kind", _("Soort organisatie"), tuple(OrganisationKind.choices))
CORE_PARTY = Dimension("party", _("Partij van de weegploeg"), tuple((k.value, k.label) for k in CORE_PARTY_KINDS))

DECISIVE, OTHER_VIEW, NO_INFORMATION = "decisive", "other_view", "no_information"
EFFECT = Dimension(
    "effect",
    _("Inbreng en besluit"),
    (
        (DECISIVE, _("Bepalend: standpunt werd het eensluidende besluit")),
        (OTHER_VIEW, _("Ander standpunt dan het besluit")),
        (NO_INFORMATION, _("Geen informatie bij de organisatie")),
    ),
)

ITEM_SIGNAL, ITEM_CONTRIBUTION, ITEM_OTHER = "signal", "contribution", "other"
CORRECTED_ITEM = Dimension(
    "item",
    _("Gecorrigeerd gegeven"),
    ((ITEM_SIGNAL, _("Signaal")), (ITEM_CONTRIBUTION, _("Inbreng in een weging")), (ITEM_OTHER, _("Ander gegeven"))),
)

OUTGOING, INCOMING = "outgoing", "incoming"
DIRECTION = Dimension(
    "direction",
    _("Richting"),
    ((OUTGOING, _("Naar een andere casustafel")), (INCOMING, _("Van een andere casustafel"))),
)
TRANSFER_STATUS = Dimension("status", _("Afloop"), tuple(TransferStatus.choices))

OBJECTION_OPEN = "open"
OBJECTION_STATE = Dimension(
    "state", _("Stand van het bezwaar"), ((OBJECTION_OPEN, _("In behandeling")), *Objection.Outcome.choices)
)

GROUND_NONE = "none"


def _ground_categories() -> tuple[tuple[str, str], ...]:
    """The interests of art. 41 lid 1 UAVG of every version of the grounds file, once each."""
    seen: dict[str, str] = {}
    for version in informing.grounds_versions():
        for code, letter, label in version.grounds:
            seen.setdefault(code, f"{letter}. {label}")
    return (
        (GROUND_NONE, _("Geen uitzondering (geïnformeerd)")),
        *seen.items(),
        (GROUND_NOT_RECORDED, _("Niet vastgelegd (besluit van vóór de Wet PGA)")),
    )


INFORMING_GROUND = Dimension("ground", _("Belang (art. 41 lid 1 UAVG)"), _ground_categories())
INFORMING_OUTCOME = Dimension("outcome", _("Besluit over informeren"), tuple(InformingOutcome.choices))

RECORD_KIND = Dimension("kind", _("Soort gegeven"), tuple(DestructionItem._meta.get_field("kind").choices))
DESTRUCTION_RESULT = Dimension(
    "result",
    _("Resultaat"),
    tuple((code, label) for code, label in DestructionItem.RESULT_CHOICES if code != DestructionItem.PENDING),
)

NECESSITY_STILL, NECESSITY_NO_LONGER, HOLD_PLACED, HOLD_LIFTED = (
    "necessity_still",
    "necessity_no_longer",
    "hold_placed",
    "hold_lifted",
)
RETENTION_ACTION = Dimension(
    "action",
    _("Handeling"),
    (
        (NECESSITY_STILL, _("Noodzaaktoets: nog noodzakelijk")),
        (NECESSITY_NO_LONGER, _("Noodzaaktoets: niet langer noodzakelijk")),
        (HOLD_PLACED, _("Juridische blokkade geplaatst")),
        (HOLD_LIFTED, _("Juridische blokkade opgeheven")),
    ),
)


# ------------------------------------------------------------------------------ helpers


def _day(moment: datetime | date) -> date:
    return timezone.localdate(moment) if isinstance(moment, datetime) else moment


def _window(field: str, start: date, end: date) -> dict:
    """A filter for ``field`` (a date or a datetime, compared on the local date) within [start, end]."""
    return {f"{field}__date__gte": start, f"{field}__date__lte": end}


def _gemeente(code: str | None) -> str | None:
    return code or None


# The gemeente of a row: the CBS code of the gemeente van verblijf's organisation (art. 1).
SUBJECT_GEMEENTE = "subject__municipality_organisation__municipality_code"


# ------------------------------------------------------------------------------ facts


def weighing_data_rows(region: Region, start: date, end: date) -> Iterator[tuple]:
    """One row per contribution to a weighing that held information (art. 4, art. 5 lid 3),
    dated by its last change: (gemeente, day, party, art. 4 category)."""
    rows = Contribution.objects.filter(
        weighing__region=region, holds_information=True, **_window("updated_at", start, end)
    ).values_list(f"weighing__{SUBJECT_GEMEENTE}", "updated_at", "party", "data_category")
    for gemeente, moment, party, category in rows:
        yield _gemeente(gemeente), _day(moment), party, category


def plan_data_rows(region: Region, start: date, end: date) -> Iterator[tuple]:
    """One row per update in a case journal (its art. 4 category) and per contact held within
    an intervention of a plan (art. 4 e, by the carrying organisation), art. 6 lid 1–2:
    (gemeente, day, organisation kind, art. 4 category)."""
    entries = JournalEntry.objects.filter(
        case__region=region, kind=EntryKind.UPDATE, **_window("created_at", start, end)
    ).values_list(f"case__{SUBJECT_GEMEENTE}", "created_at", "organisation__kind", "data_category")
    for gemeente, moment, kind, category in entries:
        yield _gemeente(gemeente), _day(moment), kind, category
    contacts = Contact.objects.filter(
        intervention__plan__case__region=region, held=True, date__gte=start, date__lte=end
    ).values_list(f"intervention__plan__case__{SUBJECT_GEMEENTE}", "date", "intervention__organisation__kind")
    for gemeente, day, kind in contacts:
        yield _gemeente(gemeente), day, kind, DataCategory.PLAN_OF_ACTION.value


def contribution_effect_rows(region: Region, start: date, end: date) -> Iterator[tuple]:
    """One row per core party per eensluidend decision that took effect (art. 5 lid 3), from the
    decision's own snapshot of the contributions it was based on: (gemeente, day, party, effect).
    Decisive: the party held information and its view is the decision's outcome."""
    decisions = WeighingDecision.objects.filter(
        weighing__region=region, status=DecisionStatus.IN_EFFECT, **_window("effective_at", start, end)
    ).values_list(f"weighing__{SUBJECT_GEMEENTE}", "effective_at", "outcome", "basis")
    for gemeente, moment, outcome, basis in decisions:
        for party, contribution in (basis or {}).items():
            if party not in CORE_PARTY_KINDS:
                continue
            if not contribution.get("holds_information"):
                effect = NO_INFORMATION
            elif contribution.get("view") == outcome:
                effect = DECISIVE
            else:
                effect = OTHER_VIEW
            yield _gemeente(gemeente), _day(moment), party, effect


def correction_rows(region: Region, start: date, end: date) -> Iterator[tuple]:
    """One row per correction of supplied data (art. 10): (gemeente, day, organisation kind, item)."""
    rows = Correction.objects.filter(region=region, **_window("corrected_at", start, end)).values_list(
        SUBJECT_GEMEENTE, "corrected_at", "corrected_by_organisation__kind", "item_type__model"
    )
    for gemeente, moment, kind, model in rows:
        item = model if model in (ITEM_SIGNAL, ITEM_CONTRIBUTION) else ITEM_OTHER
        yield _gemeente(gemeente), _day(moment), kind, item


def withheld_rows(region: Region, start: date, end: date) -> Iterator[tuple]:
    """One row per record that a participant withheld data for weighty reasons (art. 4 aanhef):
    (gemeente, day, organisation kind, art. 4 category)."""
    rows = WithheldData.objects.filter(region=region, **_window("recorded_at", start, end)).values_list(
        SUBJECT_GEMEENTE, "recorded_at", "organisation__kind", "data_category"
    )
    for gemeente, moment, kind, category in rows:
        yield _gemeente(gemeente), _day(moment), kind, category


def transfer_rows(region: Region, start: date, end: date) -> Iterator[tuple]:
    """One row per proposed transfer of a case to or from another table (art. 7 lid 1):
    (gemeente, day, direction, status). An incoming transfer has no gemeente of this region's
    own (its person is still the sending table's)."""
    outgoing = (
        CaseTransfer.objects.filter(from_region=region, **_window("proposed_at", start, end))
        .exclude(to_region=region)
        .values_list(SUBJECT_GEMEENTE, "proposed_at", "status")
    )
    for gemeente, moment, status in outgoing:
        yield _gemeente(gemeente), _day(moment), OUTGOING, status
    incoming = (
        CaseTransfer.objects.filter(to_region=region, **_window("proposed_at", start, end))
        .exclude(from_region=region)
        .values_list("proposed_at", "status")
    )
    for moment, status in incoming:
        yield None, _day(moment), INCOMING, status


def transfer_objection_rows(region: Region, start: date, end: date) -> Iterator[tuple]:
    """One row per objection, for weighty reasons, of a participant of this table against
    providing its data to the receiving table (art. 7 lid 2): (gemeente, day, organisation kind)."""
    rows = TransferObjection.objects.filter(
        transfer__from_region=region, **_window("objected_at", start, end)
    ).values_list(f"transfer__{SUBJECT_GEMEENTE}", "objected_at", "organisation__kind")
    for gemeente, moment, kind in rows:
        yield _gemeente(gemeente), _day(moment), kind


def objection_rows(region: Region, start: date, end: date) -> Iterator[tuple]:
    """One row per objection (bezwaar) of a person against the processing, by the day it was
    received: (gemeente, day, state)."""
    rows = Objection.objects.filter(case__region=region, received_on__gte=start, received_on__lte=end).values_list(
        f"case__{SUBJECT_GEMEENTE}", "received_on", "status", "outcome"
    )
    for gemeente, day, status, outcome in rows:
        state = outcome if status == Objection.HANDLED and outcome else OBJECTION_OPEN
        yield _gemeente(gemeente), day, state


def informing_rows(region: Region, start: date, end: date) -> Iterator[tuple]:
    """One row per decision about informing the person (art. 11 with AVG art. 14): (gemeente,
    day, ground of art. 41 lid 1 UAVG or "none", outcome)."""
    known = {code for code, _label in INFORMING_GROUND.categories}
    rows = InformingDecision.objects.filter(case__region=region, **_window("decided_at", start, end)).values_list(
        f"case__{SUBJECT_GEMEENTE}", "decided_at", "ground", "outcome"
    )
    for gemeente, moment, ground, outcome in rows:
        if outcome == InformingOutcome.INFORMED or not ground:
            ground = GROUND_NONE
        elif ground not in known:
            ground = GROUND_NOT_RECORDED
        yield _gemeente(gemeente), _day(moment), ground, outcome


def destruction_rows(region: Region, start: date, end: date) -> Iterator[tuple]:
    """One row per record of an executed destruction run (art. 9), by the day the run was
    executed: (None, day, kind, result). The person is gone: no gemeente."""
    rows = DestructionItem.objects.filter(
        run__region=region, run__status=DestructionRun.EXECUTED, **_window("run__executed_at", start, end)
    ).exclude(result=DestructionItem.PENDING)
    for moment, kind, result in rows.values_list("run__executed_at", "kind", "result"):
        yield None, _day(moment), kind, result


def retention_review_rows(region: Region, start: date, end: date) -> Iterable[tuple]:
    """One row per necessity review (art. 9: "zodra zij niet langer noodzakelijk zijn") and per
    legal hold placed or lifted (art. 9: "rechtsvordering"): (gemeente, day, action)."""
    reviews = NecessityReview.objects.filter(region=region, **_window("reviewed_at", start, end))
    for gemeente, moment, outcome in reviews.values_list(SUBJECT_GEMEENTE, "reviewed_at", "outcome"):
        action = NECESSITY_STILL if outcome == NecessityOutcome.STILL_NECESSARY else NECESSITY_NO_LONGER
        yield _gemeente(gemeente), _day(moment), action
    placed = LegalHold.objects.filter(region=region, **_window("placed_at", start, end))
    for gemeente, moment in placed.values_list(SUBJECT_GEMEENTE, "placed_at"):
        yield _gemeente(gemeente), _day(moment), HOLD_PLACED
    lifted = LegalHold.objects.filter(region=region, **_window("lifted_at", start, end))
    for gemeente, moment in lifted.values_list(SUBJECT_GEMEENTE, "lifted_at"):
        yield _gemeente(gemeente), _day(moment), HOLD_LIFTED


WEIGHING_DATA = register(
    Fact("annual.weighing_data", _("Inbreng in wegingen"), (CORE_PARTY, CATEGORY), weighing_data_rows)
)
PLAN_DATA = register(
    Fact("annual.plan_data", _("Bijdragen aan casussen en plannen"), (ORGANISATION_KIND, CATEGORY), plan_data_rows)
)
CONTRIBUTION_EFFECT = register(
    Fact(
        "annual.contribution_effect",
        _("Inbreng bij eensluidende besluiten"),
        (CORE_PARTY, EFFECT),
        contribution_effect_rows,
    )
)
CORRECTIONS = register(
    Fact("annual.corrections", _("Correcties (art. 10)"), (ORGANISATION_KIND, CORRECTED_ITEM), correction_rows)
)
WITHHELD = register(
    Fact(
        "annual.withheld",
        _("Achtergehouden om zwaarwegende redenen (art. 4)"),
        (ORGANISATION_KIND, CATEGORY),
        withheld_rows,
    )
)
TRANSFERS = register(
    Fact("annual.transfers", _("Overdrachten (art. 7 lid 1)"), (DIRECTION, TRANSFER_STATUS), transfer_rows)
)
TRANSFER_OBJECTIONS = register(
    Fact(
        "annual.transfer_objections",
        _("Bezwaren tegen verstrekking (art. 7 lid 2)"),
        (ORGANISATION_KIND,),
        transfer_objection_rows,
    )
)
OBJECTIONS = register(Fact("annual.objections", _("Bezwaren van betrokkenen"), (OBJECTION_STATE,), objection_rows))
INFORMING = register(
    Fact(
        "annual.informing",
        _("Besluiten over informeren (art. 11)"),
        (INFORMING_GROUND, INFORMING_OUTCOME),
        informing_rows,
    )
)
DESTRUCTION = register(
    Fact("annual.destruction", _("Vernietigingsrondes (art. 9)"), (RECORD_KIND, DESTRUCTION_RESULT), destruction_rows)
)
RETENTION_REVIEWS = register(
    Fact(
        "annual.retention_reviews",
        _("Noodzaaktoetsen en juridische blokkades (art. 9)"),
        (RETENTION_ACTION,),
        retention_review_rows,
    )
)
