"""The dashboard's SVG marks, built in Python: the chart's values, and everything escaped."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from progress import charts
from progress.models import TopicStat
from progress.selectors import TopicRow, WeekRow
from questions.models import Tag
from tests.progress.histories import Said, questions_in, sit

SCRIPT = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"


def topic(name_zh, name_en, *, mastery, answers=4, score_sum="2"):
    stat = TopicStat(answers=answers, score_sum=Decimal(score_sum))
    tag = Tag(slug="t", name_zh=name_zh, name_en=name_en, position=1)
    return TopicRow(tag=tag, stat=stat, mastery=mastery)


def test_a_topic_bar_shows_its_mastery_and_mean():
    chart = charts.topic_chart([topic("激活函数", "Activation", mastery=0.25)])
    marks = str(chart.marks)
    assert '<g class="topic-bar weak">' in marks
    assert '<text class="chart-label" x="0" y="21">激活函数' in marks
    assert '<tspan class="chart-en" dx="8">Activation</tspan>' in marks
    assert '<rect class="track" x="0" y="29" width="370" height="14" rx="3"></rect>' in marks
    assert f'<rect class="value" x="0" y="29" width="{round(370 * 0.25, 1)}"' in marks
    assert '<line class="mean-tick" x1="185.0" x2="185.0" y1="25" y2="47"></line>' in marks
    assert '<text class="chart-value" x="380" y="41">25</text>' in marks


def test_a_topic_named_the_same_in_both_languages_is_named_once():
    marks = str(charts.topic_chart([topic("Transformer", "Transformer", mastery=0.7)]).marks)
    assert "chart-en" not in marks and marks.count("Transformer") == 1
    assert '<g class="topic-bar strong">' in marks


def test_topic_names_are_escaped():
    marks = str(charts.topic_chart([topic(SCRIPT, SCRIPT + "&", mastery=0.5)]).marks)
    assert "<script>" not in marks
    assert f">{ESCAPED}<tspan" in marks and f">{ESCAPED}&amp;</tspan>" in marks


def test_the_score_chart_has_a_dot_and_a_count_bar_per_week_answered():
    first = date(2025, 3, 3)
    weeks = [
        WeekRow(first, 4, 0.5),
        WeekRow(first + timedelta(weeks=1), 0, None),
        WeekRow(first + timedelta(weeks=2), 2, 0.75),
    ]
    chart = charts.score_chart(weeks)
    marks = str(chart.marks)
    assert marks.count('<circle class="score-dot"') == 2
    assert marks.count('<rect class="count-bar"') == 2
    assert "<title>2025-03-03:4 题 answers</title>" in marks
    assert "<title>2025-03-03:50 分 · 4 题</title>" in marks
    assert "<title>2025-03-17:75 分 · 2 题</title>" in marks
    point = chart.points[1]
    assert f'cx="{point.x}" cy="{point.y}" r="4.5"' in marks
    assert f'<path class="score-line" d="{chart.path}"></path>' in marks
    labels = re.findall(r'text-anchor="end">(\d+)</text>', marks)
    assert labels == ["0", "25", "50", "75", "100"]
    assert re.findall(r'text-anchor="middle">([\d-]+)</text>', marks) == ["03-03", "03-17"]


def test_a_sparkline_draws_a_dot_per_known_week():
    spark = charts.sparkline([0.5, None, 1.0])
    assert str(spark.marks) == (
        '<path d="M20.0,16.0 M100.0,2.0"></path>'
        '<circle cx="20.0" cy="16.0" r="2"></circle><circle cx="100.0" cy="2.0" r="2"></circle>'
    )


@pytest.mark.django_db
def test_the_dashboard_escapes_a_topic_name_everywhere(candidate_client, candidate):
    question = questions_in("activation")[0]
    sit(candidate, [Said(question, 0.2)])
    Tag.objects.filter(slug="activation").update(name_zh=SCRIPT, name_en="Activation")
    page = candidate_client.get(reverse("progress:dashboard")).content.decode()
    assert SCRIPT not in page
    chart = page[page.index('<svg class="chart topic-chart"') : page.index("</svg>")]
    assert f'<text class="chart-label" x="0" y="21">{ESCAPED}<tspan' in chart
    assert f'<th scope="row">{ESCAPED} <span class="en" lang="en">Activation</span></th>' in page
