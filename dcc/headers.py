"""Response headers every page carries: ``Permissions-Policy`` (no camera, microphone, location…) and, for
logged-in users (pages with patient data), ``Cache-Control: no-store`` so no browser or proxy keeps a copy."""

from __future__ import annotations

from django.utils.cache import patch_cache_control

PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), usb=(), serial=(), bluetooth=(), xr-spatial-tracking=()"
)


class HeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
            response.headers.pop("Expires", None)
        return response
