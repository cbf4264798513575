"""``{% main_navigation %}``: the site's navigation bar (brand, menu, signed-in user, logout), drawn by formatting.

It is on every page. As a template (a loop over the entries with two comparisons each, two ``{% url %}``, the
logout form's token) it cost about a quarter of a millisecond per page, some 3 % of the CPU of the mixed workload
of ``make bench``; formatted here, a few hundredths. The context is the template's: ``user``, ``nav_items`` and
``nav_section`` (``dcc.accounts.context_processors.navigation``), ``region_name``, ``csrf_token``.
"""

from __future__ import annotations

from django import template
from django.template import Context
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from dcc.form_rendering import escape_str

register = template.Library()

_HEADER = """<header class="site-header">
  <nav class="navbar navbar-expand-xl navbar-dark" aria-label="Navigation principale">
    <div class="container-lg">
      <a class="navbar-brand fw-semibold" href="{home}">DCC <span class="fw-normal">{region}</span></a>{menu}
    </div>
  </nav>
</header>"""
_MENU = """
      <button class="navbar-toggler"
              type="button"
              data-bs-toggle="collapse"
              data-bs-target="#menu-principal"
              aria-controls="menu-principal"
              aria-expanded="false"
              aria-label="Afficher le menu">
        <span class="navbar-toggler-icon"></span>
      </button>
      <div class="collapse navbar-collapse" id="menu-principal">
        <ul class="navbar-nav me-auto">{items}
        </ul>
        <div class="d-flex align-items-center gap-3 text-white">
          <span class="small" data-testid="current-user">{user}</span>
          <form method="post" action="{logout}">{token}
            <button type="submit" class="btn btn-sm btn-outline-light">Se déconnecter</button>
          </form>
        </div>
      </div>"""
_ITEM = """
          <li class="nav-item"><a class="nav-link" href="{url}">{label}</a></li>"""
_CURRENT_ITEM = """
          <li class="nav-item"><a class="nav-link active" href="{url}" aria-current="page">{label}</a></li>"""


def _csrf_input(context: Context) -> str:
    """``{% csrf_token %}``: the form's hidden token, nothing when the context has none."""
    value = context.get("csrf_token")
    if not value or value == "NOTPROVIDED":
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape_str(value)}">'


@register.simple_tag(takes_context=True)
def main_navigation(context: Context) -> SafeString:
    user = context.get("user")
    menu = ""
    if user is not None and user.is_authenticated:
        section = context.get("nav_section")
        items = "".join(
            (_CURRENT_ITEM if item.section == section else _ITEM).format(
                url=escape_str(item.url), label=escape_str(item.label)
            )
            for item in context.get("nav_items") or ()
        )
        menu = _MENU.format(
            items=items,
            user=escape_str(user.display_name),
            logout=escape_str(reverse("account_logout")),
            token=_csrf_input(context),
        )
    region = escape_str(context.get("region_name", ""))
    header = _HEADER.format(home=escape_str(reverse("home")), region=region, menu=menu)
    return mark_safe(header)  # noqa: S308 - every value put in is escaped
