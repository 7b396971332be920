from django.contrib import admin, messages

from .models import ApiKey, DailyUsage


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "prefix", "created_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "owner", "prefix"]
    fields = ["name", "owner", "prefix", "created_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "revoked_at"]
    actions = ["revoke_selected"]

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        key = obj.save_new()  # the key exists only in this message: only its hash is stored
        self.message_user(
            request,
            f"The key for “{obj.name}” is {key} — copy it now and send it to {obj.owner}: "
            "it is not stored and cannot be shown again.",
            messages.WARNING,
        )

    @admin.action(permissions=["change"], description="Revoke selected API keys (they get 401 from now on)")
    def revoke_selected(self, request, queryset):
        for key in queryset.filter(revoked_at__isnull=True):
            key.revoke()
        self.message_user(request, "The selected keys are revoked.", messages.SUCCESS)

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: usage rows and the key's history stay


@admin.register(DailyUsage)
class DailyUsageAdmin(admin.ModelAdmin):
    list_display = ["day", "key", "requests"]
    list_filter = ["day"]
    list_select_related = ["key"]
    search_fields = ["key__name", "key__prefix", "key__owner"]
    date_hierarchy = "day"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
