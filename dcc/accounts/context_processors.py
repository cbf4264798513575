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
        items = session_nav_items(request)
        context["nav_items"] = items
        context["nav_section"] = current_section(getattr(request, "resolver_match", None), items)
    return context


def current_section(match, items) -> str:
    """The menu entry of the page: the one registered for this very view (``"records:quarantine"``) if any,
    else the one of its URL namespace (``"rcp"``), else of its name (``"home"``)."""
    if match is None:
        return ""
    if any(item.section == match.view_name for item in items):
        return match.view_name
    return match.namespace or match.url_name
