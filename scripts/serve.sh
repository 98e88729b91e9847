#!/usr/bin/env bash
# Install mailplane and run it: API and worker in one process, SQLite in ./data by default.
# Any MAILPLANE_* variable in the environment applies (see the README).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bootstrap.sh
ensure_uv
uv sync --frozen --no-dev --quiet
exec uv run --no-dev mailplane serve "$@"
