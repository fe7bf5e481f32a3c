# Shared by scripts/demo and scripts/test: make (or reuse) the project's virtual environment.
# Usage: . scripts/_venv.sh EXTRAS   (EXTRAS is "" or e.g. "[test]")
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${SMALLPRINT_VENV:-$ROOT/.venv}"
PY="${PYTHON:-python3}"
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "smallprint needs Python 3.11 or newer (found: $("$PY" --version 2>&1))" >&2
  exit 1
fi
if [ ! -x "$VENV/bin/python" ]; then
  if ! "$PY" -m venv "$VENV"; then
    echo "Could not create a virtual environment with $PY (on Debian/Ubuntu: apt install python3-venv)." >&2
    exit 1
  fi
fi
# Re-install only when pyproject.toml changed since the last install into this environment.
STAMP="$VENV/.smallprint-installed$1"
if [ ! -f "$STAMP" ] || [ "$ROOT/pyproject.toml" -nt "$STAMP" ]; then
  # pip's and the build's chatter goes to a log, shown only when the install fails.
  echo "Installing smallprint$1 into $VENV (when pyproject.toml changed; log: $VENV/install.log)" >&2
  if ! { "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip \
         && "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT$1"; } \
       >"$VENV/install.log" 2>&1; then
    cat "$VENV/install.log" >&2
    echo "Installing smallprint into $VENV failed (see above)." >&2
    exit 1
  fi
  touch "$STAMP"
fi
