#!/usr/bin/env bash
# The Python binding's checks, run from the repository root by `make test-python`
# (after `make build`): mypy --strict on the package, then the pytest suite against a
# sandbox that the suite starts itself. Exits non-zero on any failure.
#
#   bash bindings/python/test.sh               # the suite (about 20 s)
#   bash bindings/python/test.sh --packaging   # also pip install / python -m build (slow)
#   bash bindings/python/test.sh -k threads    # extra arguments go to pytest
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

bash "$here/ci-deps.sh"
py=${MK_PY_VENV:-$here/.venv}/bin/python

export MONEYKIT_NATIVE_LIB=${MONEYKIT_NATIVE_LIB:-$repo/target/release/libmoneykit.so}
export MONEYKIT_SANDBOX_BIN=${MONEYKIT_SANDBOX_BIN:-$repo/target/release/moneykit-sandbox}
for f in "$MONEYKIT_NATIVE_LIB" "$MONEYKIT_SANDBOX_BIN"; do
  [ -f "$f" ] || { echo "bindings/python/test.sh: $f not found (run: make build)" >&2; exit 1; }
done
export PYTHONPATH="$here/src${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONDONTWRITEBYTECODE=1
export MK_REQUIRE_MYPY=1
if [ "${1:-}" = "--packaging" ]; then
  export MONEYKIT_TEST_PACKAGING=1
  shift
fi

cd "$here"
echo "== mypy --strict (bindings/python/src/moneykit_native)"
"$py" -m mypy --strict --no-incremental --config-file pyproject.toml src/moneykit_native
echo "== pytest (bindings/python/tests)"
"$py" -m pytest -p no:cacheprovider tests "$@"
