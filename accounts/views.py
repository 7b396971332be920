"""
Setting up and confirming two-factor authentication for staff (django-otp: TOTP and recovery codes).

Set-up shows a QR code (drawn here as inline SVG, nothing fetched from elsewhere) and the key for
an authenticator app; the first correct code confirms the device, verifies the session and shows
ten single-use recovery codes, once. Afterwards each sign-in is confirmed with a code (verify).
"""

from base64 import b32encode
from urllib.parse import urlencode

import segno
from django.contrib import admin, messages
from django.db import transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .forms import OneTimeCodeForm
from .rules import two_factor_required

RECOVERY_CODES = 10
APP_DEVICE_NAME = "Authenticator app"


def setup(request):
    """Set up an authenticator app, or, once set up, say so and offer new recovery codes."""
    user = request.user
    confirmed = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
    if confirmed is not None:
        if not user.is_verified():
            return redirect(with_next(reverse("accounts:verify"), request))
        return page(request, "accounts/two_factor_status.html", "Two-factor authentication", device=confirmed)
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first() or TOTPDevice.objects.create(
        user=user, name=APP_DEVICE_NAME, confirmed=False
    )
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return recovery_codes_page(request, replace_recovery_codes(user), first_time=True)
        form.add_error("code", "That code did not match. Check the app shows condinfo and try the code it shows now.")
    key = base32(device.bin_key)
    return page(
        request,
        "accounts/two_factor_setup.html",
        "Set up two-factor authentication",
        form=form,
        required=two_factor_required(user),
        qr_code=segno.make(device.config_url, error="m").svg_inline(
            scale=5, title="QR code for your authenticator app"
        ),
        key=" ".join(key[i : i + 4] for i in range(0, len(key), 4)),  # grouped, for typing it in by hand
    )


def verify(request):
    """Confirm this sign-in with a code from the authenticator app, or a recovery code."""
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"])  # throttled by django-otp after failures
        if device is not None:
            otp_login(request, device)
            return redirect(next_page(request))
        form.add_error("code", "That code did not match, or too many codes were tried: wait a little and try again.")
    return page(request, "accounts/two_factor_verify.html", "Confirm it is you", form=form)


@require_POST
def new_recovery_codes(request):
    """Replace the recovery codes with new ones (the old ones stop working); only from a confirmed session."""
    if not request.user.is_verified():
        return redirect(with_next(reverse("accounts:verify"), request))
    return recovery_codes_page(request, replace_recovery_codes(request.user), first_time=False)


def replace_recovery_codes(user):
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(user=user, name="Recovery codes", defaults={"confirmed": True})
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_page(request, codes, *, first_time):
    messages.success(request, "Two-factor authentication is on." if first_time else "New recovery codes made.")
    return page(
        request, "accounts/recovery_codes.html", "Your recovery codes", codes=codes, next_url=next_page(request)
    )


def page(request, template, title, **context):
    context = {**admin.site.each_context(request), "title": title, "next": request.GET.get("next", ""), **context}
    return TemplateResponse(request, template, context)


def next_page(request):
    """Where the person was going before the two-factor step (only ever a page of this site)."""
    target = request.GET.get("next", "")
    allowed = url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    return target if target and allowed else reverse("admin:index")


def with_next(url, request):
    return f"{url}?{urlencode({'next': request.GET.get('next', reverse('admin:index'))})}"


def base32(key):
    return b32encode(key).decode()
