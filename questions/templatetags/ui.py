from django import template
from django.utils.functional import Promise
from django.utils.html import format_html

register = template.Library()


def bilingual(zh: str, en: str):
    """A bilingual label: Chinese first, English beside it."""
    return format_html('<span class="zh">{}</span> <span class="en" lang="en">{}</span>', zh, en)


class BilingualNode(template.Node):
    def __init__(self, zh: template.base.FilterExpression, en: template.base.FilterExpression):
        self.zh, self.en = zh, en
        # Most labels are two string literals: their markup is known once the template is parsed,
        # and pages render dozens of them. (A translated literal stays lazy: it is not constant.)
        self.constant = None
        if not any(p.is_var or p.filters or isinstance(p.var, Promise) for p in (zh, en)):
            self.constant = bilingual(zh.var, en.var)

    def render(self, context):
        if self.constant is not None:
            return self.constant
        return bilingual(self.zh.resolve(context), self.en.resolve(context))


@register.tag
def bi(parser, token):
    """{% bi "中文" "English" %}: a bilingual label (`bilingual`), from literals or variables."""
    bits = token.split_contents()
    if len(bits) != 3:
        raise template.TemplateSyntaxError(f"{bits[0]} takes a Chinese and an English text.")
    return BilingualNode(parser.compile_filter(bits[1]), parser.compile_filter(bits[2]))


@register.filter
def duration_mmss(value) -> str:
    """A timedelta as m:ss (or h:mm:ss)."""
    if value is None:
        return ""
    seconds = max(0, int(value.total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
