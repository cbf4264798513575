"""URLs of the RCP benchmark: the project's, plus a minimal view as the baseline."""

from django.http import HttpResponse
from django.urls import include, path


def minimal(request):
    return HttpResponse("ok")


urlpatterns = [path("bench/minimal/", minimal), path("", include("dcc.urls"))]
