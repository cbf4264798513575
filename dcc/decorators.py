"""View decorators: login first, then a permission function (the apps' ``perms``). Platform level: it knows
nothing of the accounts, so every app (the directory included) may use it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def require(check: Callable) -> Callable:
    """Anonymous users go to the login page; logged-in users without the right get a 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
