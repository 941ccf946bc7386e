"""Browser assets: our own CSS/JS from web/static, and vendor files from npm's node_modules.

`scripts/_venv.sh` runs `npm ci` (package.json/package-lock.json at the repository root), so
htmx and chart.js come from the npm registry and are served from this server: no page loads
anything from another host. Only the files listed in VENDOR are reachable.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from openoncall.errors import NotFound

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"

# URL name → path inside node_modules.
VENDOR: dict[str, str] = {
    "htmx.min.js": "htmx.org/dist/htmx.min.js",
    "chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
}


def node_modules_dirs() -> list[Path]:
    """Where npm ci put the packages: $OPENONCALL_NODE_MODULES, the checkout, the cwd."""
    dirs = []
    if env := os.environ.get("OPENONCALL_NODE_MODULES"):
        dirs.append(Path(env))
    dirs.append(Path(__file__).resolve().parents[3] / "node_modules")
    dirs.append(Path.cwd() / "node_modules")
    return dirs


def vendor_file(name: str) -> Path:
    relative = VENDOR.get(name)
    if relative is None:
        raise NotFound(f"No asset {name}")
    for base in node_modules_dirs():
        candidate = base / relative
        if candidate.is_file():
            return candidate
    log.error("asset %s missing: run `npm ci --omit=dev` at the repository root", name)
    raise NotFound(f"Asset {name} is not installed (run npm ci)")


router = APIRouter(include_in_schema=False)


@router.get("/static/vendor/{name}")
def vendor(name: str) -> FileResponse:
    return FileResponse(
        vendor_file(name),
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )
