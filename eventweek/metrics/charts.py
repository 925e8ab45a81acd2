"""Server-rendered SVG charts (pygal) of the figures; pages show each beside its table.

Pure: these functions take labels and numbers and return SVG text. No script, no web
font and no external address ends up in the SVG, so it renders the same offline and
under a strict Content-Security-Policy.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date

import pygal
from pygal.style import Style

# Dark enough on white for text; series also differ by outline pattern, not colour alone.
CHART_STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1a1a1a",
    foreground_strong="#1a1a1a",
    foreground_subtle="#595959",
    colors=("#005a8c", "#b35900", "#2d6a2d", "#6b3fa0"),
    font_family="system-ui, sans-serif",
    label_font_size=13,
    major_label_font_size=13,
    value_font_size=13,
    value_label_font_size=13,
    title_font_size=16,
    legend_font_size=14,
)
# The second series of a chart gets a dashed outline, in the plot and in the legend.
# pygal does not prefix inline CSS with the chart's id; each SVG holds one chart anyway.
PATTERN_CSS = (
    "inline:"
    ".serie-1 .rect, .serie-1 .line, .legends .color-1"
    "{ stroke: #1a1a1a !important; stroke-width: 2px; stroke-dasharray: 6 3; }"
)
SCRIPT = re.compile(r"<script\b.*?</script>", re.S)

Formatter = Callable[[float], str]


def base_config(title: str, formatter: Formatter, **options) -> dict:
    return {
        "title": title,
        "style": CHART_STYLE,
        "js": [],
        "css": ["file://style.css", "file://graph.css", PATTERN_CSS],
        "value_formatter": formatter,
        "width": 760,
        "height": 360,
        "print_values": True,
        "truncate_label": -1,
        "truncate_legend": -1,
        "legend_at_bottom": True,
        "disable_xml_declaration": False,
        **options,
    }


def render(chart) -> str:
    # pygal always writes a small configuration script; an image needs none.
    return SCRIPT.sub("", chart.render(is_unicode=True))


def trend_chart(
    title: str,
    points: Sequence[tuple[date, float]],
    formatter: Formatter,
    date_formatter: Callable[[date], str],
) -> str:
    """A line over time, spaced by date (one figure a year apart looks a year apart), from
    zero so that growth is not exaggerated, with a label on each 1 January."""
    years = range(min(day.year for day, _value in points), max(day.year for day, _v in points) + 2)
    chart = pygal.DateLine(
        **base_config(
            title,
            formatter,
            show_legend=False,
            x_value_formatter=date_formatter,
            x_label_rotation=0,
            dots_size=5,
            print_values=False,
            include_x_axis=True,
        )
    )
    chart.x_labels = [date(year, 1, 1) for year in years]
    chart.add(title, list(points))
    return render(chart)


def bar_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    formatter: Formatter,
    *,
    horizontal: bool = False,
) -> str:
    """Bars per label; with one series, no legend is needed."""
    chart_class = pygal.HorizontalBar if horizontal else pygal.Bar
    height = max(360, 60 + 34 * len(labels) * len(series)) if horizontal else 360
    chart = chart_class(**base_config(title, formatter, show_legend=len(series) > 1, height=height))
    chart.x_labels = list(labels)
    for name, values in series:
        chart.add(name, list(values))
    return render(chart)
