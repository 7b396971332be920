"""The editor's preview and image-upload endpoints: editors only, sanitised output, raster images only."""

import io
import re
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from tests.factories import make_user

AJAX = {"x-requested-with": "XMLHttpRequest"}
STORED_IMAGE = re.compile(r"!\[\]\(/media/uploads/([0-9a-f-]{36}\.(png|jpg|gif|webp))\)")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def image_bytes(fmt="PNG", size=(4, 3), color=(200, 30, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


def upload(client, content, *, name="diagram.png", content_type="image/png"):
    return client.post(
        reverse("markdownx_upload"),
        {"image": SimpleUploadedFile(name, content, content_type=content_type)},
        headers=AJAX,
    )


def png_header_only(width, height):
    """Return a PNG that declares ``width`` × ``height`` pixels but holds almost no data."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b"")


def stored_files(tmp_path):
    return sorted(p.name for p in (tmp_path / "uploads").glob("*")) if (tmp_path / "uploads").exists() else []


# -- who may use the endpoints ---------------------------------------------------------


@pytest.fixture
def non_staff_author(db):
    return make_user("Authors", is_staff=False)


@pytest.mark.parametrize("url_name", ["markdownx_markdownify", "markdownx_upload"])
def test_the_editor_endpoints_refuse_anonymous_visitors(client, db, url_name):
    response = client.post(reverse(url_name), {"content": "**Hello**"})

    assert response.status_code == 403
    assert response.json() == {"error": "Sign in to the admin to use the editor."}


@pytest.mark.parametrize("url_name", ["markdownx_markdownify", "markdownx_upload"])
def test_the_editor_endpoints_refuse_signed_in_users_who_are_not_staff(client, non_staff_author, url_name):
    client.force_login(non_staff_author)

    response = client.post(reverse(url_name), {"content": "**Hello**"})

    assert response.status_code == 403
    assert response.json() == {"error": "Sign in to the admin to use the editor."}


@pytest.mark.parametrize("url_name", ["markdownx_markdownify", "markdownx_upload"])
def test_the_editor_endpoints_refuse_staff_who_cannot_edit_explainers(client, reviewer, url_name):
    client.force_login(reviewer)

    response = client.post(reverse(url_name), {"content": "**Hello**"})

    assert response.status_code == 403
    assert response.json() == {"error": "Your role cannot edit explainers."}


def test_the_editor_endpoints_refuse_deactivated_authors(client, author):
    author.is_active = False
    author.save()
    client.force_login(author)

    assert client.post(reverse("markdownx_markdownify"), {"content": "x"}).status_code == 403


def test_an_upload_by_a_refused_user_stores_nothing(client, reviewer, tmp_path):
    client.force_login(reviewer)

    assert upload(client, image_bytes()).status_code == 403
    assert stored_files(tmp_path) == []


# -- preview ---------------------------------------------------------------------------


def test_an_author_gets_the_preview_as_html(client, author):
    client.force_login(author)

    response = client.post(reverse("markdownx_markdownify"), {"content": "# Causes\n\n- **genes**\n- triggers"})

    assert response.status_code == 200
    assert response.content.decode() == (
        "<h3>Causes</h3>\n<ul>\n<li><strong>genes</strong></li>\n<li>triggers</li>\n</ul>"
    )


def test_a_publisher_can_use_the_preview(client, publisher):
    client.force_login(publisher)

    assert client.post(reverse("markdownx_markdownify"), {"content": "*x*"}).content == b"<p><em>x</em></p>"


def test_the_preview_removes_hostile_markup(client, author):
    client.force_login(author)

    response = client.post(
        reverse("markdownx_markdownify"),
        {"content": 'Safe.<script>alert(1)</script> <img src=x onerror="alert(2)"> [x](javascript:alert(3))'},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Safe." in html
    assert "<script" not in html
    assert "onerror" not in html
    assert "javascript:" not in html
    assert "alert" not in html


# -- upload ----------------------------------------------------------------------------


def test_an_author_can_upload_a_png_and_gets_markdown_for_it(client, author, tmp_path):
    client.force_login(author)

    response = upload(client, image_bytes("PNG", size=(40, 30)))

    assert response.status_code == 200
    match = STORED_IMAGE.fullmatch(response.json()["image_code"])
    assert match and match[2] == "png"
    assert stored_files(tmp_path) == [match[1]]
    with Image.open(tmp_path / "uploads" / match[1]) as stored:
        assert (stored.format, stored.size) == ("PNG", (40, 30))


def test_an_upload_is_stored_under_a_name_and_extension_chosen_from_its_content(client, author, tmp_path):
    client.force_login(author)

    response = upload(client, image_bytes("JPEG"), name="../../photo.html", content_type="image/png")

    assert response.status_code == 200
    match = STORED_IMAGE.fullmatch(response.json()["image_code"])
    assert match and match[2] == "jpg"
    with Image.open(tmp_path / "uploads" / match[1]) as stored:
        assert stored.format == "JPEG"


def test_a_large_image_is_scaled_down(client, author, tmp_path):
    client.force_login(author)

    response = upload(client, image_bytes("PNG", size=(3200, 800)))

    name = STORED_IMAGE.fullmatch(response.json()["image_code"])[1]
    with Image.open(tmp_path / "uploads" / name) as stored:
        assert stored.size == (1600, 400)


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'


@pytest.mark.parametrize(
    ("content", "name", "content_type", "error"),
    [
        (SVG, "drawing.svg", "image/svg+xml", "File type is not supported."),
        (SVG, "drawing.png", "image/png", "This file is not a JPEG, PNG, GIF or WebP image."),
        (
            b"<html><script>alert(1)</script></html>",
            "page.png",
            "image/png",
            "This file is not a JPEG, PNG, GIF or WebP image.",
        ),
        (b"%PDF-1.7 not an image", "leaflet.jpg", "image/jpeg", "This file is not a JPEG, PNG, GIF or WebP image."),
        (image_bytes("BMP"), "scan.png", "image/png", "Only JPEG, PNG, GIF and WebP images can be uploaded."),
        (image_bytes("PNG")[:40], "cut-short.png", "image/png", "This file is not a JPEG, PNG, GIF or WebP image."),
    ],
    ids=["svg", "svg-as-png", "html-as-png", "pdf-as-jpeg", "bmp-as-png", "truncated-png"],
)
def test_an_upload_that_is_not_a_raster_image_is_refused_with_a_clear_message(
    client, author, tmp_path, content, name, content_type, error
):
    client.force_login(author)

    response = upload(client, content, name=name, content_type=content_type)

    assert response.status_code == 400
    assert response.json() == {"error": error}
    assert stored_files(tmp_path) == []


def test_an_oversize_upload_is_refused_with_a_clear_message(client, author, tmp_path):
    client.force_login(author)
    too_big = image_bytes("PNG") + b"\0" * (3 * 1024 * 1024)

    response = upload(client, too_big)

    assert response.status_code == 400
    assert response.json() == {"error": "Please keep file size under 2.0\xa0MB. Current file size: 3.0\xa0MB."}
    assert stored_files(tmp_path) == []


def test_an_image_declaring_an_enormous_size_is_refused_rather_than_decoded(client, author, tmp_path):
    client.force_login(author)

    response = upload(client, png_header_only(30_000, 30_000))

    assert response.status_code == 400
    assert response.json() == {"error": "This image is too large: upload one of at most 50 megapixels."}
    assert stored_files(tmp_path) == []


def test_an_upload_without_a_file_is_refused(client, author):
    client.force_login(author)

    response = client.post(reverse("markdownx_upload"), {}, headers=AJAX)

    assert response.status_code == 400
    assert response.json() == {"error": "No files have been uploaded."}


def test_a_preview_request_without_content_is_refused_not_an_error(client, author):
    client.force_login(author)

    response = client.post(reverse("markdownx_markdownify"), {})

    assert response.status_code == 400
    assert response.json() == {"error": "There is no Markdown to preview."}


@pytest.mark.parametrize("url_name", ["markdownx_markdownify", "markdownx_upload"])
def test_the_editor_endpoints_answer_only_posts(client, author, url_name):
    client.force_login(author)

    assert client.get(reverse(url_name)).status_code == 405


def test_a_camera_jpeg_with_extra_pictures_is_accepted_as_a_jpeg(client, author, tmp_path):
    """Many phones and cameras add a second picture (MPO); Pillow calls those JPEGs "MPO"."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (10, 120, 10)).save(
        buffer, "MPO", save_all=True, append_images=[Image.new("RGB", (8, 6), (0, 0, 0))]
    )
    client.force_login(author)

    response = upload(client, buffer.getvalue(), name="IMG_0001.JPG", content_type="image/jpeg")

    assert response.status_code == 200
    name = STORED_IMAGE.fullmatch(response.json()["image_code"])[1]
    assert name.endswith(".jpg")
    with Image.open(tmp_path / "uploads" / name) as stored:
        assert stored.format == "JPEG"
