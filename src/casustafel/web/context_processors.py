"""Template context: which pages the menu may link to, decided by the policy, and whether the
page is one to print (the case and its plan: an "Afdrukken" button)."""

from __future__ import annotations

from casustafel.access import policy
from casustafel.governance.models import RestrictedDocument

#: Pages with an "Afdrukken" button (web/static/web/page.js; the print stylesheet does the rest).
PRINTABLE = frozenset({"cases:case_detail", "plans:plan"})


class _Menu:
    """Booleans for the main menu, each asked of ``access.policy`` (computed when used): a role
    sees a link only to a page its role can open (issue 12 item 11; tests/test_menu.py)."""

    def __init__(self, user):
        self._user = user

    @property
    def signals(self) -> bool:
        return policy.can(self._user, policy.Action.SIGNAL_VIEW)

    @property
    def weighings(self) -> bool:
        return policy.can(self._user, policy.Action.WEIGHING_VIEW)

    @property
    def cases(self) -> bool:
        return policy.can(self._user, policy.Action.CASE_VIEW)

    @property
    def meetings(self) -> bool:
        return policy.can(self._user, policy.Action.MEETING_VIEW)

    @property
    def requests(self) -> bool:
        """Formal requests from other regions (subjects:request_list): the signal workers."""
        return policy.can(self._user, policy.Action.SIGNAL_VIEW)

    @property
    def insight(self) -> bool:
        """Management information and the monitors (issue 13 items 1, 5, 7): analyst, process director."""
        return policy.can(self._user, policy.Action.INSIGHT_VIEW)

    @property
    def council_reports(self) -> bool:
        """The council and quarterly report (issue 13 item 3): who may report on a scope (ADR 0041)."""
        return policy.can_view_reports(self._user)

    @property
    def annual_reports(self) -> bool:
        """The annual report of Wet PGA art. 18 (issue 13 item 2): process director, mayor, analyst, FG."""
        return policy.can(self._user, policy.Action.ANNUAL_REPORT_VIEW)

    @property
    def policy_signals(self) -> bool:
        """The region's policy signals (issue 13 item 6): the case roles."""
        return policy.can(self._user, policy.Action.POLICY_SIGNAL_VIEW)

    @property
    def national(self) -> bool:
        """The national figures (issue 13 item 8, Wet PGA art. 24): who may report on the nation."""
        return policy.can_report_on(self._user, "nation", None)

    @property
    def logbook(self) -> bool:
        return policy.can(self._user, policy.Action.PROCESSING_LOG_VIEW)

    @property
    def access_requests(self) -> bool:
        return policy.can(self._user, policy.Action.ACCESS_REQUEST_HANDLE)

    @property
    def withheld(self) -> bool:
        """Records of data withheld for weighty reasons (Wet PGA art. 4 aanhef)."""
        return policy.can(self._user, policy.Action.WITHHELD_VIEW)

    @property
    def audits(self) -> bool:
        """Privacy audits and their re-audits (Wet PGA art. 16): the region's FG."""
        return policy.can(self._user, policy.Action.AUDIT_MANAGE)

    @property
    def designations(self) -> bool:
        """The authorisation register (Wet PGA art. 13): the region's FG."""
        return policy.can(self._user, policy.Action.DESIGNATION_VIEW)

    @property
    def rights_requests(self) -> bool:
        """Data-subject rights requests and the coordinating FG (Wet PGA art. 12): the region's FGs."""
        return policy.can(self._user, policy.Action.RIGHTS_REQUEST_HANDLE)

    @property
    def committee(self) -> bool:
        """The lawfulness advisory committee (Wet PGA art. 15): its members and the chair who responds."""
        return policy.can(self._user, policy.Action.COMMITTEE_VIEW) or policy.can(
            self._user, policy.Action.ADVICE_RESPOND
        )

    @property
    def meldpunt_reports(self) -> bool:
        """Meldingen from the public meldpunt (Wet PGA art. 5 lid 2, ADR 0044): the signal workers."""
        return policy.can(self._user, policy.Action.MELDPUNT_REPORT_VIEW)

    @property
    def partners(self) -> bool:
        """The region's partner systems and their webhook delivery logs (ADR 0045): the functional admin."""
        return policy.can(self._user, policy.Action.PARTNERS_VIEW)

    @property
    def meldpunt_pages(self) -> bool:
        """Each gemeente's meldpunt page: the functional admin."""
        return policy.can(self._user, policy.Action.MELDPUNT_MANAGE)

    @property
    def retention(self) -> bool:
        return policy.can(self._user, policy.Action.RETENTION_MANAGE)

    @property
    def transfers(self) -> bool:
        return policy.can(self._user, policy.Action.TRANSFER_RECEIVE)

    @property
    def third_parties(self) -> bool:
        """Admitting third parties to a case (Wet PGA art. 3 lid 3): the three's weighing members."""
        return policy.can(self._user, policy.Action.THIRD_PARTY_DECIDE)

    @property
    def blocked_cases(self) -> bool:
        """Closed, blocked cases (art. 6 lid 3): follow-up, lawfulness review, renewed weighing."""
        return any(
            policy.can(self._user, action)
            for action in (
                policy.Action.CASE_CLOSED_FOLLOW_UP,
                policy.Action.CASE_LAWFULNESS_REVIEW,
                policy.Action.BLOCKED_CASE_NOTICE,
            )
        )

    @property
    def restricted_documents(self) -> bool:
        """The mayor, and officials the mayor designated as reader of at least one ambtsbericht."""

        if policy.can(self._user, policy.Action.RESTRICTED_MANAGE):
            return True
        return policy.scope_restricted_documents(self._user, RestrictedDocument.objects.all()).exists()


def menu(request):
    user = getattr(request, "user", None)
    match = getattr(request, "resolver_match", None)
    return {"menu": _Menu(user), "printable": bool(match and match.view_name in PRINTABLE)}
