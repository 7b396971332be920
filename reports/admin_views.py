"""
The triage page behind each button of a report's change form: a note (required to resolve or dismiss)
and a confirm button. The view checks the permission itself, then calls the report's named step,
which asks ``Report.step_refusal`` again while holding the row lock.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from explainers.models import TransitionNotAllowed

from .models import TriageStep

INTROS = {
    TriageStep.ACKNOWLEDGE: "Say the report has been read and is being looked into.",
    TriageStep.RESOLVE: "Close the report because the page was (or will be) corrected. Say what was done.",
    TriageStep.DISMISS: "Close the report without changing the page. Say why nothing needs doing.",
    TriageStep.START_RE_REVIEW: (
        "Make the explainer due for a medical review today: it joins the overdue queue and the reviewers' "
        "reminders. The report stays open."
    ),
}


class TriageForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 4, "cols": 60}), required=False)

    def __init__(self, *args, step, **kwargs):
        super().__init__(*args, **kwargs)
        needed = step in TriageStep.needing_a_note()
        self.fields["note"].required = needed
        self.fields["note"].label = "Resolution note" if needed else "Note (optional)"
        self.fields["note"].error_messages["required"] = "Write a resolution note: say what was done, or why not."


def triage_view(model_admin, request, object_id, step):
    report = model_admin.get_object(request, unquote(object_id))
    if report is None or step not in INTROS:
        raise Http404("No such report or triage step.")
    if not (model_admin.has_view_permission(request, report) and model_admin.has_triage_permission(request)):
        raise PermissionDenied
    step = TriageStep(step)
    form = TriageForm(request.POST if request.method == "POST" else None, step=step)
    if request.method == "POST" and form.is_valid():
        note = form.cleaned_data["note"]
        try:
            if step == TriageStep.ACKNOWLEDGE:
                report.acknowledge(by=request.user, note=note)
            elif step == TriageStep.RESOLVE:
                report.resolve(by=request.user, note=note)
            elif step == TriageStep.DISMISS:
                report.dismiss(by=request.user, note=note)
            else:
                report.start_re_review(by=request.user, note=note)
        except TransitionNotAllowed as error:
            model_admin.message_user(request, str(error), messages.ERROR)
        else:
            model_admin.message_user(request, f"{step.label}: done.", messages.SUCCESS)
        return redirect("admin:reports_report_change", report.pk)
    return TemplateResponse(
        request,
        "reports/admin/triage_step.html",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.opts,
            "original": report,
            "report": report,
            "title": f"{step.label}: {report}",
            "intro": INTROS[step],
            "refusal": report.step_refusal(request.user, step, note="(any)"),
            "form": form,
            "step": step,
        },
    )
