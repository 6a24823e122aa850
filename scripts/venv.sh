# Sourced by scripts/demo and scripts/test: make .venv from the pinned lock file, once per lock.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$repo/.venv"
stamp="$venv/.installed-$(cat "$repo/requirements.lock" "$repo/pyproject.toml" | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
    echo "Installing pinned dependencies into $venv (first run only: 1.5 GB, pip shows each package; times in README.md)..." >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --progress-bar on --disable-pip-version-check -c "$repo/requirements.lock" -e "$repo[test,cluster,postgres]" >&2
    rm -f "$venv"/.installed-*
    touch "$stamp"
fi
export PATH="$venv/bin:$PATH"
cd "$repo"
