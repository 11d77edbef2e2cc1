"""Reads of the processing log, for the privacy officer (FG) of a region.

The FG sees the rows of their own region only: rows of actors whose organisation (kept in
the row's linked audit record) belongs to the region, and rows about data subjects of the
region. The rows carry pseudonymous ids only; this module turns object ids into
references (kenmerken), never into names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.apps import apps
from django.db.models import F, Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from casustafel.access import policy
from casustafel.core import identity
from casustafel.core.errors import PolicyDenied

from . import proofs
from .models import Action, LogConsultation, LogUsePurpose, ProcessingLogEntry, Purpose
from .services import LogPurposeMissingError, record_log_consultation, record_refused

#: object_type → (label, app label, model name, path to the reference shown, path to its region).
OBJECT_TYPES = {
    "signal": (_("Signaal"), "signals", "Signal", "reference", "region_id"),
    "weighing": (_("Weging"), "weighing", "Weighing", "reference", "region_id"),
    "contribution": (_("Inbreng weging"), "weighing", "Contribution", "weighing__reference", "weighing__region_id"),
    "decision": (_("Besluit weging"), "weighing", "Decision", "weighing__reference", "weighing__region_id"),
    "case": (_("Casus"), "cases", "Case", "reference", "region_id"),
    "caseparticipant": (_("Deelnemer casus"), "cases", "CaseParticipant", "case__reference", "case__region_id"),
    "subject": (_("Betrokkene"), None, None, None, None),
    # The reference shown is the purpose of the consultation (art. 14 lid 2), see ``describe``.
    "logconsultation": (
        _("Raadpleging logboek"),
        "processing_log",
        "LogConsultation",
        "purpose",
        "organisation__region_id",
    ),
}


def _entries() -> QuerySet:
    # Who acted is in the linked audit record (ADR 0015): one join, no query per row.
    return ProcessingLogEntry.objects.select_related(
        "audit_record__user", "audit_record__organisation", "activity"
    ).order_by("-id")


def visible_entries(user) -> QuerySet:
    """The log rows of the FG's region (404 for everyone else)."""
    subject_model = apps.get_model("subjects", "Subject")
    region_id = policy.scope_processing_log_region(user)
    subjects = subject_model.objects.filter(region_id=region_id).values("id")
    return _entries().filter(Q(audit_record__organisation__region_id=region_id) | Q(data_subject_id__in=subjects))


@dataclass
class Criteria:
    #: Why the log is consulted: one of ``LogUsePurpose`` (Wet PGA art. 14 lid 2), required.
    purpose: str = ""
    date_from: date | None = None
    date_to: date | None = None
    case_reference: str = ""
    signal_reference: str = ""
    bsn: str = ""


@dataclass
class SearchResult:
    entries: QuerySet
    #: Dutch messages for criteria that matched nothing in the region.
    not_found: list[str] = field(default_factory=list)


def search(user, criteria: Criteria) -> SearchResult:
    """Who processed data of this person / case / signal, in this period?

    Only for a purpose Wet PGA art. 14 lid 2 allows (``criteria.purpose``; without one,
    ``services.LogPurposeMissingError`` and nothing is read). Without a person, case or signal:
    the region's rows (``visible_entries``). With one: every row about it — it is the
    region's own subject or object (looked up in the region only), so this includes refused
    attempts by users of other regions. Several criteria narrow each other. Every
    consultation is itself logged with its purpose (``services.record_log_consultation``):
    the consultation's row and one search row per person, case or signal found.
    """
    # Models by label: this query reads over every app's records, and every app writes the log.
    Case = apps.get_model("cases", "Case")
    Signal = apps.get_model("signals", "Signal")
    Subject = apps.get_model("subjects", "Subject")

    entries = visible_entries(user)  # also the access decision (404 for non-FGs)
    if criteria.purpose not in LogUsePurpose.values:
        # Before any lookup: without a lawful purpose the log is not read (art. 14 lid 2).
        raise LogPurposeMissingError(str(LogPurposeMissingError.message))
    region_id = user.organisation.region_id
    conditions: list[Q] = []
    found: list[Model] = []
    not_found: list[str] = []
    if criteria.bsn:
        ids = list(
            Subject.objects.filter(region_id=region_id, bsn_index=identity.bsn_index(criteria.bsn)).values_list(
                "pk", flat=True
            )
        )
        if not ids:
            not_found.append(str(_("Er is in uw regio geen betrokkene met dit burgerservicenummer.")))
        conditions.append(Q(data_subject_id__in=ids) | Q(object_id__in=ids))
        found += Subject.objects.filter(pk__in=ids)
    if criteria.case_reference:
        case = Case.objects.filter(region_id=region_id, reference__iexact=criteria.case_reference).first()
        if case is None:
            not_found.append(str(_("Er is in uw regio geen casus met dit kenmerk.")))
            conditions.append(Q(pk__in=[]))
        else:
            conditions.append(Q(object_id__in=[case.pk, *case.participants.values_list("pk", flat=True)]))
            found.append(case)
    if criteria.signal_reference:
        signal = Signal.objects.filter(region_id=region_id, reference__iexact=criteria.signal_reference).first()
        if signal is None:
            not_found.append(str(_("Er is in uw regio geen signaal met dit kenmerk.")))
            conditions.append(Q(pk__in=[]))
        else:
            conditions.append(Q(object_id=signal.pk))
            found.append(signal)
    if conditions:
        entries = _entries()
        for condition in conditions:
            entries = entries.filter(condition)
        # Newest first as always, but sorted after the (indexed) search: ordered by the bare id,
        # PostgreSQL walks every monthly partition's primary key backwards filtering row by row
        # (1.2 s for one person at 20 M rows); "id + 0" keeps it on the data subject and object
        # indexes and sorts the person's few hundred rows (BENCHMARKS.md 12.8).
        entries = entries.alias(newest=F("id") + 0).order_by("-newest")
    if criteria.date_from:
        entries = entries.filter(timestamp__date__gte=criteria.date_from)
    if criteria.date_to:
        entries = entries.filter(timestamp__date__lte=criteria.date_to)
    record_log_consultation(
        user,
        purpose=criteria.purpose,
        found=found,
        criteria=[name for name in ("bsn", "case_reference", "signal_reference") if getattr(criteria, name)],
        date_from=criteria.date_from,
        date_to=criteria.date_to,
    )
    return SearchResult(entries=entries, not_found=not_found)


def describe(user, entries) -> list[dict]:
    """Rows for display: one query per object type on the page, no personal content, and
    references only of the FG's own region's objects."""
    by_type: dict[str, set] = {}
    for entry in entries:
        by_type.setdefault(entry.object_type, set()).add(entry.object_id)
    references: dict[Any, str] = {}
    for object_type, ids in by_type.items():
        if object_type not in OBJECT_TYPES:
            continue
        _label, app_label, model_name, path, region_path = OBJECT_TYPES[object_type]
        if model_name == "LogConsultation":
            purposes = LogConsultation.objects.filter(pk__in=ids, organisation__region_id=user.organisation.region_id)
            references.update(
                (pk, str(_("(doel: %(purpose)s)") % {"purpose": LogUsePurpose(code).label}))
                for pk, code in purposes.values_list("pk", "purpose")
            )
        elif path:
            model = apps.get_model(str(app_label), str(model_name))
            references.update(
                model._default_manager.filter(
                    pk__in=ids, **{str(region_path): user.organisation.region_id}
                ).values_list("pk", path)
            )
    rows = []
    for entry in entries:
        label = OBJECT_TYPES.get(entry.object_type, (entry.object_type,))[0]
        rows.append({"entry": entry, "object_label": label, "reference": references.get(entry.object_id, "")})
    return rows


def _record_refused_proof(user, pk: int) -> None:
    record_refused(user, action=Action.READ, purpose=Purpose.PRIVACY_SUPERVISION, model=ProcessingLogEntry, pk=pk)


def entry_proof(user, pk: int, *, purpose: str) -> dict | None:
    """The inclusion proof of one log row of the FG's region against the newest signed tree head
    (ADR 0048), for showing a data subject that the entry is in the log; None while not sealed.

    Reading it is a consultation of the log: only for a purpose Wet PGA art. 14 lid 2 allows,
    and recorded with it (``services.record_log_consultation``, criterion ``inclusion_proof``).
    """
    # A refused read of an existing row is logged like every refused read (art. 17); the answer stays
    # the same (not found for everyone but the region's FG).
    try:
        entry_id = visible_entries(user).filter(pk=pk).values_list("pk", flat=True).first()
    except PolicyDenied:
        _record_refused_proof(user, pk)
        raise
    if entry_id is None:
        _record_refused_proof(user, pk)
        raise Http404
    if purpose not in LogUsePurpose.values:
        raise LogPurposeMissingError(str(LogPurposeMissingError.message))
    record_log_consultation(user, purpose=purpose, criteria=["inclusion_proof"])
    return proofs.inclusion_proof(entry_id)
