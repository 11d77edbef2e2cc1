"""``{% policy_signal_link case=… %}`` / ``{% policy_signal_link meeting=… %}``: on the case and
the conference page, the link to raise a policy signal — only for a user who may."""

from django import template

from casustafel.access import policy

register = template.Library()


@register.inclusion_tag("policy_signals/partials/raise_link.html", takes_context=True)
def policy_signal_link(context, case=None, meeting=None):
    user = context["request"].user
    may = policy.can(user, policy.Action.POLICY_SIGNAL_RAISE)
    if case is not None:
        may = may and policy.can(user, policy.Action.CASE_PARTICIPANT_VIEW, case)
    return {"may_raise": may, "case": case, "meeting": meeting}
