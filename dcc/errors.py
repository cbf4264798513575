"""French error pages (400/403/404/500) rendered with the site layout."""

from django.http import HttpResponseServerError
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


def server_error(request):
    # No request context: the failure may come from a context processor or the database.
    return HttpResponseServerError(loader.get_template("errors/500.html").render())
