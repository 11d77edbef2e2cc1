"""``{% case_timeline_links case %}``: on the case page, the links to the case's timeline,
the person's timeline, and back to the signals and weighing that led to the case — each only
when the user may see it (the selectors apply the policy)."""

from django import template

from casustafel.access import policy
from casustafel.signals import selectors as signal_selectors
from casustafel.weighing import selectors as weighing_selectors

register = template.Library()


@register.inclusion_tag("timeline/partials/case_links.html", takes_context=True)
def case_timeline_links(context, case):
    user = context["request"].user
    signals = list(
        signal_selectors.visible_signals(user)
        .filter(weighing__decisions__case=case)
        .distinct()
        .order_by("registered_at")
    )
    weighing = weighing_selectors.visible_weighings(user).filter(decisions__case=case).first()
    return {
        "case": case,
        "signals": signals,
        "weighing": weighing,
        "person_visible": policy.can(user, policy.Action.CASE_IDENTITY_VIEW, case),
    }
