#!/usr/bin/env bash
# Installs what the Python binding's tests need and nothing else, idempotently:
# a Python >= 3.9 with venv support (Debian packages, only if missing), and a virtual
# environment at bindings/python/.venv holding requirements-dev.txt (pytest, mypy,
# build, setuptools-rust). Nothing is installed when everything is already there.
# Override the interpreter with PYTHON=/path/to/python3.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
venv=${MK_PY_VENV:-$here/.venv}
python=${PYTHON:-python3}

sudo=
if [ "$(id -u)" -ne 0 ]; then sudo=sudo; fi
apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then $sudo apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"
}

if ! command -v "$python" >/dev/null 2>&1; then
  echo "bindings/python/ci-deps.sh: installing python3"
  apt_install python3 python3-venv
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 9))'; then
  echo "bindings/python/ci-deps.sh: $python is older than 3.9" >&2
  exit 1
fi

venv_ok() {
  [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import sys' >/dev/null 2>&1
}
if ! venv_ok; then
  rm -rf "$venv"
  if ! "$python" -m venv "$venv" >/dev/null 2>&1; then
    # Debian splits venv/ensurepip into python3-venv (python3.X-venv).
    ver=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
    echo "bindings/python/ci-deps.sh: installing python3-venv"
    apt_install python3-venv "python$ver-venv" || apt_install python3-venv
    rm -rf "$venv"
    "$python" -m venv "$venv"
  fi
fi

# Everything importable (and mypy at the pinned version)? Then there is nothing to do.
if "$venv/bin/python" - "$here/requirements-dev.txt" >/dev/null 2>&1 <<'PY'
import sys
from importlib.metadata import version, PackageNotFoundError
import re
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if not line:
        continue
    name = re.split(r"[<>=!~ ]", line, maxsplit=1)[0]
    pin = line.split("==", 1)[1] if "==" in line else None
    try:
        v = version(name)
    except PackageNotFoundError:
        sys.exit(1)
    if pin and v != pin:
        sys.exit(1)
PY
then
  echo "bindings/python/ci-deps.sh: all dependencies present ($venv)"
  exit 0
fi

echo "bindings/python/ci-deps.sh: installing requirements-dev.txt into $venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$here/requirements-dev.txt"
