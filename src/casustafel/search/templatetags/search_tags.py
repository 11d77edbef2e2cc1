from django import template

from casustafel.access import policy

register = template.Library()


@register.simple_tag(takes_context=True)
def may_search(context) -> bool:
    """Whether the header shows the search box: only to users who may search."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and policy.can(user, policy.Action.SEARCH))
