# Sourced by the scripts: make .venv with the project and its dev tools when missing or stale.
set -eu
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
stamp=.venv/.installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip 2>/dev/null || true
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]' 2>&1 \
    | grep -v "is ignored: it is neither a file nor a directory" || true
  .venv/bin/python -c "import openoncall" && touch "$stamp"
fi
# The web UI's browser assets (htmx, chart.js) come from the npm registry and are served from
# node_modules; reinstall when the lock file is newer than the last install.
if command -v npm >/dev/null 2>&1; then
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --omit=dev --no-audit --no-fund --loglevel=error >/dev/null
  fi
else
  echo "npm not found: the web UI will have no htmx/chart.js (apt-get install npm)" >&2
fi
