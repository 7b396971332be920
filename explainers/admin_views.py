"""
The editorial admin's workflow pages: confirmations, the review page and the condition approval.

Each view checks the permission itself, then calls the model's named method, which asks the
step's rule again while holding the row lock; a refusal (``TransitionNotAllowed``) is shown
as a message. Decision forms carry the version (number and hash) the page showed, so a
decision applies to exactly what the person read.
"""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.dateformat import format as format_date

from . import forms
from .diffing import diff_versions, word_diff
from .models import (
    APPROVE,
    PUBLISH,
    SUBMIT,
    EventAction,
    Review,
    ReviewKind,
    SiteSettings,
    Status,
    TransitionNotAllowed,
)
from .models.schedule import local_time


def explainer_or_404(model_admin, request, object_id):
    explainer = model_admin.get_object(request, unquote(object_id))
    if explainer is None:
        raise Http404("No explainer with that id.")
    if not model_admin.has_view_or_change_permission(request, explainer):
        raise PermissionDenied
    return explainer


def page_context(model_admin, request, explainer, title):
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "explainer": explainer,
        "original": explainer,
        "title": title,
        "has_view_permission": model_admin.has_view_permission(request, explainer),
        "change_url": reverse("admin:explainers_explainer_change", args=[explainer.pk]),
        "media": model_admin.media,
    }


def back_to_explainer(explainer):
    return redirect("admin:explainers_explainer_change", explainer.pk)


def confirm(
    model_admin, request, explainer, *, form, title, intro, button, perform, button_style="default", readability=False
):
    """Show a confirmation page; on a valid POST, run ``perform`` and report its outcome as a message.

    ``readability`` shows the reading level of the text as saved (readability/), before it is submitted.
    """
    if request.method == "POST" and form.is_valid():
        try:
            success = perform(form.cleaned_data)
        except TransitionNotAllowed as error:
            model_admin.message_user(request, str(error), messages.ERROR)
        else:
            model_admin.message_user(request, success, messages.SUCCESS)
        return back_to_explainer(explainer)
    return TemplateResponse(
        request,
        "admin/explainers/explainer/workflow_confirm.html",
        {
            **page_context(model_admin, request, explainer, title),
            "intro": intro,
            "form": form,
            "button": button,
            "button_style": button_style,
            "readability": readability,
        },
    )


def posted(request):
    return request.POST if request.method == "POST" else None  # an empty POST is still a POST


def submit_view(model_admin, request, object_id):
    explainer = explainer_or_404(model_admin, request, object_id)
    if not request.user.has_perm(SUBMIT):
        raise PermissionDenied

    def perform(data):
        version = explainer.submit_for_review(
            by=request.user, comment=data["comment"], change_summary=data.get("change_summary", "")
        )
        return f"Submitted version {version.number} of “{explainer}” for clinical review."

    return confirm(
        model_admin,
        request,
        explainer,
        form=forms.SubmitForm(posted(request), explainer=explainer),
        title="Submit for review",
        intro="The current text and address are frozen as a new version and sent to the medical reviewers. Any "
        "later edit sends it back to draft.",
        button="Submit for review",
        perform=perform,
        readability=True,
    )


def publish_view(model_admin, request, object_id):
    explainer = explainer_or_404(model_admin, request, object_id)
    if not request.user.has_perm(PUBLISH):
        raise PermissionDenied
    approval = explainer.pending_review() if explainer.status == Status.APPROVED else None
    version = approval.version if approval else None
    form = forms.PublishForm(posted(request), request=request, explainer=explainer, version=version)

    def perform(data):
        if data.get("publish_at"):
            explainer.schedule_publication(
                by=request.user, version=data["version"], at=data["publish_at"], signed_with=data["signed_with"]
            )
            when = local_time(data["publish_at"])
            return f"Scheduled “{explainer}”: version {data['version'].number} will be published at {when}."
        explainer.publish(by=request.user, version=data["version"], signed_with=data["signed_with"])
        return f"Published “{explainer}”: version {data['version'].number} is now on the public site."

    if approval is None:
        intro = "There is no approved version to publish."
    else:
        intro = (
            f"Version {version.number}, approved by {approval.reviewer_name} on "
            f"{format_date(approval.reviewed_on, 'j F Y')} ({approval.get_kind_display().lower()}), becomes the "
            "public page. Edits made since are not published."
        )
    return confirm(
        model_admin,
        request,
        explainer,
        form=form,
        title="Publish",
        intro=intro,
        button="Publish",
        perform=perform,
    )


def withdraw_view(model_admin, request, object_id):
    explainer = explainer_or_404(model_admin, request, object_id)
    if not request.user.has_perm(PUBLISH):
        raise PermissionDenied

    def perform(data):
        if data.get("withdraw_at"):
            explainer.schedule_withdrawal(by=request.user, at=data["withdraw_at"], reason=data["reason"])
            return f"Scheduled “{explainer}” to be withdrawn at {local_time(data['withdraw_at'])}."
        explainer.withdraw(by=request.user, reason=data["reason"])
        return f"Withdrew “{explainer}” from the public site."

    return confirm(
        model_admin,
        request,
        explainer,
        form=forms.WithdrawForm(posted(request)),
        title="Withdraw",
        intro="The page disappears from the public site. Its versions, reviews and history are kept.",
        button="Withdraw",
        perform=perform,
        button_style="danger",
    )


def schedule_view(model_admin, request, object_id):
    explainer = explainer_or_404(model_admin, request, object_id)
    if not request.user.has_perm(PUBLISH):
        raise PermissionDenied
    form = forms.ScheduleReviewForm(posted(request), initial={"due": explainer.next_review_due})
    if request.method == "POST" and form.is_valid():
        # The rule's refusal belongs next to the date, where the person can fix it and keep what they typed.
        if reason := explainer.schedule_refusal(request.user, due=form.cleaned_data["due"]):
            form.add_error("due", reason)

    def perform(data):
        explainer.schedule_review(by=request.user, due=data["due"])
        return f"The next review of “{explainer}” is due on {format_date(data['due'], 'j F Y')}."

    longest = SiteSettings.load().max_review_interval_months
    return confirm(
        model_admin,
        request,
        explainer,
        form=form,
        title="Schedule review",
        intro="Set when a medical reviewer should next review this explainer. The date is shown on the public "
        f"page as “Next review due”, and can be at most {longest} months after the last full review.",
        button="Schedule review",
        perform=perform,
    )


def review_view(model_admin, request, object_id):
    """Show what changed since the last approval and the page as the public would see it; take a decision."""
    explainer = explainer_or_404(model_admin, request, object_id)
    user = request.user
    if request.method == "POST" and not user.has_perm(APPROVE):
        raise PermissionDenied
    version = explainer.latest_version()
    if version is None:
        model_admin.message_user(request, f"“{explainer}” has not been submitted for review yet.", messages.WARNING)
        return back_to_explainer(explainer)
    form = forms.ReviewDecisionForm(posted(request), request=request, explainer=explainer, version=version)
    if request.method == "POST" and form.is_valid():
        return decide(model_admin, request, explainer, form.cleaned_data)
    base = (
        Review.objects.approvals()
        .filter(explainer=explainer, version__number__lt=version.number)
        .select_related("version")
        .order_by("-pk")
        .first()
    )
    refusal = explainer.review_refusal(user, version=version) if user.has_perm(APPROVE) else None
    site = SiteSettings.load()
    context = {
        **page_context(model_admin, request, explainer, f"Review “{explainer}”, version {version.number}"),
        "version": version,
        "submission": explainer.events.filter(action=EventAction.SUBMITTED, version=version)
        .select_related("actor")
        .first(),
        "base_version": base.version if base else None,
        "diff": diff_versions(base.version if base else None, version),
        "words_changed_percent": explainer.words_changed_percent(version),
        "minor_change_max_percent": site.minor_change_max_percent,
        "form": form,
        "can_decide": user.has_perm(APPROVE) and refusal is None,
        "refusal": refusal,
        "minor_refusal": explainer.review_refusal(user, version=version, kind=ReviewKind.MINOR)
        if refusal is None and user.has_perm(APPROVE)
        else None,
    }
    return TemplateResponse(request, "admin/explainers/explainer/review.html", context)


def decide(model_admin, request, explainer, data):
    try:
        if data["decision"] == ReviewKind.CHANGES_REQUESTED:
            explainer.request_changes(
                by=request.user, version=data["version"], comments=data["comments"], signed_with=data["signed_with"]
            )
            success = f"Sent “{explainer}” back to its authors with your comments."
        else:
            review = explainer.approve(
                by=request.user,
                version=data["version"],
                kind=data["decision"],
                comments=data["comments"],
                signed_with=data["signed_with"],
                change_summary=data["change_summary"],
                correction_note=data["correction_note"],
                confirm_sources=data.get("confirm_sources", False),
            )
            success = (
                f"Approved version {review.version.number} of “{explainer}” ({review.get_kind_display().lower()}); "
                "a publisher can now publish it."
            )
    except TransitionNotAllowed as error:
        model_admin.message_user(request, str(error), messages.ERROR)
    else:
        model_admin.message_user(request, success, messages.SUCCESS)
    return back_to_explainer(explainer)


def approve_condition_view(model_admin, request, object_id):
    """Show the condition's public details as they would change; approve exactly what the page showed."""
    condition = model_admin.get_object(request, unquote(object_id))
    if condition is None:
        raise Http404("No condition with that id.")
    if not request.user.has_perm(APPROVE):
        raise PermissionDenied
    form = forms.ConditionApprovalForm(
        posted(request), request=request, initial={"content_hash": condition.working_hash()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            condition.approve_description(
                by=request.user,
                content_hash=form.cleaned_data["content_hash"],
                signed_with=form.cleaned_data["signed_with"],
            )
        except TransitionNotAllowed as error:
            model_admin.message_user(request, str(error), messages.ERROR)
        else:
            model_admin.message_user(
                request, f"Approved the details of “{condition}”; they are now public.", messages.SUCCESS
            )
        return redirect("admin:explainers_condition_change", condition.pk)
    approved = condition.approved_description
    return TemplateResponse(
        request,
        "admin/explainers/condition/approve_description.html",
        {
            **model_admin.admin_site.each_context(request),
            **model_admin.approval_context(request, condition),
            "opts": model_admin.opts,
            "original": condition,
            "condition": condition,
            "form": form,
            "title": f"Approve the details of “{condition}”",
            "has_view_permission": model_admin.has_view_permission(request, condition),
            "changes": [
                ("Name", word_diff(approved.name if approved else "", condition.name.strip())),
                (
                    "Also known as",
                    word_diff(approved.alternate_names if approved else "", condition.alternate_names.strip()),
                ),
                ("Description", word_diff(approved.text if approved else "", condition.description.strip())),
            ],
            "media": model_admin.media,
        },
    )
