"""Interactive API docs at /api-docs: Swagger UI from locally installed assets, no CDN.

The assets come from the `fastapi-offline` wheel (Swagger UI 5). The `swagger-ui-bundle`
wheel ships Swagger UI 4.15, which refuses to render an `openapi: 3.1.0` document (FastAPI's
output): its version check accepts only `3.0.x`. Only the static files are used; the page and
its initializer are ours, so nothing in them names an outside host (the online validator badge
is switched off: it would call validator.swagger.io).

`install_openapi_security(app)` fixes one thing FastAPI's generator gets wrong for this API:
two header schemes used by one dependency come out as two alternative requirements
(`[{"X-VO-Api-Id": []}, {"X-VO-Api-Key": []}]`, "either header"), while the API needs both.
The fix merges them into one requirement, so "Authorize" then "Try it out" sends both headers.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, HTMLResponse, Response

from openoncall.auth.deps import SECURITY_SCHEMES
from openoncall.errors import NotFound

DOCS_PATH = "/api-docs"
OPENAPI_PATH = f"{DOCS_PATH}/openapi.json"
ASSETS_PATH = f"{DOCS_PATH}/assets"

_ASSET_DIR = Path(str(resources.files("fastapi_offline") / "static"))
# The only files served: a fixed list, so no path from the URL ever reaches the filesystem.
_ASSETS: dict[str, str] = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon.png": "image/png",
}

_INITIALIZER = f"""window.onload = function () {{
  window.ui = SwaggerUIBundle({{
    url: "{OPENAPI_PATH}",
    dom_id: "#swagger-ui",
    deepLinking: true,
    persistAuthorization: true,
    displayRequestDuration: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  }});
}};
"""

_PAGE = f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>OpenOnCall API</title>
  <link rel="stylesheet" type="text/css" href="{ASSETS_PATH}/swagger-ui.css">
  <link rel="icon" type="image/png" href="{ASSETS_PATH}/favicon.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{ASSETS_PATH}/swagger-ui-bundle.js" charset="utf-8"></script>
  <script src="{ASSETS_PATH}/swagger-initializer.js" charset="utf-8"></script>
</body>
</html>
"""

router = APIRouter(include_in_schema=False)


@router.get(DOCS_PATH)
def swagger_ui() -> HTMLResponse:
    # The web UI's CSP (api/security_headers.py) suits Swagger UI 5 too: no inline script,
    # eval or style attribute (the Chromium test of this page checks for refusals).
    return HTMLResponse(_PAGE)


@router.get(f"{ASSETS_PATH}/swagger-initializer.js")
def swagger_initializer() -> Response:
    return Response(_INITIALIZER, media_type="text/javascript; charset=utf-8")


@router.get(f"{ASSETS_PATH}/{{name}}")
def swagger_asset(name: str) -> FileResponse:
    media_type = _ASSETS.get(name)
    if media_type is None:
        raise NotFound(f"No such asset: {name}", field="name")
    # Assets change only with the installed package: let browsers keep them for a day.
    return FileResponse(
        _ASSET_DIR / name, media_type=media_type, headers={"Cache-Control": "max-age=86400"}
    )


def merge_security_requirements(schema: dict[str, Any]) -> dict[str, Any]:
    """Turn each operation's alternative header requirements into one that needs them all."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            requirements = operation.get("security") if isinstance(operation, dict) else None
            if not requirements or len(requirements) < 2:
                continue
            merged: dict[str, list[str]] = {}
            for requirement in requirements:
                merged.update(requirement)
            operation["security"] = [merged]
    return schema


def install_openapi_security(app: FastAPI) -> None:
    """Generate the OpenAPI document once, with both auth headers required together."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                openapi_version=app.openapi_version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
                servers=app.servers,
            )
            schema.setdefault("components", {})["securitySchemes"] = dict(SECURITY_SCHEMES)
            app.openapi_schema = merge_security_requirements(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
