#!/usr/bin/env bash
# Installs the PostgreSQL server the PostgreSQL-engine tests (tests/postgres) run against: Debian's
# `postgresql` (15 on bookworm) with its default cluster. Idempotent: does nothing when a cluster is
# already there. It does not start the server: the tests' fixture does (pg_ctlcluster), so a stopped
# server after a reboot needs nothing else. Debian/Ubuntu only (apt-get).
set -euo pipefail

if command -v pg_lsclusters >/dev/null 2>&1 && [ -n "$(pg_lsclusters --no-header 2>/dev/null | head -n 1)" ]; then
    echo "install-postgres: $(pg_lsclusters --no-header | head -n 1 | awk '{print "cluster " $1 "/" $2 " on port " $3 " (" $4 ")"}') already installed"
    exit 0
fi

# shellcheck source=apt-install.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"
HINT="install PostgreSQL (>= 13) by hand, or point PILOTDW_TEST_PG_URL at a server"
# The `postgresql` metapackage creates and starts the default cluster (main) on port 5432.
apt_install install-postgres postgresql
echo "install-postgres: installed $(pg_lsclusters --no-header | head -n 1)"
