from django import template

from .. import selectors
from ..models import Intervention

register = template.Library()


@register.inclusion_tag("plans/partials/case_summary.html")
def plan_summary(case):
    """The plan link and its drift alerts on the case page (the case is already visible to the caller)."""
    interventions = (
        Intervention.objects.filter(plan__case_id=case.pk, ended_on__isnull=True)
        .select_related("entry")
        .prefetch_related("contacts")
    )
    drifting = [(i, selectors.drift_reasons(i)) for i in interventions]
    return {"case": case, "drifting": [(i, r) for i, r in drifting if r]}
