"""The dashboard's SVG charts: their geometry and their marks (no JavaScript, no library).

Coordinates are in each chart's viewBox units; the SVG scales to its container's width. The
template writes each <svg> element with its title and description; `marks` is what goes inside,
built here rather than by template loops (a few hundred template nodes per page otherwise). Every
value goes through format_html, so a topic's name is escaped as a template would escape it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from progress.selectors import TopicRow, WeekRow

TOPIC_WIDTH = 420
TOPIC_BAR = 370
TOPIC_ROW = 48
TOPIC_TOP = 6
BAR_HEIGHT = 14

LINE_WIDTH = 420
LINE_HEIGHT = 220
LINE_LEFT = 34
LINE_RIGHT = 12
LINE_TOP = 12
LINE_BOTTOM = 34

SPARK_WIDTH = 120
SPARK_HEIGHT = 32


def level(value: float | None) -> str:
    """A CSS class for a 0..1 value: weak, fair or strong."""
    if value is None:
        return "none"
    if value < 0.4:
        return "weak"
    if value < 0.6:
        return "fair"
    return "strong"


@dataclass
class TopicBar:
    row: TopicRow
    label_y: float
    bar_y: float
    mastery_width: float
    mean_x: float
    value_x: float
    level: str

    @property
    def tick_top(self) -> float:
        return self.bar_y - 4

    @property
    def tick_bottom(self) -> float:
        return self.bar_y + BAR_HEIGHT + 4

    @property
    def value_y(self) -> float:
        return self.bar_y + BAR_HEIGHT - 2

    def marks(self, track_width: int) -> SafeString:
        tag = self.row.tag
        english = ""
        if tag.name_en != tag.name_zh:
            english = format_html('<tspan class="chart-en" dx="8">{}</tspan>', tag.name_en)
        return format_html(
            '<g class="topic-bar {}">'
            '<text class="chart-label" x="0" y="{}">{}{}</text>'
            '<rect class="track" x="0" y="{}" width="{}" height="{}" rx="3"></rect>'
            '<rect class="value" x="0" y="{}" width="{}" height="{}" rx="3"></rect>'
            '<line class="mean-tick" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
            '<text class="chart-value" x="{}" y="{}">{}</text>'
            "</g>",
            self.level,
            self.label_y,
            tag.name_zh,
            english,
            self.bar_y,
            track_width,
            BAR_HEIGHT,
            self.bar_y,
            self.mastery_width,
            BAR_HEIGHT,
            self.mean_x,
            self.mean_x,
            self.tick_top,
            self.tick_bottom,
            self.value_x,
            self.value_y,
            self.row.mastery_percent,
        )


@dataclass
class TopicChart:
    width: int
    height: int
    bar_width: int
    bars: list[TopicBar]

    @property
    def marks(self) -> SafeString:
        """One group per topic: its name, the mastery bar on its track, the mean's tick."""
        return mark_safe("\n".join(bar.marks(self.bar_width) for bar in self.bars))


def topic_chart(topics: list[TopicRow]) -> TopicChart:
    bars = []
    for i, row in enumerate(topics):
        top = TOPIC_TOP + i * TOPIC_ROW
        bars.append(
            TopicBar(
                row=row,
                label_y=top + 15,
                bar_y=top + 23,
                mastery_width=round(TOPIC_BAR * row.mastery, 1),
                mean_x=round(TOPIC_BAR * row.mean, 1),
                value_x=TOPIC_BAR + 10,
                level=level(row.mastery),
            )
        )
    height = TOPIC_TOP * 2 + TOPIC_ROW * len(topics)
    return TopicChart(width=TOPIC_WIDTH, height=height, bar_width=TOPIC_BAR, bars=bars)


@dataclass
class Point:
    x: float
    y: float
    week: WeekRow


@dataclass
class Tick:
    position: float
    label: str

    @property
    def text_offset(self) -> float:
        """Where a y-axis label's baseline goes to sit centred on its grid line."""
        return self.position + 4


@dataclass
class LineChart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    path: str
    points: list[Point]
    count_bars: list[tuple[float, float, float, WeekRow]]  # x, y, height
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    bar_width: float

    @property
    def x_label_y(self) -> float:
        return self.bottom + 20

    @property
    def y_label_x(self) -> float:
        return self.left - 8

    @property
    def marks(self) -> SafeString:
        """Grid lines with their labels, the weekly answer counts as bars, the line of the
        weekly means with a dot (and its numbers as a tooltip) per week, the weeks' labels."""
        grid = format_html_join(
            "\n",
            '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"></line>'
            '<text class="axis" x="{}" y="{}" text-anchor="end">{}</text>',
            (
                (
                    self.left,
                    self.right,
                    t.position,
                    t.position,
                    self.y_label_x,
                    t.text_offset,
                    t.label,
                )
                for t in self.y_ticks
            ),
        )
        counts = format_html_join(
            "\n",
            '<rect class="count-bar" x="{}" y="{}" width="{}" height="{}">'
            "<title>{}:{} 题 answers</title></rect>",
            (
                (x, y, self.bar_width, height, week.week.isoformat(), week.answers)
                for x, y, height, week in self.count_bars
            ),
        )
        line = format_html('<path class="score-line" d="{}"></path>', self.path)
        dots = format_html_join(
            "\n",
            '<circle class="score-dot" cx="{}" cy="{}" r="4.5">'
            "<title>{}:{} 分 · {} 题</title></circle>",
            (
                (p.x, p.y, p.week.week.isoformat(), p.week.mean_percent, p.week.answers)
                for p in self.points
            ),
        )
        weeks = format_html_join(
            "\n",
            '<text class="axis" x="{}" y="{}" text-anchor="middle">{}</text>',
            ((t.position, self.x_label_y, t.label) for t in self.x_ticks),
        )
        return mark_safe("\n".join([grid, counts, line, dots, weeks]))


def score_chart(weeks: list[WeekRow]) -> LineChart:
    plot_w = LINE_WIDTH - LINE_LEFT - LINE_RIGHT
    plot_h = LINE_HEIGHT - LINE_TOP - LINE_BOTTOM
    step = plot_w / max(1, len(weeks))
    bottom = LINE_TOP + plot_h
    most = max((w.answers for w in weeks), default=0) or 1

    points, segments, count_bars = [], [], []
    pen_down = False
    for i, week in enumerate(weeks):
        x = round(LINE_LEFT + step * (i + 0.5), 1)
        if week.answers:
            height = round(plot_h * 0.3 * week.answers / most, 1)
            count_bars.append((round(x - step * 0.3, 1), round(bottom - height, 1), height, week))
        if week.mean is None:
            pen_down = False
            continue
        y = round(bottom - plot_h * week.mean, 1)
        points.append(Point(x, y, week))
        segments.append(f"{'L' if pen_down else 'M'}{x},{y}")
        pen_down = True
    y_ticks = [Tick(round(bottom - plot_h * v / 100, 1), str(v)) for v in (0, 25, 50, 75, 100)]
    x_ticks = [
        Tick(round(LINE_LEFT + step * (i + 0.5), 1), week.week.strftime("%m-%d"))
        for i, week in enumerate(weeks)
        if (len(weeks) - 1 - i) % 2 == 0
    ]
    return LineChart(
        width=LINE_WIDTH,
        height=LINE_HEIGHT,
        left=LINE_LEFT,
        right=LINE_WIDTH - LINE_RIGHT,
        top=LINE_TOP,
        bottom=bottom,
        path=" ".join(segments),
        points=points,
        count_bars=count_bars,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        bar_width=round(step * 0.6, 1),
    )


@dataclass
class Sparkline:
    width: int
    height: int
    path: str
    dots: list[tuple[float, float]]

    @property
    def marks(self) -> SafeString:
        dots = format_html_join("", '<circle cx="{}" cy="{}" r="2"></circle>', self.dots)
        return format_html('<path d="{}"></path>{}', self.path, dots)


def sparkline(values: list[float | None]) -> Sparkline:
    step = SPARK_WIDTH / max(1, len(values))
    segments, dots = [], []
    pen_down = False
    for i, value in enumerate(values):
        if value is None:
            pen_down = False
            continue
        x = round(step * (i + 0.5), 1)
        y = round(2 + (SPARK_HEIGHT - 4) * (1 - value), 1)
        segments.append(f"{'L' if pen_down else 'M'}{x},{y}")
        dots.append((x, y))
        pen_down = True
    return Sparkline(SPARK_WIDTH, SPARK_HEIGHT, " ".join(segments), dots)
