"""Small bar charts drawn on the server as SVG (no chart library): the geometry here, the markup
in public_site/console/_usage_chart.html. Each chart has a text alternative (title, description)
and its figures as a table."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from careplatform.timeutil import format_local
from tenants.console import UsageSeries

WIDTH, HEIGHT = 360, 150
TOP, BASELINE = 22, 118  # the tallest bar reaches TOP; bars stand on BASELINE
LEFT, RIGHT = 4, 356
BAR_SHARE = 0.64  # of each month's slot


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label_x: float
    month: str  # "mars"
    month_long: str  # "mars 2026"
    value: int


@dataclass(frozen=True)
class BarChart:
    metric: str
    label: str
    description: str
    peak: int
    bars: list[Bar]
    width: int = WIDTH
    height: int = HEIGHT
    top: int = TOP
    baseline: int = BASELINE
    left: int = LEFT
    right: int = RIGHT


def _description(series: UsageSeries, bars: list[Bar]) -> str:
    if not series.peak:
        return _("Ingen användning under perioden.")
    busiest = max(bars, key=lambda bar: bar.value)
    return _("Högst %(value)s i %(month)s, %(latest)s i %(last)s.") % {
        "value": busiest.value,
        "month": busiest.month_long,
        "latest": bars[-1].value,
        "last": bars[-1].month_long,
    }


def bar_chart(series: UsageSeries) -> BarChart:
    slot = (RIGHT - LEFT) / len(series.months)
    scale = (BASELINE - TOP) / series.peak if series.peak else 0
    bars = []
    for index, (month, value) in enumerate(zip(series.months, series.values, strict=True)):
        height = round(value * scale, 1)
        x = LEFT + index * slot
        bars.append(
            Bar(
                x=round(x + slot * (1 - BAR_SHARE) / 2, 1),
                y=round(BASELINE - height, 1),
                width=round(slot * BAR_SHARE, 1),
                height=height,
                label_x=round(x + slot / 2, 1),
                month=format_local(month, "month"),
                month_long=format_local(month, "month_year"),
                value=value,
            )
        )
    return BarChart(series.metric, series.label, _description(series, bars), series.peak, bars)
