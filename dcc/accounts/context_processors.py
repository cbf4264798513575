from datetime import datetime

from django.conf import settings

from dcc.accounts.nav_cache import session_nav_items


def navigation(request):
    user = getattr(request, "user", None)
    context = {
        "region_name": settings.DCC_REGION_NAME,
        "impersonator": getattr(request, "dcc_impersonator", None),
        "psc_enabled": settings.DCC_PSC_ENABLED,
    }
    session = getattr(request, "session", None)
    reminder = session.get("dcc_mfa_reminder") if session is not None else None
    context["mfa_deadline"] = datetime.fromisoformat(reminder) if reminder else None
    if user is not None and user.is_authenticated:
        section = getattr(request, "resolver_match", None)
        context["nav_items"] = session_nav_items(request)
        context["nav_section"] = (section.namespace or section.url_name) if section else ""
    return context
