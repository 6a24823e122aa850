# Sourced by .ci/run: Debian's PostgreSQL (the gradebook test) and Chromium (the browser test).
set -euo pipefail
missing=()
command -v pg_lsclusters >/dev/null 2>&1 || missing+=(postgresql)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing ${missing[*]} from Debian's packages..." >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
cluster=$(pg_lsclusters --no-header | head -n 1)
version=$(echo "$cluster" | awk '{print $1}'); name=$(echo "$cluster" | awk '{print $2}'); port=$(echo "$cluster" | awk '{print $3}')
pg_ctlcluster "$version" "$name" start 2>/dev/null || true
su postgres -c "psql -q -p $port -c \"DO \\\$\\\$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'grader') THEN CREATE ROLE grader LOGIN PASSWORD 'grader'; END IF; END \\\$\\\$;\""
su postgres -c "psql -q -p $port -tc \"SELECT 1 FROM pg_database WHERE datname = 'gradebook'\" | grep -q 1 || createdb -p $port -O grader gradebook"
export AUTOGRADER_TEST_POSTGRES_URL="postgresql://grader:grader@127.0.0.1:$port/gradebook"
