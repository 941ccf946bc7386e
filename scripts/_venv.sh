# Sourced by the scripts: make .venv with the project and its dev tools when missing or stale.
set -eu
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
stamp=.venv/.installed
# pip, failing loudly, without its warnings about configured find-links paths that are absent.
pip_install() {
  out=$(.venv/bin/python -m pip install --quiet --disable-pip-version-check "$@" 2>&1) \
    || { printf '%s\n' "$out" >&2; return 1; }
  printf '%s\n' "$out" | grep -v -e "is ignored: it is neither a file nor a directory" -e '^$' || true
}
# Dependencies come from requirements.lock only (exact versions, every file's hash checked,
# nothing else pulled in); pyproject.toml keeps the ranges, scripts/lock refreshes the lock.
if [ ! -f "$stamp" ] || [ requirements.lock -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  pip_install --require-hashes --no-deps -r requirements.lock
  # The project itself, built with the locked setuptools: no unhashed build download.
  pip_install --no-deps --no-build-isolation -e .
  .venv/bin/python -m pip check >/dev/null
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
