from __future__ import annotations

import json
import re

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from questions.bank import BankFileError, dump_bank, load_bank
from questions.models import Choice, KeyPoint, Question, QuestionVersion, Tag, Variant

CHOICE_LINE = re.compile(r"^\[(?P<mark>[ xX])\]\s*(?P<text>\S.*)$")
MAX_BANK_UPLOAD = 5 * 1024 * 1024


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name_zh", "name_en", "slug", "position", "question_count"]
    list_editable = ["position"]
    search_fields = ["name_zh", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(question_count=Count("questions"))

    @admin.display(description="题目数 Questions", ordering="question_count")
    def question_count(self, tag: Tag) -> int:
        return tag.question_count


class KeyPointInline(admin.TabularInline):
    model = KeyPoint
    extra = 0
    fields = ["position", "point", "point_en", "weight", "phrases"]
    formfield_overrides = {
        KeyPoint._meta.get_field("phrases"): {"widget": forms.Textarea(attrs={"rows": 3})}
    }


class VariantForm(forms.ModelForm):
    """Edits a variant's choices inline, one per line: '[x] right answer' or '[ ] wrong one'."""

    choices_text = forms.CharField(
        label="选项 Choices",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 50}),
        help_text="每行一个选项,[x] 表示正确。One per line; [x] marks a correct choice.",
    )

    class Meta:
        model = Variant
        fields = ["position", "kind", "prompt", "numeric_answer", "tolerance"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["choices_text"].initial = "\n".join(
                f"[{'x' if c.is_correct else ' '}] {c.text}" for c in self.instance.choices.all()
            )

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        parsed = []
        for number, line in enumerate((data.get("choices_text") or "").splitlines(), 1):
            if not line.strip():
                continue
            match = CHOICE_LINE.match(line.strip())
            if not match:
                raise forms.ValidationError(
                    f"选项第 {number} 行应以 [x] 或 [ ] 开头。Choice line {number} must start "
                    "with [x] or [ ]."
                )
            parsed.append((match["text"].strip(), match["mark"] != " "))
        correct = sum(1 for _, is_correct in parsed if is_correct)
        if kind == Variant.Kind.NUMERIC:
            if data.get("numeric_answer") is None:
                self.add_error(
                    "numeric_answer", "数值题需要答案。A numeric variant needs an answer."
                )
        elif kind and (len(parsed) < 2 or correct == 0):
            raise forms.ValidationError(
                "选择题至少两个选项且至少一个正确。A choice variant needs 2+ choices, one correct."
            )
        elif kind == Variant.Kind.SINGLE and correct != 1:
            raise forms.ValidationError(
                "单选题只能有一个正确选项。A single-choice variant has exactly one correct choice."
            )
        self.parsed_choices = parsed
        return data

    def save(self, commit=True):
        variant = super().save(commit=commit)
        if commit:
            self.save_choices()
        return variant

    def save_choices(self) -> None:
        variant = self.instance
        choices = [] if variant.kind == Variant.Kind.NUMERIC else self.parsed_choices
        for position, (text, is_correct) in enumerate(choices):
            Choice.objects.update_or_create(
                variant=variant,
                position=position,
                defaults={"text": text, "is_correct": is_correct},
            )
        variant.choices.filter(position__gte=len(choices)).delete()


class VariantInline(admin.StackedInline):
    model = Variant
    form = VariantForm
    extra = 0
    fields = ["position", "kind", "prompt", "choices_text", "numeric_answer", "tolerance"]


class QuestionVersionInline(admin.TabularInline):
    model = QuestionVersion
    extra = 0
    can_delete = False
    fields = ["version_link", "author", "created_at", "note"]
    readonly_fields = fields
    ordering = ["-number"]
    verbose_name_plural = "版本历史 Version history"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="版本 Version")
    def version_link(self, version: QuestionVersion) -> str:
        url = reverse("admin:questions_questionversion_change", args=[version.pk])
        return format_html('<a href="{}">v{}</a>', url, version.number)


@admin.action(description="发布所选题目 Publish selected questions")
def publish(modeladmin, request, queryset):
    _set_status(modeladmin, request, queryset, Question.Status.PUBLISHED)


@admin.action(description="停用所选题目 Retire selected questions")
def retire(modeladmin, request, queryset):
    _set_status(modeladmin, request, queryset, Question.Status.RETIRED)


def _set_status(modeladmin, request, queryset, status: str) -> None:
    changed = 0
    for question in queryset.prefetch_related("tags", "key_points", "variants__choices"):
        if question.status != status:
            question.status = status
            question.save(update_fields=["status", "updated_at"])
            question.record_version(author=request.user, note=f"status → {status}")
            changed += 1
    modeladmin.message_user(request, f"{changed} 道题已更新。{changed} questions updated.")


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = [
        "source_number",
        "short_prompt",
        "tag_list",
        "difficulty",
        "status",
        "updated_at",
        "preview_link",
    ]
    list_display_links = ["source_number", "short_prompt"]
    list_filter = ["status", "difficulty", "tags"]
    search_fields = ["prompt", "reference_answer", "key", "key_points__phrases"]
    filter_horizontal = ["tags", "related"]
    actions = [publish, retire]
    inlines = [KeyPointInline, VariantInline, QuestionVersionInline]
    readonly_fields = ["preview_link", "updated_at"]
    fieldsets = [
        (None, {"fields": ["prompt", "reference_answer", "tags", "difficulty", "status"]}),
        (
            "出处与更正 Provenance and corrections",
            {
                "fields": [
                    "key",
                    "source_document",
                    "source_number",
                    "original_answer",
                    "correction_note",
                    "related",
                ],
                "classes": ["collapse"],
            },
        ),
        (None, {"fields": ["preview_link", "updated_at"]}),
    ]
    change_list_template = "admin/questions/question/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        number = search_term.strip().lstrip("#")
        if number.isdigit():
            results |= queryset.filter(source_number=int(number))
        return results, may_have_duplicates

    @admin.display(description="题目 Prompt")
    def short_prompt(self, question: Question) -> str:
        return question.prompt[:50]

    @admin.display(description="标签 Tags")
    def tag_list(self, question: Question) -> str:
        return "、".join(tag.name_zh for tag in question.tags.all())

    @admin.display(description="预览 Preview")
    def preview_link(self, question: Question) -> str:
        if not question.pk:
            return "—"
        return format_html(
            '<a href="{}" target="_blank">预览 Preview</a>', question.get_absolute_url()
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        question = Question.objects.prefetch_related("tags", "key_points", "variants__choices").get(
            pk=form.instance.pk
        )
        question.record_version(author=request.user, note="管理后台编辑 admin edit")

    def get_urls(self):
        extra = [
            path("export/", self.admin_site.admin_view(self.export_view), name="questions_export"),
            path("import/", self.admin_site.admin_view(self.import_view), name="questions_import"),
        ]
        return extra + super().get_urls()

    def export_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = HttpResponse(dump_bank(), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="question-bank-{stamp}.json"'
        return response

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            return HttpResponse(status=403)
        error = ""
        status = 200
        if request.method == "POST":
            upload = request.FILES.get("bank_file")
            if upload is None:
                error = "请选择文件。Choose a file to import."
            elif upload.size > MAX_BANK_UPLOAD:
                error = "文件过大(上限 5 MB)。The file is too large (5 MB at most)."
            else:
                try:
                    questions = load_bank(upload.read().decode("utf-8"), author=request.user)
                except UnicodeDecodeError:
                    error = (
                        "文件不是 UTF-8 文本,题库未改动。"
                        "The file is not UTF-8 text; nothing changed."
                    )
                except BankFileError as failure:
                    error = f"导入失败,题库未改动。Import failed; nothing changed. {failure}"
                else:
                    messages.success(
                        request,
                        f"已导入 {len(questions)} 道题。Imported {len(questions)} questions.",
                    )
                    return redirect("admin:questions_question_changelist")
            status = 400
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "导入题库 Import question bank",
            "error": error,
        }
        return TemplateResponse(
            request, "admin/questions/question/import.html", context, status=status
        )


@admin.register(QuestionVersion)
class QuestionVersionAdmin(admin.ModelAdmin):
    list_display = ["question", "number", "author", "created_at", "note"]
    list_filter = ["created_at"]
    search_fields = ["question__key", "question__prompt", "=question__source_number"]
    list_select_related = ["question", "author"]
    fields = ["question", "number", "author", "created_at", "note", "changes", "content"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="相对上一版的改动 Changed since previous version")
    def changes(self, version: QuestionVersion) -> str:
        previous = (
            QuestionVersion.objects.filter(question=version.question, number__lt=version.number)
            .order_by("-number")
            .first()
        )
        return ", ".join(version.changed_fields(previous)) or "—"

    @admin.display(description="内容 Content")
    def content(self, version: QuestionVersion) -> str:
        text = json.dumps(version.data, ensure_ascii=False, indent=2)
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', text)
