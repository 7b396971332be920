"""
django-markdownx's preview and image-upload endpoints, closed to everyone but editors.

The stock views answer anyone, and the stock upload trusts the browser's content type and
file name. Here both require a signed-in staff user who may edit explainers, and an upload
must really be a raster image (checked by decoding it), saved under a name we choose.
"""

from functools import wraps
from pathlib import Path

from django.http import HttpResponse, JsonResponse
from django.utils.html import format_html
from markdownx.exceptions import MarkdownxImageUploadError
from markdownx.forms import ImageForm
from markdownx.views import ImageUploadView, MarkdownifyView
from PIL import Image, UnidentifiedImageError

from .models import SiteSettings
from .rendering import RenderingRefused

# Pillow format name → the content type and extension the file is stored with.
# MPO is a JPEG with extra pictures (phones and cameras add them); it is stored as a plain JPEG.
RASTER_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "MPO": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "GIF": ("image/gif", "gif"),
    "WEBP": ("image/webp", "webp"),
}
EDIT_PERMISSIONS = ("explainers.change_explainer", "explainers.add_explainer")
# Stored images are scaled to 1600 px at most, so more pixels than a large photo only cost memory.
MAX_PIXELS = 50_000_000
TOO_MANY_PIXELS = "This image is too large: upload one of at most 50 megapixels."


def editors_only(view):
    """Refuse the endpoint with 403 unless the user is signed-in staff allowed to edit explainers."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            return JsonResponse({"error": "Sign in to the admin to use the editor."}, status=403)
        if not any(user.has_perm(perm) for perm in EDIT_PERMISSIONS):
            return JsonResponse({"error": "Your role cannot edit explainers."}, status=403)
        return view(request, *args, **kwargs)

    return guarded


class RasterImageForm(ImageForm):
    """An upload that decodes as JPEG, PNG, GIF or WebP; anything else (SVG included) is refused."""

    def clean(self):
        upload = super().clean()
        try:
            with Image.open(upload) as image:
                image.verify()
                detected, (width, height) = image.format, image.size
        except Image.DecompressionBombError as error:
            raise MarkdownxImageUploadError(TOO_MANY_PIXELS) from error
        except (UnidentifiedImageError, OSError, SyntaxError) as error:
            raise MarkdownxImageUploadError("This file is not a JPEG, PNG, GIF or WebP image.") from error
        if detected not in RASTER_FORMATS:
            raise MarkdownxImageUploadError("Only JPEG, PNG, GIF and WebP images can be uploaded.")
        # A few compressed kilobytes can declare gigapixels; refuse before markdownx decodes them.
        if width * height > MAX_PIXELS:
            raise MarkdownxImageUploadError(TOO_MANY_PIXELS)
        upload.seek(0)
        upload.content_type, extension = RASTER_FORMATS[detected]
        upload.name = f"{Path(upload.name).stem or 'image'}.{extension}"
        return upload


class RasterImageUploadView(ImageUploadView):
    form_class = RasterImageForm
    http_method_names = ["post"]  # the stock view has no page to answer a GET with

    def form_invalid(self, form):
        # Always JSON: the editor shows the message, and a plain form post has no page to return to.
        return JsonResponse({"error": " ".join(form.non_field_errors()) or "The upload was refused."}, status=400)


class PreviewView(MarkdownifyView):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        # The stock view reads request.POST["content"] unchecked, so a bare POST was a server error.
        if "content" not in request.POST:
            return JsonResponse({"error": "There is no Markdown to preview."}, status=400)
        # markdownx's script puts whatever the response says into the preview pane, whatever its
        # status, so a refusal is a short HTML message with a status that says what happened.
        if reason := SiteSettings.load().section_length_refusal(request.POST["content"]):
            return preview_message(f"No preview: {reason}", status=413)
        try:
            return super().post(request, *args, **kwargs)
        except RenderingRefused as error:
            return preview_message(f"No preview: {error}", status=422)


def preview_message(message, *, status):
    return HttpResponse(format_html('<p class="errornote" role="alert">{}</p>', message), status=status)


# Routed in condinfo/urls.py through lazy_view: this module loads Pillow and Python-Markdown.
upload = editors_only(RasterImageUploadView.as_view())
preview = editors_only(PreviewView.as_view())
