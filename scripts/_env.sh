# Shared by scripts/demo and scripts/test: find Python 3.11+, create .venv, install the project.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

find_python() {
  for candidate in "${PYTHON:-}" python3.11 python3.12 python3.13 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "Steward needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)" >&2
  return 1
}

# ensure_venv EXTRAS: install (or refresh when pyproject.toml changed) the project into .venv.
ensure_venv() {
  local extras="$1" spec="." stamp
  [ -n "$extras" ] && spec=".[$extras]"
  if [ ! -x .venv/bin/python ]; then
    "$(find_python)" -m venv .venv
  fi
  stamp=".venv/.steward-installed-$(sha256sum pyproject.toml requirements/build-constraints.txt | sha256sum | cut -c1-16)-${extras:-base}"
  if [ ! -f "$stamp" ]; then
    echo "Installing Steward ($spec) into .venv …" >&2
    .venv/bin/python -m pip install --quiet --upgrade "pip>=25.3"
    # --build-constraint: XStatic-Bootstrap's sdist needs setuptools<81 to build.
    .venv/bin/python -m pip install --quiet --build-constraint requirements/build-constraints.txt -e "$spec"
    rm -f .venv/.steward-installed-*
    touch "$stamp"
  fi
}
