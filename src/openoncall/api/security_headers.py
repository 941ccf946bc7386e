"""Security headers on every HTML page: the web UI's, the signed-link pages, error pages.

An ASGI layer rather than headers set by each page, so no HTML answer can be left without
them (`/links/` pages, the Swagger UI at /api-docs, 404 pages and future routes included).
A page that needs another policy may set its own header, which is kept.

The policy allows scripts, styles and fetches from this server only: no inline script or
event-handler attribute runs (the UI's behaviour lives in /static/app.js), so injected
markup that slipped past escaping still could not execute. Images may also be `data:` URLs
(the blank favicon). Pages may show a secret once (new API key, set-password link), so they
are never cached, never framed (clickjacking of Revoke/Take buttons) and their URL (which
may hold a token) is never sent to another site.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": PAGE_CSP,
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


class SecurityHeaders:
    """Adds PAGE_HEADERS to every text/html response, keeping any the route set itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").startswith("text/html"):
                    for name, value in PAGE_HEADERS.items():
                        if name not in headers:
                            headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
