"""
The triage queue for reader reports: new reports first, filtered by status and kind.

Declarative but for the triage buttons: each leads to a small page of its own (admin_views.py)
that asks ``Report.step_refusal`` and calls the named step; the list's one action acknowledges
reports in bulk, one at a time, so each runs the model's checks.
"""

from functools import partial

from django.contrib import admin, messages
from django.db.models import Case, Value, When
from django.urls import path

from explainers.models import TransitionNotAllowed

from . import admin_views
from .models import STEP_FROM, TRIAGE, Report, ReportEvent, ReportStatus


class ReportEventInline(admin.TabularInline):
    model = ReportEvent
    fields = ["created_at", "actor", "step", "from_status", "to_status", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = "triage step"
    verbose_name_plural = "Triage history"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "status", "kind", "explainer", "version_number", "section_label", "has_contact"]
    list_filter = ["status", "kind"]
    list_select_related = ["explainer", "version"]
    search_fields = ["description", "version__question"]
    # New reports first, then the newest.
    ordering = [Case(When(status=ReportStatus.NEW, then=Value(0)), default=Value(1)).asc(), "-created_at"]
    date_hierarchy = "created_at"
    fields = [
        "explainer",
        "version",
        "section_label",
        "section_anchor",
        "kind",
        "description",
        "email",
        "status",
        "resolution_note",
        "created_at",
        "closed_at",
        "contact_erased_at",
    ]
    readonly_fields = fields
    inlines = [ReportEventInline]
    actions = ["acknowledge_selected"]
    change_form_template = "reports/admin/report_change_form.html"

    @admin.display(description="Version", ordering="version__number")
    def version_number(self, report):
        return report.version.number

    @admin.display(description="Section")
    def section_label(self, report):
        return report.section_label

    @admin.display(description="E-mail kept", boolean=True)
    def has_contact(self, report):
        return bool(report.email)

    def has_add_permission(self, request):
        return False  # reports come from readers only

    def has_change_permission(self, request, obj=None):
        return False  # what a reader sent stays as sent; triage goes through the buttons

    def has_delete_permission(self, request, obj=None):
        return False  # closed, not deleted: the history of what readers told us stays

    def has_triage_permission(self, request):
        return request.user.has_perm(TRIAGE)

    @admin.action(permissions=["triage"], description="Acknowledge selected new reports")
    def acknowledge_selected(self, request, queryset):
        done = 0
        for report in queryset:
            try:
                report.acknowledge(by=request.user)
                done += 1
            except TransitionNotAllowed as error:
                self.message_user(request, f"{report}: {error}", messages.WARNING)
        if done:
            self.message_user(request, f"Acknowledged {done} report{'s' if done != 1 else ''}.", messages.SUCCESS)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/triage/<slug:step>/",
                self.admin_site.admin_view(partial(admin_views.triage_view, self)),
                name="reports_report_triage",
            ),
        ] + super().get_urls()

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None:
            # The steps the report's status allows, each with the reason this user may not take it, if any.
            context["triage_steps"] = [
                (step, obj.step_refusal(request.user, step, note="(any)"))
                for step, statuses in STEP_FROM.items()
                if obj.status in statuses
            ]
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)
