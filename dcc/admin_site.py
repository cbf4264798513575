"""The Django admin, open only to the regional administrators (see ``perms.can_administer``)."""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig

from dcc.accounts.perms import can_administer


class DccAdminSite(AdminSite):
    site_header = "Administration du DCC"
    site_title = "DCC"
    index_title = "Administration régionale"

    def has_permission(self, request) -> bool:
        return can_administer(request.user)


class DccAdminConfig(AdminConfig):
    default_site = "dcc.admin_site.DccAdminSite"
