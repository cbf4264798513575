"""A paginator that never counts more than it can show: the regional trail has tens of millions of lines."""

from __future__ import annotations

from functools import cached_property

from django.core.paginator import Paginator

COUNT_CAP = 10_000  # lines: beyond, the page says « plus de 10 000 lignes » and the filters must narrow it


class CappedPaginator(Paginator):
    """Django's paginator whose count stops at ``cap`` + 1 lines.

    The count is ``SELECT COUNT(*) FROM (SELECT id … LIMIT cap + 1)``: PostgreSQL stops reading after that many
    rows instead of counting the whole table. Pages past the cap are not reachable; ``capped`` says the count is
    a lower bound.
    """

    def __init__(self, object_list, per_page, *, cap: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap

    @cached_property
    def count(self) -> int:
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @property
    def cap_label(self) -> str:
        """The cap written the French way (« 10 000 »)."""
        return f"{self.cap:,}".replace(",", "\u202f")

    @property
    def pages_label(self) -> str:
        """« 12 », or « plus de 200 » when the count was capped."""
        return f"plus de {self.cap // self.per_page}" if self.capped else str(self.num_pages)
