"""{% bi %}: the bilingual label, from literals (built once, when parsed) or from variables."""

import pytest
from django.template import Context, Template, TemplateSyntaxError

LABEL = '<span class="zh">{}</span> <span class="en" lang="en">{}</span>'


def render(source: str, **context) -> str:
    return Template("{% load ui %}" + source).render(Context(context))


def test_it_labels_from_literals():
    assert render('{% bi "题库" "Questions" %}') == LABEL.format("题库", "Questions")


def test_it_labels_from_variables_and_escapes_them():
    labels = ("<b>题</b>", 'Q & "A"')
    assert render("{% bi zh en %}", zh=labels[0], en=labels[1]) == LABEL.format(
        "&lt;b&gt;题&lt;/b&gt;", "Q &amp; &quot;A&quot;"
    )
    assert render("{% bi labels.0 labels.1 %}", labels=labels).startswith(
        '<span class="zh">&lt;b&gt;'
    )


def test_a_literal_label_renders_the_same_every_time_and_with_filters():
    template = Template('{% load ui %}{% bi "本周" "This week"|upper %}{% bi "全部" "All" %}')
    expected = LABEL.format("本周", "THIS WEEK") + LABEL.format("全部", "All")
    assert template.render(Context()) == template.render(Context({"x": 1})) == expected


def test_it_needs_two_texts():
    with pytest.raises(TemplateSyntaxError):
        render('{% bi "题库" %}')
