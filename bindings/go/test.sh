#!/usr/bin/env bash
# The Go binding's checks, run from the repository root by `make test-go`
# (after `make build`): go vet, then go test -race (the tests start their own
# sandbox), then a build and a short run in pkg-config mode against a
# moneykit.pc that points at this tree. Exits non-zero on any failure.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$here"
export CGO_ENABLED=1

libdir=$repo/target/release
for f in "$libdir/libmoneykit.so" "$libdir/libmoneykit.so.0" "$repo/include/moneykit.h"; do
  [ -e "$f" ] || { echo "test-go: $f is missing: run \`make build\` first" >&2; exit 1; }
done
export MONEYKIT_SANDBOX_BIN=${MONEYKIT_SANDBOX_BIN:-$libdir/moneykit-sandbox}

echo "== go vet"
go vet ./...

echo "== go test -race"
log=$(mktemp)
pcdir=$(mktemp -d)
trap 'rm -rf "$log" "$pcdir"' EXIT
if ! go test -race -count=1 -v ./... >"$log" 2>&1; then
  cat "$log"
  echo "test-go: FAILED" >&2
  exit 1
fi
grep -E '^--- (PASS|SKIP)' "$log" | sed 's/^/  /'
echo "  $(grep -cE '^\s*--- PASS' "$log") tests, subtests and examples passed, $(grep -cE '^\s*--- SKIP' "$log" || true) skipped"
grep -E '^(ok|FAIL)\s' "$log"

echo "== pkg-config mode (-tags moneykit_pkgconfig)"
if command -v pkg-config >/dev/null; then
  version=$(sed -n 's/^#define MK_VERSION "\(.*\)"/\1/p' "$repo/include/moneykit.h")
  cat >"$pcdir/moneykit.pc" <<PC
prefix=$repo
libdir=\${prefix}/target/release
includedir=\${prefix}/include

Name: moneykit
Description: moneykit-native (in-tree, for the Go binding's test)
Version: $version
Libs: -L\${libdir} -lmoneykit
Cflags: -I\${includedir}
PC
  export PKG_CONFIG_PATH=$pcdir
  go vet -tags moneykit_pkgconfig ./...
  LD_LIBRARY_PATH=$libdir go test -tags moneykit_pkgconfig -count=1 \
    -run '^(TestStatusConstantsMatchHeader|TestVersionMatchesHeader|TestGetIdentityOK|TestSandboxStatuses|Example)$' ./...
else
  echo "  skipped: pkg-config is not installed (bindings/go/ci-deps.sh installs it)"
fi
echo "test-go: all Go checks passed"
