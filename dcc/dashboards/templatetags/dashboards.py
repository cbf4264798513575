from django import template

from dcc.dashboards.tables import format_cell

register = template.Library()


@register.filter
def cell(pair) -> str:
    """``(column, value)`` → its French display."""
    column, value = pair
    return format_cell(column, value)


@register.filter
def trend_class(pair) -> str:
    column, value = pair
    if column.kind != "var" or value is None:
        return ""
    return "dash-up" if value > 0 else "dash-down" if value < 0 else ""
