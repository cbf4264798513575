"""French error pages (400/403/404/500/503) rendered with the site layout."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def bad_request(request, exception=None):
    from dcc.params import ParameterError

    message = str(exception) if isinstance(exception, ParameterError) else ""
    return render(request, "errors/400.html", {"message": message}, status=400)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


# The database is unreachable or its connection died (server restarted): a 503, the service comes back by itself
# (``CONN_HEALTH_CHECKS`` replaces the dead connection on the next request).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def _database_unavailable(exception: BaseException | None) -> bool:
    seen = 0
    while exception is not None and seen < 10:
        if isinstance(exception, DATABASE_UNAVAILABLE):
            return True
        exception, seen = exception.__cause__ or exception.__context__, seen + 1
    return False


def server_error(request):
    # No request context: the failure may come from a context processor or the database. Django calls this
    # handler inside its ``except`` block, for an exception of a view or of any middleware.
    if _database_unavailable(sys.exc_info()[1]):
        response = HttpResponse(loader.get_template("errors/503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponseServerError(loader.get_template("errors/500.html").render())
