"""``{% gp_dossier_block dossier %}``: the GP's notice and contributions shown to the RCP on a dossier."""

from django import template

from rcp.gp import perms, selectors
from rcp.gp.models import GpNotice

register = template.Library()


@register.inclusion_tag("gp/_contributions.html", takes_context=True)
def gp_dossier_block(context, dossier):
    user = context["request"].user
    notice = GpNotice.objects.filter(dossier_id=dossier.pk).select_related("professional").first()
    contributions = selectors.contributions_of(dossier)
    return {
        "dossier": dossier,
        "gp_notice": notice,
        "contributions": contributions,
        "can_contribute": notice is not None
        and notice.professional_id is not None
        and notice.professional_id == user.professional_id
        and perms.can_contribute(user, dossier),
    }
