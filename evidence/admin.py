"""
The evidence-pack action on the explainer list (``explainers.admin.ExplainerAdmin.actions``).

It only reads, so it is offered to everyone who may view explainers; one pack covers one explainer.
"""

from django.contrib import admin, messages
from django.http import HttpResponse

from . import packs


@admin.action(permissions=["view"], description="Download the evidence pack (ZIP)")
def download_evidence_pack(modeladmin, request, queryset):
    explainers = list(queryset[:2])
    if len(explainers) != 1:
        modeladmin.message_user(request, "Select one explainer: an evidence pack covers one page.", messages.WARNING)
        return None
    explainer = explainers[0]
    response = HttpResponse(packs.build(explainer, by=request.user), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{packs.filename(explainer)}"'
    return response
