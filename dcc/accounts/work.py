"""Work lists of the home page: what each person has to do next, gathered from the apps above.

``dcc.accounts`` is the lowest layer and cannot import ``rcp`` or ``pps``: each app offers a provider (dotted path
in ``settings.DCC_WORK_LISTS``) taking the user and their main profile and returning its ``WorkList``s. Each list
is short (a few rows, newest first) and links to where the work is done.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

LIMIT = 8


@dataclass(frozen=True)
class WorkItem:
    label: str
    detail: str
    url: str


@dataclass(frozen=True)
class WorkList:
    key: str
    title: str
    items: tuple[WorkItem, ...]
    empty: str
    more_url: str = ""
    more_label: str = ""


def work_lists(user, profile) -> list[WorkList]:
    lists: list[WorkList] = []
    for path in getattr(settings, "DCC_WORK_LISTS", ()):
        lists.extend(import_string(path)(user, profile))
    return lists
