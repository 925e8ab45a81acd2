"""Security headers on every response, set in one place, and the optional ProxyFix.

The pages carry no inline script, no inline style and no `on…=` attribute, and load
nothing from another host, so the Content-Security-Policy needs no 'unsafe-inline'.
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'"
)
# pygal's SVG charts keep their styling in an inline <style>; an SVG served on its own
# (an <img> source, or opened directly) gets a policy that allows that style and nothing
# else: no script, no fetch, no form.
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
# Only this page is meant to be framed by partners' sites.
FRAMEABLE_ENDPOINTS = {"calendar.embed_programme"}
# Pages whose address holds a secret (management link, personal agenda, reset link):
# no other site may learn it from the Referer header, not even the map link's.
SECRET_URL_BLUEPRINTS = {"registrations", "accounts"}
HSTS = "max-age=31536000; includeSubDomains"
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def register(app: Flask) -> None:
    """Wrap the app in ProxyFix when configured, and add the headers to every response."""
    x_for, x_proto = app.config["PROXY_FIX_X_FOR"], app.config["PROXY_FIX_X_PROTO"]
    if x_for or x_proto:
        # Trust the X-Forwarded-For/-Proto headers of exactly that many proxies in front.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=x_for, x_proto=x_proto)
    app.after_request(add_security_headers)


def add_security_headers(response):
    headers = response.headers
    frameable = request.endpoint in FRAMEABLE_ENDPOINTS
    if response.mimetype == "image/svg+xml":
        headers["Content-Security-Policy"] = SVG_POLICY
    else:
        ancestors = "*" if frameable else "'none'"
        headers["Content-Security-Policy"] = (
            f"{CONTENT_SECURITY_POLICY}; frame-ancestors {ancestors}"
        )
    if not frameable:
        headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    if request.blueprint in SECRET_URL_BLUEPRINTS:
        headers["Referrer-Policy"] = "no-referrer"
    else:
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = PERMISSIONS_POLICY
    if request.is_secure:
        headers["Strict-Transport-Security"] = HSTS
    return response
