from django.contrib import admin

from teams.models import Membership, Team


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "team"
    fields = ["user", "role", "joined_at", "left_at", "removed_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    """Read-mostly: membership changes go through the site so their rules hold."""

    list_display = ["name", "owner", "created_at", "archived_at", "public_board_opt_out"]
    list_filter = ["public_board_opt_out", ("archived_at", admin.EmptyFieldListFilter)]
    search_fields = ["name"]
    fields = ["name", "description", "owner", "public_board_opt_out", "created_at", "archived_at"]
    readonly_fields = ["owner", "created_at", "archived_at"]
    inlines = [MembershipInline]

    def has_add_permission(self, request) -> bool:
        return False
