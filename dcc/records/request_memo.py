"""Answers computed once per request: ``can_view_patient`` is asked three or four times by a dossier page.

``RequestMemoMiddleware`` opens an empty memo for the request (a context variable: per thread, per request) and
drops it afterwards. Outside a request (tasks, shell, tests calling the rules directly) there is no memo and
every call asks the database. Only grants of access are remembered, never refusals: a page that gives access
(a bris de glace) and then checks again sees the new answer.
"""

from __future__ import annotations

from contextvars import ContextVar

_memo: ContextVar[dict | None] = ContextVar("dcc_request_memo", default=None)


def current() -> dict | None:
    return _memo.get()


class RequestMemoMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _memo.set({})
        try:
            return self.get_response(request)
        finally:
            _memo.reset(token)
