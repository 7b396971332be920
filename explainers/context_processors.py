from django.utils.functional import SimpleLazyObject

from .models import SiteSettings


def site(request):
    """Expose the editable site-wide settings (disclaimer, community name): one query, only if used."""
    return {"site_settings": SimpleLazyObject(SiteSettings.load)}
