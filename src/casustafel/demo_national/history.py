"""Ten years of a region's work, generated in memory in the order the services would write it.

Each person (``Subject``) goes through one or more episodes: signals registered, prepared and
sent to the weighing, the three core parties' contributions, a proposal confirmed by each of
them (art. 5 lid 3), the signals concluded with the outcome; an inclusion opens a case with its
participants, third parties admitted by the three (art. 3 lid 3), a plan with goals,
interventions, contacts and reviews every ~90 days, transitions to scaled down, closed and
reopened, and check-ins after closure. An episode stops at the first step whose moment lies
after "now", which leaves every open state represented by the most recent work. Every write
is also an event for the processing log (``Events``), with the actor and moment of the write.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db.models import Model

from casustafel.accounts.models import OrganisationKind, Role
from casustafel.cases import states as case_states
from casustafel.cases.models import (
    AdmissionStatus,
    Capacity,
    Case,
    CaseParticipant,
    CaseTransition,
    ClosureReason,
    PlanRole,
    ThirdPartyAdmission,
    ThirdPartyConfirmation,
)
from casustafel.demo import DEMO_BASES, FACTS
from casustafel.governance.models import LegalBasis
from casustafel.meetings.models import AgendaItem, Attendance, Invitation, ItemReason, Meeting, MeetingAction
from casustafel.meetings.models import Decision as MeetingDecision
from casustafel.plans.models import CatalogueEntry, CheckIn, Contact, Goal, GoalScore, Intervention, LifeDomain, Review
from casustafel.plans.models import Plan as ActionPlan
from casustafel.processing_log.models import Action, Purpose
from casustafel.signals import states as signal_states
from casustafel.signals.models import Phenomenon, ReporterKind, Signal, SignalTransition, SourceType, Urgency
from casustafel.subjects.models import Subject, SubjectKind
from casustafel.weighing import states as weighing_states
from casustafel.weighing.models import (
    Assessment,
    Contribution,
    CriteriaFramework,
    CriterionAssessment,
    Decision,
    DecisionConfirmation,
    DecisionStatus,
    Outcome,
    ReferralTarget,
    RegistrantNotice,
    Weighing,
)

from .accounts import RegionData
from .plan import FAMILY, GIVEN, Plan, spread

#: (moment, user pk, action, purpose, [(object_type, object_id, subject_id), ...])
Event = tuple[datetime, int, str, str, list[tuple[str, object, object]]]

K = OrganisationKind
PARTIES = (K.GEMEENTE, K.POLITIE, K.OM)
OUTCOME_STATE = {
    Outcome.INCLUDE: signal_states.INCLUDED,
    Outcome.REFER: signal_states.REFERRED,
    Outcome.NO_ACTION: signal_states.NO_ACTION,
    Outcome.MORE_INFORMATION: signal_states.MORE_INFORMATION,
}


@dataclass
class Rows:
    """Every row to write, per model, in dependency order, and the log events."""

    by_model: dict[type[Model], list[Model]] = field(default_factory=lambda: defaultdict(list))
    events: list[Event] = field(default_factory=list)
    #: Per region: (created, object_type, id, subject id) of what users read later.
    readable: dict[object, list[tuple[datetime, str, object, object]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def add(self, *rows: Model) -> None:
        for row in rows:
            self.by_model[type(row)].append(row)

    def log(self, at: datetime, actor, action: str, purpose: str, *objects: tuple[str, object, object]) -> None:
        self.events.append((at, actor.pk, action, purpose, list(objects)))


def _t(row: Model, subject_id) -> tuple[str, object, object]:
    return (row._meta.model_name, row.pk, subject_id)


class Bases:
    """Legal bases by code, of the version valid on a date (records keep the version they were made under)."""

    def __init__(self):
        self.rows = sorted(
            LegalBasis.objects.select_related("basis_set"),
            key=lambda b: (b.basis_set.valid_from or date.min, b.basis_set.version),
        )

    def get(self, code: str, on: date):
        found = [b for b in self.rows if b.code == code and (b.basis_set.valid_from or date.min) <= on]
        return (found or [b for b in self.rows if b.code == code] or [None])[-1]


class RegionHistory:
    def __init__(self, plan: Plan, data: RegionData, signals: int, rows: Rows, references: dict[str, set[str]]):
        self.plan, self.data, self.rows, self.refs = plan, data, rows, references
        self.signals = signals
        self.rng = plan.stream(f"history-{data.region.code}")
        self.now = plan.now
        region = data.region
        self.intake = data.users_with(Role.INTAKE_OFFICER)
        self.weighers = {kind: data.users_with(Role.WEIGHING_MEMBER, kind) for kind in PARTIES}
        self.directors = data.users_with(Role.CASE_DIRECTOR)
        self.process_directors = data.users_with(Role.PROCESS_DIRECTOR)
        self.participant_users = defaultdict(list)
        for user in data.users_with(Role.PARTICIPANT):
            self.participant_users[user.organisation_id].append(user)
        self.partners = data.orgs(K.RECLASSERING, K.RVDK)
        self.third = data.orgs(K.GGZ, K.WIJKTEAM, K.LSE_EXIT, K.JEUGDBESCHERMING, K.WERK_INKOMEN, K.ONDERWIJS)
        self.region = region
        self.cases: list[tuple[Case, ActionPlan | None, datetime, datetime | None]] = []

    # ------------------------------------------------------------------ helpers

    def ref(self, prefix: str, at: datetime) -> str:
        return self.rng.reference(prefix, at.year, self.refs[prefix])

    def readable(self, at: datetime, row: Model, subject_id) -> None:
        self.rows.readable[self.region.pk].append((at, row._meta.model_name, row.pk, subject_id))

    def due(self, at: datetime) -> bool:
        """Whether a step at ``at`` has happened by now."""
        return at < self.now

    # ------------------------------------------------------------------ persons and signals

    def subject(self, at: datetime) -> Subject:
        rng = self.rng
        gemeente = rng.choice(self.data.gemeenten)
        place = gemeente.name.removeprefix("Gemeente ")
        subject = Subject(id=rng.uuid(), region=self.region, municipality=place, municipality_organisation=gemeente)
        subject.created_at = at
        if rng.random() < 0.03:
            subject.kind = SubjectKind.LEGAL_PERSON
            subject.legal_name = (
                f"Stichting {rng.choice(('Vrij', 'Eendracht', 'Fictief', 'Verbond'))} {rng.randint(1, 99999)}"
            )
            subject.establishment_place = place
            kvk = f"{rng.randint(10_000_000, 99_999_999)}"
            rsin = rng.bsn()
            subject.set_registry_numbers(kvk_number=kvk, rsin=rsin)
        else:
            subject.kind = SubjectKind.NATURAL_PERSON
            subject.given_names = rng.choice(GIVEN)
            subject.family_name = f"{rng.choice(FAMILY)} {rng.randint(1, 9999)}"
            age = rng.randint(12, 17) if rng.random() < 0.18 else int(min(75, 18 + rng.expovariate(1 / 12)))
            subject.date_of_birth = at.date() - timedelta(days=365 * age + rng.randint(0, 364))
            subject.gender = rng.choices(("man", "vrouw", "anders", "unknown"), weights=(80, 16, 2, 2))[0]
            if rng.random() < 0.6:
                subject.set_bsn(rng.bsn())
        subject.refresh_identity_index()
        self.rows.add(subject)
        return subject

    def signal(self, subject: Subject, at: datetime, acute: bool) -> Signal:
        rng = self.rng
        intake = rng.choice(self.intake)
        report = rng.random() < 0.12
        signal = Signal(
            id=rng.uuid(),
            reference=self.ref("SIG", at),
            region=self.region,
            subject=subject,
            status=signal_states.RECEIVED,
            intake_route="report" if report else "referral",
            addressed_to="mayor",
            reporter_kind=rng.choice(ReporterKind.values) if report else "",
            source_type=rng.choice(SourceType.values),
            phenomenon=rng.choices(Phenomenon.values, weights=(30, 25, 6, 14, 8, 9, 8))[0],
            facts=rng.choice(FACTS),
            opinions="Melder vermoedt radicalisering (mening, fictief).",
            counter_indications="Heeft een stabiele baan (fictief)." if rng.random() < 0.4 else "",
            online_component=rng.random() < 0.6,
            urgency=Urgency.ACUTE if acute else rng.choices((Urgency.NORMAL, Urgency.HIGH), weights=(80, 20))[0],
            observed_on=(at - timedelta(days=rng.randint(0, 20))).date(),
            escalated_to_police_at=at if acute else None,
            registered_by=intake,
            registered_by_organisation_id=intake.organisation_id,
            registered_at=at,
            legal_basis=self.bases.get("wet-pga", at.date()),
        )
        self.rows.add(signal)
        self.made += 1
        self.transition(signal, "", signal_states.RECEIVED, intake, at, "")
        self.rows.log(at, intake, Action.CREATE, Purpose.INTAKE, _t(signal, subject.pk), _t(subject, subject.pk))
        self.readable(at, signal, subject.pk)
        return signal

    def transition(self, signal: Signal, source: str, target: str, by, at: datetime, reason: str, purpose=None) -> None:
        self.rows.add(SignalTransition(signal=signal, source=source, target=target, by=by, at=at, reason=reason))
        signal.status = target
        if source:
            self.rows.log(at, by, Action.TRANSITION, purpose or Purpose.INTAKE, _t(signal, signal.subject_id))

    # ------------------------------------------------------------------ episodes

    def run(self) -> None:
        self.bases = Bases()
        self.framework = (
            CriteriaFramework.objects.filter(is_active=True, region__isnull=True).order_by("-version").first()
        )
        self.criteria = list(self.framework.criteria.all()) if self.framework else []
        catalogue = list(CatalogueEntry.objects.filter(is_active=True).order_by("catalogue__version", "code"))
        kinds = defaultdict(list)
        for org in self.data.organisations:
            kinds[org.kind].append(org)
        self.catalogue = [(e, kinds[k][0]) for e in catalogue for k in e.organisation_kinds[:1] if kinds.get(k)]
        self.made = 0
        rng = self.rng
        # The current work: a share of the persons came in over the last 45 days, so every open
        # state (received, in preparation, in weighing, awaiting information) is represented.
        recent = max(15, self.signals // 25)
        # A few persons per region with a set course, so that even a small run holds the rare
        # states: a weighing awaiting information, a reopened case.
        fates = ["more_information", "more_information", "reopened", "reopened", "received", "in_preparation"]
        persons = 0
        while self.made < self.signals:
            self.fate = fates[persons] if persons < len(fates) else ""
            persons += 1
            self.current = self.made < recent
            if self.fate == "more_information":
                first = self.now - timedelta(days=rng.uniform(40, 44))
            elif self.fate == "reopened":
                first = self.now - timedelta(days=rng.uniform(4 * 365, 7 * 365))
            elif self.fate in ("received", "in_preparation"):
                first = self.now - timedelta(days=rng.uniform(1, 3))
            elif self.current:
                first = self.now - timedelta(days=rng.uniform(0, 45))
            else:
                first = rng.ramp(self.plan.start, self.now)
            first = min(rng.office_time(first.date()), self.now - timedelta(minutes=5))
            subject = self.subject(first)
            at = first
            for _episode in range(rng.choices((1, 2, 3), weights=(85, 12, 3))[0]):
                count = min(self.signals - self.made, rng.choices((1, 2, 3), weights=(78, 16, 6))[0])
                end = self.episode(subject, at, count)
                if end is None or self.made >= self.signals:
                    break
                at = rng.after(end, 120, 900)
                if not self.due(at):
                    break
        self.meetings()

    def episode(self, subject: Subject, at: datetime, count: int) -> datetime | None:
        """One weighing of a person; returns when it ended (``None``: still open or the case is)."""
        rng = self.rng
        acute = rng.random() < 0.03 and not self.fate
        signal = self.signal(subject, at, acute)
        intake = signal.registered_by
        if self.fate == "received":
            return None
        if self.fate == "in_preparation":
            prep = at + timedelta(hours=rng.uniform(1, 6))
            self.transition(
                signal, signal_states.RECEIVED, signal_states.IN_PREPARATION, intake, prep, "Volledigheid controleren"
            )
            return None
        if acute:
            sent = at + timedelta(minutes=rng.randint(2, 30))
        else:
            if rng.random() < 0.45:
                prep = rng.after(at, 0.2, 4)
                if not self.due(prep):
                    return None
                self.transition(
                    signal,
                    signal_states.RECEIVED,
                    signal_states.IN_PREPARATION,
                    intake,
                    prep,
                    "Volledigheid controleren",
                )
                at = prep
            sent = rng.after(at, 1, 14)
        if not self.due(sent):
            return None
        self.transition(signal, signal.status, signal_states.IN_WEIGHING, intake, sent, "Naar de weegploeg")
        weighing = Weighing(
            id=rng.uuid(),
            reference=self.ref("WEG", sent),
            region=self.region,
            subject=subject,
            framework=self.framework,
            status=weighing_states.OPEN,
            opened_at=sent,
            signals_changed_at=sent,
        )
        signal.weighing = weighing
        self.rows.add(weighing)
        self.rows.log(sent, intake, Action.CREATE, Purpose.WEIGHING, _t(weighing, subject.pk))
        self.readable(sent, weighing, subject.pk)
        signals = [signal]
        last = sent
        for _ in range(count - 1):  # further signals about the person join the open weighing
            joined_at = rng.after(last, 1, 20)
            if not self.due(joined_at):
                break
            extra = self.signal(subject, joined_at, False)
            extra.weighing = weighing
            self.transition(
                extra,
                signal_states.RECEIVED,
                signal_states.IN_WEIGHING,
                extra.registered_by,
                joined_at,
                "Lopende weging van dezelfde persoon: samen wegen",
            )
            weighing.signals_changed_at = last = joined_at
            signals.append(extra)
        # The current work waits for information more often than the settled past shows.
        outcome = rng.choices(
            (Outcome.INCLUDE, Outcome.REFER, Outcome.NO_ACTION, Outcome.MORE_INFORMATION),
            weights=(25, 20, 20, 35) if self.current else (30, 33, 27, 10),
        )[0]
        if self.fate:
            outcome = Outcome.MORE_INFORMATION if self.fate == "more_information" else Outcome.INCLUDE
        decided = self.decide(weighing, signals, last, outcome)
        if decided is None:
            return None
        decision, effective = decided
        if outcome == Outcome.MORE_INFORMATION:
            weighing.status = weighing_states.AWAITING_INFORMATION
            resumed = rng.after(effective, 14, 90)
            if not self.due(resumed) or self.fate == "more_information":
                return None
            weighing.status, weighing.information_deadline = weighing_states.OPEN, None
            weighing.signals_changed_at = resumed
            for s in signals:
                self.transition(
                    s,
                    signal_states.MORE_INFORMATION,
                    signal_states.IN_WEIGHING,
                    intake,
                    resumed,
                    "Aanvullende informatie ontvangen",
                    Purpose.WEIGHING,
                )
            outcome = rng.choices((Outcome.INCLUDE, Outcome.REFER, Outcome.NO_ACTION), weights=(35, 35, 30))[0]
            decided = self.decide(weighing, signals, resumed, outcome, contributions_exist=True)
            if decided is None:
                return None
            decision, effective = decided
        if outcome != Outcome.INCLUDE:
            return effective
        return self.case(subject, weighing, decision, effective)

    def decide(
        self, weighing: Weighing, signals: list[Signal], after: datetime, outcome: str, contributions_exist=False
    ):
        """Contributions by the three, a proposal and its confirmations (art. 5 lid 3)."""
        rng = self.rng
        subject_id = weighing.subject_id
        contributions = []
        moment = after
        for party in PARTIES:
            moment = rng.after(moment, 0.5, 6)
            if not self.due(moment):
                weighing.status = weighing_states.OPEN
                return None
            user = rng.choice(self.weighers[party])
            if contributions_exist:
                contribution = self._contributions[weighing.pk][party]
                contribution.view, contribution.updated_at = outcome, moment
                self.rows.log(moment, user, Action.UPDATE, Purpose.WEIGHING, _t(contribution, subject_id))
                contributions.append(contribution)
                continue
            contribution = Contribution(
                id=rng.uuid(),
                weighing=weighing,
                party=party,
                organisation_id=user.organisation_id,
                contributor=user,
                holds_information=rng.random() > 0.25,
                information="Eigen registraties bevestigen de zorgen (fictief).",
                view=outcome,
                view_rationale="Signalen zijn in samenhang zorgelijk (fictief).",
                updated_at=moment,
                legal_basis=self.bases.get(DEMO_BASES[party], moment.date()),
            )
            self.rows.add(contribution)
            contribution.assessment_rows = [
                CriterionAssessment(
                    contribution=contribution,
                    criterion=c,
                    assessment=rng.choice(
                        (Assessment.PRESENT, Assessment.PARTLY, Assessment.ABSENT, Assessment.UNKNOWN)
                    ),
                    reasons="Onderbouwing op basis van gedrag (fictief).",
                )
                for c in self.criteria
            ]
            self.rows.add(*contribution.assessment_rows)
            self.rows.log(moment, user, Action.CREATE, Purpose.WEIGHING, _t(contribution, subject_id))
            contributions.append(contribution)
        if not contributions_exist:
            self._contributions = getattr(self, "_contributions", {})
            self._contributions[weighing.pk] = {c.party: c for c in contributions}
        proposed = rng.after(moment, 0.5, 10)
        if not self.due(proposed):
            return None
        proposer = rng.choice(self.weighers[K.GEMEENTE])
        director = rng.choice(self.directors) if outcome == Outcome.INCLUDE else None
        participants = []
        if outcome == Outcome.INCLUDE and self.partners and rng.random() < 0.6:
            participants = [[str(rng.choice(self.partners).pk), "Betrokken bij begeleiding (fictief)", ""]]
        decision = Decision(
            id=rng.uuid(),
            weighing=weighing,
            framework=self.framework,
            outcome=outcome,
            referral_target=rng.choice(ReferralTarget.values) if outcome == Outcome.REFER else "",
            rationale="Gezamenlijk besluit van de weegploeg (fictief).",
            information_deadline=(proposed + timedelta(days=21)).date()
            if outcome == Outcome.MORE_INFORMATION
            else None,
            basis={
                c.party: {
                    "organisation": next(o.name for o in self.data.organisations if o.pk == c.organisation_id),
                    "holds_information": c.holds_information,
                    "view": c.view,
                    "assessments": {str(a.criterion_id): a.assessment for a in getattr(c, "assessment_rows", [])},
                }
                for c in contributions
            },
            decided_by=proposer,
            decided_at=proposed,
            status=DecisionStatus.PROPOSED,
            case_director=director,
            proposed_participants=participants,
        )
        weighing.status = weighing_states.DECISION_PROPOSED
        self.rows.add(decision)
        first = DecisionConfirmation(
            id=rng.uuid(),
            decision=decision,
            party=K.GEMEENTE,
            organisation_id=proposer.organisation_id,
            confirmed_by=proposer,
            confirmed_at=proposed,
            agrees=True,
        )
        self.rows.add(first)
        self.rows.log(
            proposed, proposer, Action.CREATE, Purpose.WEIGHING, _t(decision, subject_id), _t(first, subject_id)
        )
        moment = proposed
        for party in (K.POLITIE, K.OM):
            moment = rng.after(moment, 0.1, 3)
            if not self.due(moment):
                return None
            user = rng.choice(self.weighers[party])
            confirmation = DecisionConfirmation(
                id=rng.uuid(),
                decision=decision,
                party=party,
                organisation_id=user.organisation_id,
                confirmed_by=user,
                confirmed_at=moment,
                agrees=True,
            )
            self.rows.add(confirmation)
            self.rows.log(moment, user, Action.CREATE, Purpose.WEIGHING, _t(confirmation, subject_id))
        decision.status, decision.effective_at = DecisionStatus.IN_EFFECT, moment
        decision._confirmed_by = user  # the third confirmation puts it into effect (and opens the case)
        weighing.status = (
            weighing_states.AWAITING_INFORMATION if outcome == Outcome.MORE_INFORMATION else weighing_states.DECIDED
        )
        if outcome == Outcome.MORE_INFORMATION:
            weighing.information_deadline = decision.information_deadline
            weighing.signals_changed_at = moment
        self.rows.log(moment, user, Action.UPDATE, Purpose.WEIGHING, _t(decision, subject_id))
        for s in signals:
            self.transition(
                s,
                signal_states.IN_WEIGHING,
                OUTCOME_STATE[outcome],
                user,
                moment,
                str(Outcome(outcome).label),
                Purpose.WEIGHING,
            )
        if outcome in (Outcome.REFER, Outcome.NO_ACTION):  # art. 5 lid 6: inform the registering participant
            for org_id in sorted(
                {s.registered_by_organisation_id for s in signals if s.intake_route == "referral"}, key=str
            ):
                informed = rng.after(moment, 1, 10)
                notice = RegistrantNotice(
                    id=rng.uuid(),
                    decision=decision,
                    organisation_id=org_id,
                    created_at=moment,
                    informed_on=informed.date() if self.due(informed) else None,
                    informed_by=proposer if self.due(informed) else None,
                )
                self.rows.add(notice)
                self.rows.log(moment, user, Action.CREATE, Purpose.WEIGHING, _t(notice, subject_id))
        return decision, moment

    # ------------------------------------------------------------------ cases

    def case(self, subject: Subject, weighing: Weighing, decision: Decision, opened: datetime) -> datetime | None:
        rng = self.rng
        opener = decision._confirmed_by
        director = decision.case_director
        case = Case(
            id=rng.uuid(),
            reference=self.ref("PGA", opened),
            region=self.region,
            subject=subject,
            origin_decision=decision,
            status=case_states.ACTIVE,
            case_director=director,
            opened_at=opened,
            status_changed_at=opened,
        )
        self.rows.add(case)
        self.rows.add(
            CaseTransition(
                case=case,
                source="",
                target=case_states.ACTIVE,
                by=opener,
                at=opened,
                reason="Opgenomen in de PGA na integrale weging",
            )
        )
        involved = {}
        for c in self._contributions[weighing.pk].values():
            involved.setdefault(c.organisation_id, "Kernpartner weegploeg")
        involved.setdefault(director.organisation_id, "Organisatie casusregisseur")
        for org_id, reason, _basis in decision.proposed_participants:
            involved[next(o.pk for o in self.data.organisations if str(o.pk) == org_id)] = reason
        participants = [
            CaseParticipant(
                id=rng.uuid(), case=case, organisation_id=org, reason=reason, added_by=opener, added_at=opened
            )
            for org, reason in involved.items()
        ]
        self.rows.add(*participants)
        self.rows.log(
            opened,
            opener,
            Action.CREATE,
            Purpose.CASE_MANAGEMENT,
            _t(case, subject.pk),
            *(_t(p, subject.pk) for p in participants),
        )
        self.readable(opened, case, subject.pk)
        # Life of the case: active → scaled down → closed, sometimes reopened.
        path = [(case_states.ACTIVE, opened)]
        moment = opened
        status = case_states.ACTIVE
        while True:
            if status in (case_states.ACTIVE, case_states.REOPENED):
                moment = rng.after(moment, 120, 700)
                status = case_states.SCALED_DOWN if rng.random() < 0.7 else case_states.CLOSED
            elif status == case_states.SCALED_DOWN:
                moment = rng.after(moment, 60, 360)
                status = case_states.CLOSED if rng.random() < 0.9 else case_states.ACTIVE
            elif status == case_states.CLOSED:
                if rng.random() > 0.06 and self.fate != "reopened":
                    break
                moment = rng.after(moment, 90, 540)
                status = case_states.REOPENED
            if not self.due(moment):
                break
            path.append((status, moment))
            if status == case_states.REOPENED and self.fate == "reopened":
                break
        plan = self.plan_of_action(case, subject, director, opened, path)
        self.third_party(case, subject, opened)
        for (source, _at), (target, at) in zip(path, path[1:], strict=False):
            reason = {
                case_states.SCALED_DOWN: "Gaat de goede kant op (fictief)",
                case_states.CLOSED: "Doelen bereikt (fictief)",
                case_states.REOPENED: "Nieuwe zorgen na afsluiting (fictief)",
                case_states.ACTIVE: "Zorgen nemen weer toe (fictief)",
            }[target]
            closure = (
                rng.choices(ClosureReason.values, weights=(60, 10, 10, 6, 2, 12))[0]
                if target == case_states.CLOSED
                else ""
            )
            self.rows.add(
                CaseTransition(
                    case=case, source=source, target=target, closure_reason=closure, by=director, at=at, reason=reason
                )
            )
            self.rows.log(at, director, Action.TRANSITION, Purpose.CASE_MANAGEMENT, _t(case, subject.pk))
            case.status, case.status_changed_at = target, at
            case.closure_reason = closure if target == case_states.CLOSED else ""
            if target == case_states.CLOSED:
                for months in (6, 12):
                    due_on = (at + timedelta(days=round(30.44 * months))).date()
                    done = due_on < self.plan.today - timedelta(days=7)
                    checkin = CheckIn(
                        id=rng.uuid(),
                        case=case,
                        due_on=due_on,
                        months=months,
                        done_on=due_on if done else None,
                        organisation_id=director.organisation_id if done else None,
                        new_concerns=(rng.random() < 0.08) if done else None,
                        note="Contact gehad; geen bijzonderheden (fictief)." if done else "",
                        recorded_by=director if done else None,
                        recorded_at=datetime.combine(due_on, datetime.min.time(), tzinfo=UTC) + timedelta(hours=10)
                        if done
                        else None,
                    )
                    self.rows.add(checkin)
                    self.rows.log(at, director, Action.CREATE, Purpose.CASE_MANAGEMENT, _t(checkin, subject.pk))
        closed = path[-1][1] if case.status == case_states.CLOSED else None
        self.cases.append((case, plan, opened, closed))
        return closed

    def plan_of_action(self, case: Case, subject: Subject, director, opened: datetime, path) -> ActionPlan | None:
        rng = self.rng
        created = rng.after(opened, 5, 21)
        if not self.due(created):
            return None
        end = next((at for status, at in path if status == case_states.CLOSED), self.now)
        plan = ActionPlan(
            id=rng.uuid(),
            case=case,
            created_by=director,
            created_at=created,
            next_review_due=(created + timedelta(days=90)).date(),
        )
        self.rows.add(plan)
        goals = [
            Goal(
                id=rng.uuid(),
                plan=plan,
                domain=d,
                description="Doel voor dit leefgebied (fictief).",
                created_at=created,
            )
            for d in rng.sample(LifeDomain.values, rng.randint(2, 4))
        ]
        self.rows.add(*goals)
        self.rows.log(
            created,
            director,
            Action.CREATE,
            Purpose.CASE_MANAGEMENT,
            _t(plan, subject.pk),
            *(_t(g, subject.pk) for g in goals),
        )
        self.readable(created, plan, subject.pk)
        for _ in range(rng.randint(1, 3) if self.catalogue else 0):
            entry, organisation = rng.choice(self.catalogue)
            starts = rng.after(created, 0, 30)
            if not self.due(starts):
                break
            planned_end = (starts + timedelta(days=rng.randint(90, 365))).date()
            intervention = Intervention(
                id=rng.uuid(),
                plan=plan,
                entry=entry,
                organisation=organisation,
                legal_basis=entry.legal_basis,
                enforced=entry.enforced,
                starts_on=starts.date(),
                planned_end=planned_end,
                planned_sessions=rng.randint(4, 12),
                created_by=director,
                created_at=starts,
                ended_on=min(planned_end, end.date()) if min(planned_end, end.date()) < self.plan.today else None,
            )
            self.rows.add(intervention)
            self.rows.log(starts, director, Action.CREATE, Purpose.CASE_MANAGEMENT, _t(intervention, subject.pk))
            worker = (self.participant_users.get(organisation.pk) or [director])[0]
            day = starts
            for _ in range(rng.randint(0, 5)):
                day = rng.after(day, 7, 40)
                if not self.due(day) or day > end:
                    break
                contact = Contact(
                    id=rng.uuid(),
                    intervention=intervention,
                    date=day.date(),
                    held=rng.random() < 0.85,
                    note="Gesprek gevoerd (fictief).",
                    by=worker,
                )
                self.rows.add(contact)
                self.rows.log(day, worker, Action.CREATE, Purpose.CASE_MANAGEMENT, _t(contact, subject.pk))
        held = created
        scores = {g.pk: rng.randint(1, 3) for g in goals}
        while True:
            held = held + timedelta(days=rng.randint(80, 100))
            if held >= min(end, self.now):
                break
            review = Review(
                id=rng.uuid(),
                plan=plan,
                held_on=held.date(),
                narrative="Evaluatie van het plan (fictief).",
                by=director,
                created_at=held,
            )
            self.rows.add(review)
            rows = []
            for g in goals:
                scores[g.pk] = max(1, min(5, scores[g.pk] + rng.choice((-1, 0, 1, 1))))
                rows.append(GoalScore(id=rng.uuid(), review=review, goal=g, score=scores[g.pk]))
            self.rows.add(*rows)
            self.rows.log(
                held,
                director,
                Action.CREATE,
                Purpose.CASE_MANAGEMENT,
                _t(review, subject.pk),
                *(_t(r, subject.pk) for r in rows),
            )
            plan.next_review_due = (held + timedelta(days=90)).date()
        return plan

    def third_party(self, case: Case, subject: Subject, opened: datetime) -> None:
        """Art. 3 lid 3: a third party proposed by a weighing member and admitted by the three."""
        rng = self.rng
        if not self.third or rng.random() > 0.45:
            return
        proposed = rng.after(opened, 3, 40)
        if not self.due(proposed):
            return
        organisation = rng.choice(self.third)
        proposer = rng.choice(self.weighers[K.GEMEENTE])
        admission = ThirdPartyAdmission(
            id=rng.uuid(),
            case=case,
            organisation=organisation,
            expertise="Begeleiding bij deradicalisering en zorg (fictief).",
            plan_roles=[PlanRole.CARRYING_OUT],
            necessary_data=["identifying", "plan_of_action"] if rng.random() < 0.7 else ["plan_of_action"],
            legal_basis=None,
            status=AdmissionStatus.PROPOSED,
            proposed_by=proposer,
            proposed_at=proposed,
        )
        self.rows.add(admission)
        self.rows.log(proposed, proposer, Action.CREATE, Purpose.CASE_MANAGEMENT, _t(admission, subject.pk))
        moment = proposed
        for party in PARTIES:
            user = proposer if party == K.GEMEENTE else rng.choice(self.weighers[party])
            if party != K.GEMEENTE:
                moment = rng.after(moment, 0.1, 5)
                if not self.due(moment):
                    return
            confirmation = ThirdPartyConfirmation(
                id=rng.uuid(),
                admission=admission,
                party=party,
                organisation_id=user.organisation_id,
                confirmed_by=user,
                confirmed_at=moment,
                agrees=True,
            )
            self.rows.add(confirmation)
            self.rows.log(moment, user, Action.CREATE, Purpose.CASE_MANAGEMENT, _t(confirmation, subject.pk))
        participant = CaseParticipant(
            id=rng.uuid(),
            case=case,
            organisation=organisation,
            reason=admission.expertise,
            added_by=proposer,
            added_at=moment,
            capacity=Capacity.THIRD_PARTY,
            admission=admission,
            necessary_data=admission.necessary_data,
        )
        admission.status, admission.decided_at = AdmissionStatus.ADMITTED, moment
        self.rows.add(participant)
        self.rows.log(moment, user, Action.CREATE, Purpose.CASE_MANAGEMENT, _t(participant, subject.pk))

    # ------------------------------------------------------------------ conferences

    def meetings(self) -> None:
        """A casusoverleg every two weeks; cases opened since the last one and reviews due on the agenda."""
        rng = self.rng
        chair = self.process_directors[0]
        invited = [self.data.org(k) for k in (K.ZVH, K.POLITIE, K.OM)] + [self.data.gemeenten[0]]
        cases = sorted(self.cases, key=lambda c: c[2])
        start = self.plan.start + timedelta(days=14)
        previous = self.plan.start
        index = 0
        moment = start
        horizon = self.now + timedelta(days=14)  # planned ahead: the next one is already scheduled
        while moment < horizon:
            starts = datetime.combine(moment.date(), datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
            held = starts < self.now
            cancelled = held and rng.random() < 0.03
            meeting = Meeting(
                id=rng.uuid(),
                region=self.region,
                starts_at=starts,
                ends_at=starts + timedelta(hours=3),
                location="Zorg- en Veiligheidshuis, zaal 2 (fictief)",
                online=rng.random() < 0.2,
                chair=chair,
                created_at=starts - timedelta(days=14),
                status="cancelled" if cancelled else "planned",
                status_reason="Te weinig agendapunten (fictief)." if cancelled else "",
                status_changed_at=starts - timedelta(days=2) if cancelled else None,
                status_changed_by=chair if cancelled else None,
                updated_at=starts - timedelta(days=2) if cancelled else starts - timedelta(days=14),
            )
            self.rows.add(meeting)
            for org in invited:
                self.rows.add(
                    Invitation(
                        id=rng.uuid(),
                        meeting=meeting,
                        organisation=org,
                        invited_by=chair,
                        invited_at=meeting.created_at,
                        attendance=(Attendance.PRESENT if rng.random() < 0.9 else Attendance.ABSENT)
                        if held and not cancelled
                        else Attendance.UNKNOWN,
                    )
                )
            new = []
            while index < len(cases) and cases[index][2] < starts - timedelta(days=1):
                new.append(cases[index])
                index += 1
            if not cancelled:
                position = 0
                for case, _plan, opened, _closed in new[:12]:
                    if opened < previous:
                        continue
                    added = max(opened, meeting.created_at) + timedelta(hours=1)
                    if not self.due(added):
                        continue
                    item = AgendaItem(
                        id=rng.uuid(),
                        meeting=meeting,
                        case=case,
                        reason=ItemReason.NEW_INCLUSION,
                        position=position,
                        added_by=chair,
                        added_at=added,
                        minutes="Besproken; afspraken vastgelegd (fictief)." if held else "",
                    )
                    position += 1
                    self.rows.add(item)
                    self.rows.log(added, chair, Action.CREATE, Purpose.CASE_MANAGEMENT, _t(item, case.subject_id))
                    if held:
                        done_at = starts + timedelta(hours=2)
                        decision = MeetingDecision(
                            id=rng.uuid(),
                            item=item,
                            text="Plan van aanpak opstellen (fictief).",
                            recorded_by=chair,
                            recorded_at=done_at,
                        )
                        self.rows.add(decision)
                        self.rows.log(
                            done_at, chair, Action.CREATE, Purpose.CASE_MANAGEMENT, _t(decision, case.subject_id)
                        )
                        if rng.random() < 0.6:
                            due = (starts + timedelta(days=14)).date()
                            finished = starts + timedelta(days=rng.randint(3, 20))
                            is_done = finished < self.now
                            action = MeetingAction(
                                id=rng.uuid(),
                                item=item,
                                case=case,
                                description="Contact leggen met betrokkene (fictief).",
                                owner=invited[rng.randrange(len(invited))],
                                due_date=due,
                                status="afgerond" if is_done else "open",
                                created_by=chair,
                                created_at=done_at,
                                done_by=chair if is_done else None,
                                done_at=finished if is_done else None,
                            )
                            self.rows.add(action)
                            self.rows.log(
                                done_at, chair, Action.CREATE, Purpose.CASE_MANAGEMENT, _t(action, case.subject_id)
                            )
            previous = starts
            moment = moment + timedelta(days=14)


def build(plan: Plan, regions: list[RegionData], progress) -> Rows:
    rows = Rows()
    references: dict[str, set[str]] = defaultdict(set)
    for data, signals in zip(regions, spread(plan.signals, len(regions)), strict=True):
        RegionHistory(plan, data, signals, rows, references).run()
        progress(1)
    return rows
