"""
Admin pieces the explainers' admin pages share: the read-only record admin and the owner filter.
"""

from django.contrib import admin

from .models import Explainer

ADMIN_CSS = {"all": ["css/admin.css"]}


class OwnerFilter(admin.SimpleListFilter):
    """Mine, or nobody's: never a list of every member of staff.

    ``explainer`` is the path from the listed rows to their explainer ("" when they are explainers).
    """

    title = "owner"
    parameter_name = "owner"
    explainer = ""

    def lookups(self, request, model_admin):
        return [("mine", "Mine"), ("none", "No owner")]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(**{f"{self.explainer}owner": request.user})
        if self.value() == "none":
            unowned = Explainer.objects.without_owner()
            return queryset.filter(explainer__in=unowned) if self.explainer else queryset & unowned
        return queryset


class RecordAdmin(admin.ModelAdmin):
    """The review record: anyone with view permission may read it; nobody may add, change or delete it."""

    actions = None

    class Media:
        css = ADMIN_CSS

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
