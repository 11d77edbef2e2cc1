"""Migration import: a region's existing signals and cases, all or nothing per file (ADR 0046).

One transaction per file. Every row is checked (``formats.check_row``, then against the
region: organisation, case director, legal basis); the good rows are written as the records
the flow would have left behind (signal → weighing → decision → case), with the dates of the
source system; the retention rules of the retention app then give each record its
destruction date (art. 9 Wet PGA). A record whose date has already passed is refused — it
must be destroyed in the source system, not migrated. Any problem, or ``dry_run``, rolls the
whole file back; otherwise every imported item is recorded in the processing log under one
audit record, together with its :class:`ImportedItem` (provenance "geïmporteerd uit <system>").
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from casustafel.access import policy
from casustafel.accounts.models import Organisation, User
from casustafel.cases import states as case_states
from casustafel.cases.models import Case, CaseParticipant, CaseTransition
from casustafel.core.errors import PolicyDenied
from casustafel.core.references import new_reference
from casustafel.governance import services as governance
from casustafel.governance.models import Classification
from casustafel.processing_log.models import Action, Purpose
from casustafel.processing_log.services import record_by_purpose
from casustafel.retention.selectors import assess_subjects
from casustafel.signals import states as signal_states
from casustafel.signals.models import IntakeRoute, Signal, SignalTransition, default_addressee
from casustafel.subjects.models import Subject
from casustafel.subjects.services import SubjectData, get_or_register_subject
from casustafel.weighing.models import Decision, DecisionStatus, Outcome, Weighing
from casustafel.weighing.services import active_framework

from . import formats
from .formats import CASE, Problem, Row
from .models import ImportedItem, ImportedKind

if TYPE_CHECKING:
    from casustafel.accounts.models import Region

#: The legal basis of an imported signal when the file names none: the Wet PGA itself.
DEFAULT_LEGAL_BASIS = "wet-pga"
#: Signal outcome in the file → the weighing's outcome that led to it.
SIGNAL_OUTCOMES = {signal_states.REFERRED: Outcome.REFER, signal_states.NO_ACTION: Outcome.NO_ACTION}
#: ``provenance_errors`` field → the column of the file it comes from.
PROVENANCE_COLUMNS = {
    "legal_basis": "grondslag",
    "data_category": "categorieen",
    "visibility": "categorieen",
    "classification": "categorieen",
}


@dataclass
class ImportedRow:
    row: int
    external_id: str
    reference: str
    destruction_date: date | None = None
    schedule_version: int | None = None
    #: Already imported by an earlier run (nothing created now).
    existing: bool = False


@dataclass
class ImportResult:
    system: str
    dry_run: bool
    encoding: str = ""
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    imported: list[ImportedRow] = field(default_factory=list)
    committed: bool = False
    batch: uuid.UUID = field(default_factory=uuid.uuid4)

    @property
    def skipped(self) -> list[ImportedRow]:
        return [i for i in self.imported if i.existing]

    @property
    def created(self) -> list[ImportedRow]:
        return [i for i in self.imported if not i.existing]


class _RollbackError(Exception):
    """Leaves the file's transaction without writing anything."""


def _moment(day: date) -> datetime:
    """A date of the source system as a moment: noon, local time (no hour is known)."""
    return timezone.make_aware(datetime.combine(day, time(12)))


def import_cases(
    actor: User,
    *,
    region: Region,
    system: str,
    data: bytes,
    name: str = "",
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import one file of signals and cases into ``region`` (all or nothing); see the module docstring.

    ``progress(done, total)`` is called after each row is written.
    """
    if not policy.may_import_cases(actor, region.pk):
        raise PolicyDenied(
            None, _("Alleen een functioneel beheerder van deze casustafel mag gegevens importeren."), visible=True
        )
    system = system.strip()
    result = ImportResult(system=system, dry_run=dry_run)
    if not system or len(system) > 100:
        result.problems.append(Problem(0, "", "", _("Geef de naam van het bronsysteem (ten hoogste 100 tekens).")))
        return result
    parsed = formats.read_file(data, name=name)
    result.encoding = parsed.encoding
    result.rows = len(parsed.rows)
    result.problems.extend(parsed.problems)
    if any(p.row == 0 for p in parsed.problems):
        return result  # the file itself is unusable (empty, wrong encoding, missing columns)

    rows: list[Row] = []
    first_seen: dict[str, int] = {}
    for number, record in parsed.rows:
        external_id = formats.external_id_of(record.get("extern_kenmerk"))
        if external_id and external_id in first_seen:
            result.problems.append(
                Problem(
                    number,
                    external_id,
                    "extern_kenmerk",
                    _("Dubbele rij: dit externe kenmerk staat ook in rij %(row)s.") % {"row": first_seen[external_id]},
                )
            )
            continue
        if external_id:
            first_seen[external_id] = number
        checked = formats.check_row(number, record)
        if isinstance(checked, list):
            result.problems.extend(checked)
        else:
            rows.append(checked)

    existing = {
        item.external_id: item
        for item in ImportedItem.objects.filter(region=region, system=system, external_id__in=list(first_seen))
    }
    context = _Context(actor, region, system, result.batch)
    fresh: list[Row] = []
    for row in rows:
        if row.external_id in existing:
            item = existing[row.external_id]
            result.imported.append(
                ImportedRow(
                    row.number, row.external_id, item.reference, item.destruction_date, item.schedule_version, True
                )
            )
            continue
        problems = context.check(row)
        if problems:
            result.problems.extend(problems)
        else:
            fresh.append(row)

    try:
        with transaction.atomic():
            items = []
            for done, row in enumerate(fresh, start=1):
                items.append(context.write(row))
                if progress is not None:
                    progress(done, len(fresh))
            context.flush()
            records = _assessed(context.subjects)
            expired = _expired(items, records)
            result.problems.extend(expired)
            if result.problems or dry_run:
                refused = {p.row for p in expired}
                kept = [i for i in items if i.source_row not in refused]
                result.imported.extend(_rows(kept, records))
                raise _RollbackError
            context.log(items)
            # After the log: the dates the retention app will use from now on, kept with the items,
            # which are inserted last (their log rows name them by id already).
            result.imported.extend(_rows(items, _assessed(context.subjects)))
            ImportedItem.objects.bulk_create(items, batch_size=BATCH)
    except _RollbackError:
        pass
    else:
        result.committed = True
    result.imported.sort(key=lambda i: i.row)
    result.problems.sort(key=lambda p: (p.row, p.column))
    return result


#: Rows per INSERT / UPDATE statement.
BATCH = 500
#: Referred rows before their referrers.
WRITE_ORDER = (Weighing, Signal, SignalTransition, Decision, Case, CaseTransition, CaseParticipant)


@contextmanager
def _source_moments(model, names):
    """Let an insert keep the moments set on the objects in these ``auto_now_add`` fields
    (registered, opened, decided, transition times) instead of stamping them with now: the
    imported records happened in the source system, and the retention periods run from then.
    One short-lived command per process; restored at once."""
    fields = [model._meta.get_field(name) for name in names]
    switched = [f for f in fields if getattr(f, "auto_now_add", False)]
    for f in switched:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f in switched:
            f.auto_now_add = True


#: As each model's ``save()`` draws them.
REFERENCE_PREFIXES = {Weighing: "WEG", Signal: "SIG", Case: "PGA"}


def _unique_references(model, objects) -> None:
    """Draw a new reference for any that another object of this file or the table already has
    (``save()`` draws them one at a time; a bulk insert must not fail on a rare collision)."""
    seen: set[str] = set()
    for start in range(0, len(objects), BATCH):
        chunk = objects[start : start + BATCH]
        taken = set(
            model.objects.filter(reference__in=[o.reference for o in chunk]).values_list("reference", flat=True)
        )
        for obj in chunk:
            while obj.reference in taken or obj.reference in seen:
                obj.reference = new_reference(REFERENCE_PREFIXES[model])
            seen.add(obj.reference)


# ---------------------------------------------------------------- checking against the region


class _Context:
    """What the rows of one file share: lookups in the region, and what was written."""

    def __init__(self, actor: User, region: Region, system: str, batch: uuid.UUID):
        self.actor, self.region, self.system, self.batch = actor, region, system, batch
        self.basis_set = governance.current_basis_set()
        #: Participants of this table (art. 3 lid 1) register; a third party (art. 3 lid 3) does not.
        self._organisations = {
            o.name.lower(): o for o in Organisation.objects.filter(region=region) if not o.is_third_party
        }
        self._directors: dict[str, User | None] = {}
        self._bases: dict[str, object] = {}
        self._framework = None
        self.subjects: dict[uuid.UUID, Subject] = {}
        self.pending: dict[type, list] = {}
        self.dates: dict[type, list] = {}
        self.logged: dict[str, list] = {Purpose.INTAKE: [], Purpose.WEIGHING: [], Purpose.CASE_MANAGEMENT: []}

    def organisation(self, row: Row) -> Organisation | None:
        if not row.organisation:
            return self.actor.organisation
        name = row.organisation.lower()
        return self._organisations.get(name) or self._organisations.get(f"gemeente {name}")

    def case_director(self, row: Row) -> User | None:
        if row.case_director not in self._directors:
            user = User.objects.select_related("organisation").filter(username=row.case_director).first()
            self._directors[row.case_director] = user if policy.may_direct_cases(user, self.region.pk) else None
        return self._directors[row.case_director]

    def basis(self, row: Row):
        code = row.legal_basis or DEFAULT_LEGAL_BASIS
        if code not in self._bases:
            self._bases[code] = governance.resolve_basis(code)
        return self._bases[code]

    def visibility(self, row: Row) -> str:
        return governance.default_visibility(formats.content_category(row), self.basis_set)

    def check(self, row: Row) -> list[Problem]:
        problems = []

        def problem(column: str, reason: str) -> None:
            problems.append(Problem(row.number, row.external_id, column, reason))

        organisation = self.organisation(row)
        if organisation is None:
            problem("organisatie", _("Onbekende organisatie: geen deelnemer van deze casustafel met die naam."))
        if row.kind == CASE:
            if not row.case_director:
                problem("casusregisseur", _("Geef de gebruikersnaam van de casusregisseur van deze casus."))
            elif self.case_director(row) is None:
                problem("casusregisseur", _("Geen casusregisseur van deze casustafel met die gebruikersnaam."))
        if organisation is not None:
            errors = governance.provenance_errors(
                organisation,
                self.basis(row),
                Classification.ORDINARY,
                self.visibility(row),
                data_category=formats.content_category(row),
                basis_set=self.basis_set,
            )
            for name, message in errors.items():
                problem(PROVENANCE_COLUMNS.get(name, "grondslag"), str(message))
        return problems

    # ------------------------------------------------------------ writing

    def framework(self):
        if self._framework is None:
            self._framework = active_framework(self.region)
        return self._framework

    def _add(self, obj, **dates):
        """Keep ``obj`` for :meth:`flush`; ``dates`` are the source system's moments for its
        auto-now fields (set after the insert, which would otherwise stamp them with now)."""
        self.pending.setdefault(type(obj), []).append(obj)
        if dates:
            self.dates.setdefault(type(obj), []).append((obj, dates))
        return obj

    def write(self, row: Row) -> ImportedItem:
        """The records of one row, in memory; only the person is written at once (a later row
        about the same person must find them)."""
        actor = self.actor
        organisation = self.organisation(row)
        assert organisation is not None
        subject, known = get_or_register_subject(
            self.region,
            SubjectData(
                given_names=row.given_names,
                family_name=row.family_name,
                date_of_birth=row.date_of_birth,
                gender=row.gender,
                municipality=row.municipality,
                bsn=row.bsn,
            ),
        )
        if not known and subject.pk not in self.subjects:
            self.logged[Purpose.INTAKE].append(subject)
        self.subjects[subject.pk] = subject
        received = _moment(row.received_on)
        if row.kind == CASE:
            assert row.opened_on is not None
            final_status, decided = signal_states.INCLUDED, _moment(row.opened_on)
        elif row.status in SIGNAL_OUTCOMES:
            assert row.closed_on is not None
            final_status, decided = row.status, _moment(row.closed_on)
        else:
            final_status, decided = signal_states.RECEIVED, None
        provenance = _("Overgenomen uit %(system)s (migratie-import); extern kenmerk %(id)s.") % {
            "system": self.system,
            "id": row.external_id,
        }
        signal = Signal(
            reference=new_reference("SIG"),
            region=self.region,
            subject=subject,
            status=final_status,
            intake_route=IntakeRoute.REFERRAL,
            addressed_to=default_addressee(organisation.kind),
            source_type=row.source_type,
            phenomenon=row.phenomenon,
            facts=row.facts or provenance,
            registered_by=actor,
            registered_by_organisation=organisation,
            legal_basis=self.basis(row),
            classification=Classification.ORDINARY,
            visibility=self.visibility(row),
            data_category=formats.content_category(row),
        )
        steps = [("", signal_states.RECEIVED, received)]
        if decided is not None:
            steps += [
                (signal_states.RECEIVED, signal_states.IN_WEIGHING, received),
                (signal_states.IN_WEIGHING, final_status, decided),
            ]
        case = None
        if decided is not None:
            outcome = Outcome.INCLUDE if row.kind == CASE else SIGNAL_OUTCOMES[row.status]
            signal.weighing, decision = self._weighing(row, subject, outcome, received, decided, provenance)
            if row.kind == CASE:
                case = self._case(row, subject, decision, organisation, provenance)
        self._add(signal, registered_at=received)
        for source, target, at in steps:
            self._add(SignalTransition(signal=signal, source=source, target=target, by=actor, reason=provenance), at=at)
        self.logged[Purpose.INTAKE].append(signal)
        item = self._add(
            ImportedItem(
                region=self.region,
                system=self.system,
                external_id=row.external_id,
                kind=ImportedKind.CASE if case is not None else ImportedKind.SIGNAL,
                subject=subject,
                signal=signal,
                case=case,
                reference=(case or signal).reference,
                data_categories=formats.data_categories(row),
                batch=self.batch,
                source_row=row.number,
                imported_by=actor,
            )
        )
        self.logged[Purpose.CASE_MANAGEMENT if case is not None else Purpose.INTAKE].append(item)
        return item

    def _weighing(self, row: Row, subject, outcome, received, decided, provenance):
        weighing = self._add(
            Weighing(
                reference=new_reference("WEG"),
                region=self.region,
                subject=subject,
                framework=self.framework(),
                status=Weighing.DECIDED,
                signals_changed_at=received,
            ),
            opened_at=received,
        )
        decision = self._add(
            Decision(
                weighing=weighing,
                framework=weighing.framework,
                outcome=outcome,
                rationale=provenance,
                decided_by=self.actor,
                status=DecisionStatus.IN_EFFECT,
                effective_at=decided,
                case_director=self.case_director(row) if row.kind == CASE else None,
            ),
            decided_at=decided,
        )
        self.logged[Purpose.WEIGHING] += [weighing, decision]
        return weighing, decision

    def _case(self, row: Row, subject, decision, organisation, provenance) -> Case:
        assert row.opened_on is not None
        director = self.case_director(row)
        assert director is not None
        opened = _moment(row.opened_on)
        changed = _moment(row.closed_on) if row.closed_on else opened
        case = self._add(
            Case(
                reference=new_reference("PGA"),
                region=self.region,
                subject=subject,
                origin_decision=decision,
                case_director=director,
                status=row.status,
                closure_reason=row.closure_reason,
            ),
            opened_at=opened,
            status_changed_at=changed,
        )
        steps = [("", case_states.ACTIVE, opened)]
        if row.status != case_states.ACTIVE:
            steps.append((case_states.ACTIVE, row.status, changed))
        for source, target, at in steps:
            self._add(
                CaseTransition(
                    case=case,
                    source=source,
                    target=target,
                    by=self.actor,
                    reason=provenance,
                    closure_reason=row.closure_reason if target == case_states.CLOSED else "",
                ),
                at=at,
            )
        involved = {director.organisation_id: (director.organisation, _("Organisatie casusregisseur"))}
        involved.setdefault(organisation.pk, (organisation, _("Aanmeldende deelnemer")))
        participants = [
            self._add(CaseParticipant(case=case, organisation=org, reason=reason, added_by=self.actor))
            for org, reason in involved.values()
        ]
        self.logged[Purpose.CASE_MANAGEMENT] += [case, *participants]
        return case

    def flush(self) -> None:
        """Insert what the rows made, per table in batches (referred rows first), with the source
        system's moments in the auto-now fields. The ``ImportedItem`` rows come last, once their
        retention dates are known (``import_cases``)."""
        for model in REFERENCE_PREFIXES:
            _unique_references(model, self.pending.get(model, []))
        for model in WRITE_ORDER:
            stamped = self.dates.get(model, [])
            for obj, dates in stamped:
                for name, value in dates.items():
                    setattr(obj, name, value)
            names = {name for _obj, dates in stamped for name in dates}
            with _source_moments(model, names):
                model.objects.bulk_create(self.pending.get(model, []), batch_size=BATCH)

    def log(self, items: list[ImportedItem]) -> None:
        """One audit record for the file: every created row, each with its person (pseudonymous)."""
        record_by_purpose(self.actor, action=Action.IMPORT, groups={p: o for p, o in self.logged.items() if o})


# ---------------------------------------------------------------- retention (art. 9)


def _assessed(subjects: dict) -> dict:
    """The retention app's records of the imported persons, by object id."""
    assessments = assess_subjects(subjects.values(), timezone.localdate())
    return {r.object_id: r for a in assessments.values() for r in a.records}


def _expired(items: list[ImportedItem], records: dict) -> list[Problem]:
    """Records whose destruction date has passed by the source system's own history (assessed
    before the import is logged, so the migration itself does not extend a retention period)."""
    today = timezone.localdate()
    problems = []
    for item in items:
        found = records.get(item.case_id or item.signal_id)
        if found is not None and found.destruction_date <= today:
            problems.append(
                Problem(
                    item.source_row,
                    item.external_id,
                    "afgesloten_op" if item.kind == ImportedKind.CASE else "ontvangen_op",
                    _(
                        "De bewaartermijn is verstreken op %(date)s (art. 9 Wet PGA, bewaarschema versie "
                        "%(version)s): niet importeren, maar in het bronsysteem vernietigen."
                    )
                    % {"date": date_format(found.destruction_date, "d-m-Y"), "version": found.schedule.version},
                )
            )
    return problems


def _rows(items: list[ImportedItem], records: dict) -> list[ImportedRow]:
    """The report's line per imported item, with the destruction date the retention rules give it
    (set on the items too)."""
    for item in items:
        found = records.get(item.case_id or item.signal_id)
        item.destruction_date = found.destruction_date if found else None
        item.schedule_version = found.schedule.version if found else None
    return [
        ImportedRow(i.source_row, i.external_id, i.reference, i.destruction_date, i.schedule_version) for i in items
    ]
