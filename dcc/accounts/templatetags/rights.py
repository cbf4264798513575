"""``{% user_can "fiche_validate" three_c=rcp.three_c as allowed %}`` in templates."""

from django import template

from dcc.accounts import perms

register = template.Library()


@register.simple_tag(takes_context=True)
def user_can(context, permission: str, three_c=None, establishment=None) -> bool:
    user = context.get("user")
    return perms.user_can(user, permission, three_c=three_c, establishment=establishment)
