#!/usr/bin/env bash
# Install everything the tests need (system packages, services, Python and Node tools),
# then run the linters, the type checker and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bootstrap.sh

apt_install nsd dovecot-imapd dovecot-lmtpd dovecot-sqlite dovecot-pgsql \
  postfix postfix-sqlite postfix-pgsql postgresql ca-certificates
command -v node >/dev/null 2>&1 || apt_install nodejs npm

# PostgreSQL: start the local cluster when nothing listens on 5432 yet.
if ! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\""
fi

ensure_uv
uv sync --frozen --quiet

# tsx runs the seed's TypeScript client in the conformance test.
if [ ! -x .cache/node/node_modules/.bin/tsx ]; then
  npm install --silent --prefix .cache/node tsx@4 >/dev/null
fi

uv run ruff check .
uv run ruff format --check .
uv run mypy
uv run pytest "$@"
