"""Geometry of the small server-side SVG bar charts of the page (the data table beside them is the text alternative)."""

from __future__ import annotations

from dataclasses import dataclass

from interop.deliverability.selectors import Rate

WIDTH, HEIGHT, TOP, BOTTOM, LEFT = 720, 240, 16, 48, 40
TARGET = 90  # the region's deliverability target (%)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: str
    below_target: bool
    text_x: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    target_y: float
    axis_y: float
    left: int
    gridlines: list[tuple[float, int]]


def bar_chart(rates: list[Rate]) -> Chart:
    plot = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT) / max(len(rates), 1)
    bars = []
    for index, rate in enumerate(rates):
        percent = rate.percent
        height = plot * (percent or 0) / 100
        x = LEFT + index * slot + slot * 0.15
        bars.append(
            Bar(
                x=round(x, 1),
                y=round(TOP + plot - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                label=rate.label,
                value="—" if percent is None else f"{percent:.0f} %",
                below_target=percent is not None and percent < TARGET,
                text_x=round(x + slot * 0.35, 1),
            )
        )

    def y_of(percent: int) -> float:
        return round(TOP + plot - plot * percent / 100, 1)

    return Chart(
        width=WIDTH,
        height=HEIGHT,
        bars=bars,
        target_y=y_of(TARGET),
        axis_y=y_of(0),
        left=LEFT,
        gridlines=[(y_of(p), p) for p in (0, 50, 100)],
    )
