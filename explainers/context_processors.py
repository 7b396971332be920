from .models import SiteSettings


def site(request):
    """Expose the editable site-wide settings (disclaimer, community name) to every template."""
    return {"site_settings": SiteSettings.load}
