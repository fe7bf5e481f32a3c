# Shared by scripts/demo and scripts/test: make (or reuse) the project's virtual environment.
# Usage: . scripts/_venv.sh EXTRAS   (EXTRAS is "" or e.g. "[test]")
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${SMALLPRINT_VENV:-$ROOT/.venv}"
case "$VENV" in /*) ;; *) VENV="$PWD/$VENV" ;; esac
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
# An environment made for a checkout (or at a place) that has since moved is made again: its commands still name the
# old place (`.venv/bin/smallprint: cannot execute: required file not found`) and its editable install imports the
# old checkout, so `smallprint install-host` could not run to register the moved bridge.
MADE_FOR="$ROOT"$'\n'"$VENV"
MOVED=""
if [ -f "$VENV/bin/smallprint" ] && read -r SHEBANG < "$VENV/bin/smallprint"; then
  case "$SHEBANG" in "#!/"*python*) [ -x "${SHEBANG#\#!}" ] || MOVED="its commands name ${SHEBANG#\#!}" ;; esac
fi
for MARK in "$VENV"/.smallprint-installed*; do
  if [ -z "$MOVED" ] && [ -s "$MARK" ] && [ "$(cat "$MARK")" != "$MADE_FOR" ]; then
    MOVED="it was made for $(head -n 1 "$MARK")"
  fi
done
if [ -n "$MOVED" ]; then
  echo "The environment $VENV was made for smallprint at another place ($MOVED): making it again." >&2
  if ! "$PY" -m venv --clear "$VENV"; then
    echo "Could not make the virtual environment again with $PY; delete $VENV and run this again." >&2
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
  printf '%s\n' "$MADE_FOR" > "$STAMP"
fi
