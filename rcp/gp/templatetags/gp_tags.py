"""``{% gp_dossier_block dossier %}``: the GP's notice and contributions shown to the RCP on a dossier."""

from django import template

from rcp.gp import perms, selectors
from rcp.gp.enums import NoticeOutcome

register = template.Library()


@register.inclusion_tag("gp/_contributions.html", takes_context=True)
def gp_dossier_block(context, dossier):
    user = context["request"].user
    notice = selectors.notice_of(dossier)
    notified = notice is not None and notice.outcome == NoticeOutcome.NOTIFIED
    # Only a notified GP contributes: no contribution query for the other dossiers.
    contributions = selectors.contributions_of(dossier) if notified else []
    return {
        "dossier": dossier,
        "gp_notice": notice,
        "contributions": contributions,
        "can_contribute": notified
        and notice.professional_id == user.professional_id
        and perms.can_contribute(user, dossier),
    }
