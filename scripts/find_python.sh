#!/usr/bin/env bash
# Print a Python interpreter of the wanted minor version (default 3.12), or say what to install.
set -euo pipefail
want=${1:-3.12}
for candidate in "python$want" "$HOME/.pyenv/versions/$want"*/bin/python3 "/usr/bin/python$want" \
                 "/usr/local/bin/python$want"; do
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c "import sys; sys.exit(sys.version_info[:2] != tuple(map(int, '$want'.split('.'))))" 2>/dev/null; then
    command -v "$candidate"
    exit 0
  fi
done
echo "Python $want is needed: install it (pyenv install $want, or apt-get install python$want)." >&2
exit 1
