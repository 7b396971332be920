"""
The three editorial roles, as Django groups: what each may do is decided here only.

Used by the data migration that creates the groups, and by the demo and test set-up.
"""

READ = [
    "view_condition",
    "view_explainer",
    "view_section",
    "view_source",
    "view_reviewer",
    "view_review",
    "view_explainerversion",
    "view_explainerevent",
    "view_conditiondescriptionapproval",
    "view_conditionevent",
    "view_reviewerprofilechange",
    "view_reference",
    "view_reviewflag",
    "view_linkcheck",
]

ROLES = {
    # Write drafts and send them for review; never approve or publish.
    "Authors": READ
    + [
        "add_condition",
        "change_condition",
        "add_explainer",
        "change_explainer",
        "add_section",
        "change_section",
        "delete_section",
        "add_source",
        "change_source",
        "delete_source",
        "add_reference",
        "change_reference",
        "submit_explainer",
    ],
    # Read everything, approve or send back; editing would make them a contributor.
    # Marking a source superseded or retracted flags every page that relies on it.
    "Medical reviewers": READ + ["approve_explainer", "change_reviewer", "mark_reference"],
    # Publish approved versions, withdraw, schedule reviews and keep site-wide text current.
    "Publishers": READ
    + [
        "change_explainer",
        "submit_explainer",
        "publish_explainer",
        "mark_reference",
        "view_sitesettings",
        "change_sitesettings",
        "view_sitesettingschange",
    ],
}


def holders(codename):
    """Active users with an e-mail address who hold the explainers permission ``codename``.

    By group, directly, or as superusers: whom an e-mail about that kind of work goes to.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    permission = Permission.objects.get(content_type__app_label="explainers", codename=codename)
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__permissions=permission) | Q(user_permissions=permission) | Q(is_superuser=True))
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
